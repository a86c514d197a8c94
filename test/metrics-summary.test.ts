import { describe, expect, test } from "bun:test";
import { Aggregator } from "../src/metrics/aggregator.ts";
import { colorize, renderConsole } from "../src/metrics/console.ts";
import { displayF64, fixed, fmtMs, fmtNum } from "../src/metrics/format.ts";
import { renderJunit, xmlEscape } from "../src/metrics/junit.ts";
import { progressLine } from "../src/metrics/progress.ts";
import { Sink } from "../src/metrics/sink.ts";
import { buildSummary, type Summary } from "../src/metrics/summary.ts";
import { evaluateThresholds, type ThresholdSpec } from "../src/metrics/thresholds.ts";

const T = (metric: string, expression: string, agg: ThresholdSpec["agg"], op: ThresholdSpec["op"], bound: number, p?: number): ThresholdSpec =>
  ({ selector: metric, metric, tags: {}, expression, agg, op, bound, abortOnFail: false, delayAbortEvalMs: 0, ...(p === undefined ? {} : { p }) });

/** A 10-second run: aggregator created at t=0, summary at t=10 s. */
function demoSummary(aborted: string | null = "threshold crossed (abort_on_fail)"): Summary {
  const agg = new Aggregator(0);
  const sink = new Sink();
  const t = sink.tags({ scenario: "default" });
  for (let i = 0; i < 50; i++) {
    sink.counter("http_reqs", t, 1);
    sink.rate("http_req_failed", t, i < 5);
  }
  sink.counter("data_received", t, 1234);
  for (const ms of [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2000, 3000]) sink.trend("http_req_duration", t, ms);
  for (let i = 0; i < 10; i++) sink.rate("checks", sink.tags({ check: "status is 200" }), i < 9);
  for (let i = 0; i < 5; i++) sink.rate("checks", sink.tags({ check: "body ok" }), true);
  agg.merge(sink.drain());
  agg.setGauge("vus", 3);
  agg.setGauge("vus", 5);
  agg.setGauge("vus", 4);
  const thresholds = evaluateThresholds([
    T("http_req_duration", "p(95)<400", "p", "<", 400, 95),
    T("http_req_failed", "rate<0.2", "rate", "<", 0.2),
    T("ws_connecting", "avg<1", "avg", "<", 1),
  ], agg, 10_000);
  return buildSummary({
    name: "demo", runId: "run-1", startedMs: 0, endedMs: 10_000, scenarios: ["browse", "buy"],
    aggregator: agg, thresholds, aborted, nowMs: 10_000,
  });
}

describe("summary JSON (§2.10)", () => {
  const s = demoSummary();

  test("has the reference fields in their order, with schema_version first and breakdown last (schema 2)", () => {
    expect(Object.keys(s)).toEqual([
      "schema_version", "name", "run_id", "started_ms", "ended_ms", "duration_secs", "scenarios", "metrics", "checks",
      "thresholds", "thresholds_passed", "aborted", "snapshot", "timeline", "breakdown",
    ]);
    expect(s.schema_version).toBe(2);
    expect(s).toMatchObject({ name: "demo", run_id: "run-1", started_ms: 0, ended_ms: 10_000, duration_secs: 10, scenarios: ["browse", "buy"] });
  });

  test("metrics: one per name, alphabetical, with AggValues keys always present", () => {
    expect(s.metrics.map((m) => [m.metric, m.kind])).toEqual([
      ["checks", "rate"], ["data_received", "counter"], ["http_req_duration", "trend"],
      ["http_req_failed", "rate"], ["http_reqs", "counter"], ["vus", "gauge"],
    ]);
    for (const m of s.metrics) {
      expect(Object.keys(m.agg)).toEqual(["count", "sum", "avg", "min", "max", "med", "p90", "p95", "p99", "p999", "rate", "last", "per_second"]);
    }
  });

  test("nulls per kind: counter, rate, gauge, trend", () => {
    const agg = (name: string) => s.metrics.find((m) => m.metric === name)!.agg;
    const nulls = { avg: null, min: null, max: null, med: null, p90: null, p95: null, p99: null, p999: null, rate: null, last: null, per_second: null };
    expect(agg("http_reqs")).toEqual({ ...nulls, count: 50, sum: 50, per_second: 5 });
    expect(agg("http_req_failed")).toEqual({ ...nulls, count: 50, sum: 5, rate: 0.1, per_second: 5 });
    expect(agg("vus")).toEqual({ ...nulls, count: 1, sum: 0, last: 4, min: 3, max: 5 });
    const tr = agg("http_req_duration");
    expect(tr).toMatchObject({ count: 10, min: 0.25, max: 3000, med: 1.25, rate: null, last: null, per_second: 1 });
    expect(tr.avg!).toBeCloseTo(500.9, 12);
    // HDR answers with the top of the value's bucket (3 significant digits)
    expect([tr.p90, tr.p95, tr.p99, tr.p999]).toEqual([2000.895, 3000.319, 3000.319, 3000.319]);
  });

  test("nulls survive serialisation (null, not missing)", () => {
    const back = JSON.parse(JSON.stringify(s)) as Summary;
    expect(back.metrics.find((m) => m.metric === "vus")!.agg.avg).toBeNull();
    expect(back.thresholds[2]!.observed).toBeNull();
    expect(back.aborted).toBe("threshold crossed (abort_on_fail)");
    expect(JSON.parse(JSON.stringify(demoSummary(null))).aborted).toBeNull();
  });

  test("checks grouped by the check tag, alphabetical", () => {
    expect(s.checks).toEqual([
      { name: "body ok", passes: 5, fails: 0 },
      { name: "status is 200", passes: 9, fails: 1 },
    ]);
  });

  test("a check sample without a check tag is grouped as `unnamed`", () => {
    const agg = new Aggregator(0);
    const sink = new Sink();
    sink.rate("checks", sink.tags({}), false);
    agg.merge(sink.drain());
    const sum = buildSummary({ name: null, runId: "r", startedMs: 0, scenarios: [], aggregator: agg, thresholds: [], aborted: null, nowMs: 1000 });
    expect(sum.checks).toEqual([{ name: "unnamed", passes: 0, fails: 1 }]);
  });

  test("thresholds entries (with the observed value's unit) and thresholds_passed", () => {
    expect(s.thresholds).toEqual([
      { metric: "http_req_duration", expression: "p(95)<400", observed: 3000.319, passed: false, abort_on_fail: false, unit: "ms" },
      { metric: "http_req_failed", expression: "rate<0.2", observed: 0.1, passed: true, abort_on_fail: false, unit: "fraction" },
      { metric: "ws_connecting", expression: "avg<1", observed: null, passed: true, abort_on_fail: false, unit: "" },
    ]);
    expect(s.thresholds_passed).toBe(false);
    const none = buildSummary({ name: null, runId: "r", startedMs: 0, scenarios: [], aggregator: new Aggregator(0), thresholds: [], aborted: null, nowMs: 1 });
    expect(none.thresholds_passed).toBe(true);
  });

  test("snapshot is the final one: series sorted by metric then tags, with interval fields", () => {
    expect(Object.keys(s.snapshot)).toEqual(["timestamp_ms", "elapsed_secs", "interval_secs", "series"]);
    expect(s.snapshot.series.map((x) => `${x.metric}${JSON.stringify(x.tags)}`)).toEqual([
      'checks{"check":"body ok"}', 'checks{"check":"status is 200"}', 'data_received{"scenario":"default"}',
      'http_req_duration{"scenario":"default"}', 'http_req_failed{"scenario":"default"}', 'http_reqs{"scenario":"default"}', "vus{}",
    ]);
    const reqs = s.snapshot.series.find((x) => x.metric === "http_reqs")!;
    expect(Object.keys(reqs)).toEqual(["metric", "kind", "tags", "agg", "interval_count", "interval_sum"]);
    expect([reqs.interval_count, reqs.interval_sum]).toEqual([50, 50]);
    const vus = s.snapshot.series.find((x) => x.metric === "vus")!;
    expect([vus.interval_count, vus.interval_sum]).toEqual([0, 0]);
  });
});

describe("console summary (§2.10)", () => {
  test("renders every section and kind exactly", () => {
    expect(renderConsole(demoSummary())).toBe(
      "\n" +
        "  demo — 2 scenario(s), 10.0s\n" +
        "\n" +
        "  ! run aborted: threshold crossed (abort_on_fail)\n" +
        "\n" +
        "  checks........................:  93.33% — ✓ 14 ✗ 1\n" +
        "    ✓ body ok (5 / 5)\n" +
        "    ✗ status is 200 (9 / 10)\n" +
        "\n" +
        "  data_received.................: 1.2 kB 123 B/s\n" +
        "  http_req_duration.............: avg=500.90ms min=250µs med=1.25ms max=3.00s p(90)=2.00s p(95)=3.00s p(99)=3.00s\n" +
        "  http_req_failed...............: 10.00% 5 out of 50\n" +
        "  http_reqs.....................: 50     5.00/s\n" +
        "  vus...........................: 4      min=3 max=5\n" +
        "\n" +
        "  5 requests failed:\n" +
        "    ✗ 5 extraction_or_assertion: an extraction or assertion failed (one extra failed sample on its request)\n" +
        "\n" +
        "  thresholds:\n" +
        "    ✗ http_req_duration: p(95)<400 (observed: 3.00s)\n" +
        "    ✓ http_req_failed: rate<0.2 (observed: 10.00%)\n" +
        "    ✓ ws_connecting: avg<1 (observed: no samples)\n" +
        "\n",
    );
  });

  test("without name, checks, thresholds or abort: only the header and metric lines", () => {
    const agg = new Aggregator(0);
    const sink = new Sink();
    sink.counter("http_reqs", sink.tags({}), 3);
    sink.gauge("custom_gauge", sink.tags({}), 2.5);
    sink.counter("a_very_long_metric_name_over_30_chars", sink.tags({}), 0.5);
    agg.merge(sink.drain());
    const s = buildSummary({ name: null, runId: "r", startedMs: 0, scenarios: ["only"], aggregator: agg, thresholds: [], aborted: null, nowMs: 2500 });
    expect(renderConsole(s)).toBe(
      "\n" +
        "  loadr test — 1 scenario(s), 2.5s\n" +
        "\n" +
        "  a_very_long_metric_name_over_30_chars..: 0.50   0.20/s\n" +
        "  custom_gauge..................: 2.50   min=2.50 max=2.50\n" +
        "  http_reqs.....................: 3      1.20/s\n" +
        "\n",
    );
  });

  test("colour: ✓ lines green, ✗ and ! lines red, others untouched", () => {
    const text = renderConsole(demoSummary(), { color: true });
    expect(text).toContain("\x1b[32m    ✓ body ok (5 / 5)\x1b[0m\n");
    expect(text).toContain("\x1b[31m    ✗ status is 200 (9 / 10)\x1b[0m\n");
    expect(text).toContain("\x1b[31m  ! run aborted: threshold crossed (abort_on_fail)\x1b[0m\n");
    expect(text).toContain("\n  http_reqs.....................: 50     5.00/s\n");
    expect(colorize("plain")).toBe("plain");
  });
});

describe("number formats (Rust format! semantics)", () => {
  test("fixed rounds exact ties to even and everything else by exact value", () => {
    expect([fixed(0.125, 2), fixed(0.375, 2), fixed(2.5, 0), fixed(3.5, 0), fixed(-2.5, 0), fixed(1.005, 2), fixed(93.3333, 2)])
      .toEqual(["0.12", "0.38", "2", "4", "-2", "1.00", "93.33"]);
  });

  test("fmtMs picks s / ms / µs and prints - when missing", () => {
    expect([fmtMs(1500), fmtMs(1000), fmtMs(12.345), fmtMs(1), fmtMs(0.25), fmtMs(0.0005), fmtMs(null)])
      .toEqual(["1.50s", "1.00s", "12.35ms", "1.00ms", "250µs", "0µs", "-"]);
  });

  test("fmtNum prints whole numbers as integers, others with 2 decimals", () => {
    expect([fmtNum(50), fmtNum(-0), fmtNum(123.4), fmtNum(1e15), fmtNum(0.005)]).toEqual(["50", "0", "123.40", "1000000000000000.00", "0.01"]);
  });

  test("displayF64 never uses exponent notation", () => {
    expect([displayF64(5), displayF64(2.5), displayF64(1e21), displayF64(1e-7)]).toEqual(["5", "2.5", "1000000000000000000000", "0.0000001"]);
  });
});

describe("JUnit (§2.10)", () => {
  test("three suites with the reference's structure and messages", () => {
    expect(renderJunit(demoSummary())).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<testsuites name="loadr: demo" tests="6" failures="3" time="10.000">\n` +
        `  <testsuite name="thresholds" tests="3" failures="1" time="10.000">\n` +
        `    <testcase name="http_req_duration: p(95)&lt;400" classname="threshold">\n` +
        `      <failure message="threshold p(95)&lt;400 failed (observed: 3.00s)"/>\n` +
        `    </testcase>\n` +
        `    <testcase name="http_req_failed: rate&lt;0.2" classname="threshold"/>\n` +
        `    <testcase name="ws_connecting: avg&lt;1" classname="threshold"/>\n` +
        `  </testsuite>\n` +
        `  <testsuite name="checks" tests="2" failures="1" time="10.000">\n` +
        `    <testcase name="body ok" classname="check"/>\n` +
        `    <testcase name="status is 200" classname="check">\n` +
        `      <failure message="1 of 10 checks failed"/>\n` +
        `    </testcase>\n` +
        `  </testsuite>\n` +
        `  <testsuite name="run" tests="1" failures="1" time="10.000">\n` +
        `    <testcase name="run completed" classname="run">\n` +
        `      <failure message="run aborted: threshold crossed (abort_on_fail)"/>\n` +
        `    </testcase>\n` +
        `  </testsuite>\n` +
        `</testsuites>\n`,
    );
  });

  test("a completed run is a self-closing passing case", () => {
    expect(renderJunit(demoSummary(null))).toContain(
      `  <testsuite name="run" tests="1" failures="0" time="10.000">\n    <testcase name="run completed" classname="run"/>\n  </testsuite>\n`,
    );
  });

  test("escapes & < > \" ' in names and messages", () => {
    expect(xmlEscape(`a & <b> "c" 'd'`)).toBe("a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;");
    const s = { ...demoSummary(`stop & "go"`), name: "esc & <test>", checks: [{ name: `body has <tag> & 'q'`, passes: 6, fails: 4 }] };
    const xml = renderJunit(s);
    expect(xml).toContain(`<testsuites name="loadr: esc &amp; &lt;test&gt;"`);
    expect(xml).toContain(`<testcase name="body has &lt;tag&gt; &amp; &apos;q&apos;" classname="check">`);
    expect(xml).toContain(`<failure message="4 of 10 checks failed"/>`);
    expect(xml).toContain(`<failure message="run aborted: stop &amp; &quot;go&quot;"/>`);
  });
});

describe("timeline (§2.7)", () => {
  test("one point per snapshot: interval throughput; latency and error rate of the run so far and of the interval, from merged histograms", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    const a = w.tags({ name: "a" });
    const b = w.tags({ name: "b" });
    for (let i = 0; i < 30; i++) w.counter("http_reqs", a, 1);
    for (let i = 0; i < 10; i++) w.counter("grpc_reqs", b, 1);
    for (let i = 0; i < 4; i++) w.counter("iterations", a, 1);
    for (let i = 0; i < 3; i++) w.trend("http_req_duration", a, 1); // 3 × 1 ms
    w.trend("grpc_req_duration", b, 0.2); // 1 × 0.2 ms: the merged p50 is 1 ms, not an average with 0.2
    for (let i = 0; i < 8; i++) w.rate("http_req_failed", a, i < 2);
    agg.merge(w.drain());
    agg.setGauge("vus", 7);
    agg.setGauge("vus", 2, { scenario: "x" });
    const s1 = agg.snapshot(2_000); // a 2-second interval
    const avg = (3 * 1 + 0.2) / 4;
    expect(agg.timeline).toEqual([{
      elapsed_secs: 2, rps: 20, iterations_ps: 2, active_vus: 9, error_rate: 0.25,
      latency_avg: avg, latency_p50: 1, latency_p90: 1, latency_p95: 1, latency_p99: 1, requests: 40, failed: 2,
      interval_error_rate: 0.25, interval_latency_avg: avg, interval_latency_p50: 1, interval_latency_p90: 1, interval_latency_p95: 1, interval_latency_p99: 1,
    }]);
    expect(s1.interval_secs).toBe(2);

    // next second: 5 more requests, none failed, and one slow one: the interval's own error rate
    // is 0 and its p95 the slow request's, while the run-so-far values move only a little
    for (let i = 0; i < 5; i++) {
      w.counter("http_reqs", a, 1);
      w.rate("http_req_failed", a, false);
    }
    w.trend("http_req_duration", a, 40);
    agg.merge(w.drain());
    agg.snapshot(3_000);
    const p2 = agg.timeline[1]!;
    expect(p2).toMatchObject({ elapsed_secs: 3, rps: 5, iterations_ps: 0, error_rate: 2 / 13, interval_error_rate: 0, requests: 45, failed: 2 });
    expect(p2.interval_latency_p50).toBeCloseTo(40, 1);
    expect(p2.latency_p50).toBe(1);
    expect(p2.latency_p95).toBe(agg.percentile("http_req_duration", {}, 95)!); // 40 ms: 1 of 5 merged samples
  });

  test("a fast and a slow endpoint: the p95 is the merged histogram's everywhere, not an average of each name's p95", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    const fast = w.tags({ name: "fast", scenario: "s" });
    const slow = w.tags({ name: "slow", scenario: "s" });
    for (let i = 0; i < 90; i++) {
      w.counter("http_reqs", fast, 1);
      w.trend("http_req_duration", fast, 1 + (i % 10) / 100);
      w.rate("http_req_failed", fast, false);
    }
    for (let i = 0; i < 10; i++) {
      w.counter("http_reqs", slow, 1);
      w.trend("http_req_duration", slow, 25 + i / 10);
      w.rate("http_req_failed", slow, i < 3);
    }
    agg.merge(w.drain());
    agg.snapshot(1_000);
    const spec: ThresholdSpec = { ...T("http_req_duration", "p(95)<100", "p", "<", 100, 95) };
    const thresholds = evaluateThresholds([spec, T("http_req_failed", "rate<0.5", "rate", "<", 0.5)], agg, 1_000);
    const s = buildSummary({ name: null, runId: "r", startedMs: 0, scenarios: ["s"], aggregator: agg, thresholds, aborted: null, nowMs: 1_000 });
    const p95 = thresholds[0]!.observed!;
    // the 95th of 100 samples is a slow one; averaging the names' p95s (old timeline) gave ~3.4 ms
    expect(p95).toBeGreaterThan(25);
    const point = s.timeline.at(-1)!;
    expect(point.latency_p95).toBe(p95);
    expect(s.metrics.find((m) => m.metric === "http_req_duration")!.agg.p95).toBe(p95);
    expect(s.breakdown!.total.p95).toBe(p95);
    expect(progressLine(point, { elapsedSecs: 1 })).toContain(`p95  ${fmtMs(p95)}`);
    // error rate: the same everywhere too
    expect(thresholds[1]!.observed).toBe(0.03);
    expect(point.error_rate).toBe(0.03);
    expect(s.breakdown!.total.failure_rate).toBe(0.03);
    // each name keeps its own merged figures
    const byName = Object.fromEntries(s.breakdown!.names.rows.map((r) => [r.key, r]));
    expect(byName.fast).toMatchObject({ requests: 90, failures: 0, failure_rate: 0 });
    expect(byName.slow).toMatchObject({ requests: 10, failures: 3, failure_rate: 0.3 });
    expect(byName.fast!.p95).toBeLessThan(1.1);
    expect(byName.slow!.p50).toBeGreaterThan(25);
  });

  test("latency fields are omitted (not null) without request durations", () => {
    const agg = new Aggregator(0);
    agg.setGauge("vus", 1);
    agg.snapshot(1_000);
    const p = agg.timeline[0]!;
    expect(Object.keys(p)).toEqual(["elapsed_secs", "rps", "iterations_ps", "active_vus", "error_rate", "requests", "failed"]);
    expect(JSON.stringify(p)).not.toContain("latency");
  });

  test("finish appends a trailing point only when something was recorded since the last tick", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    w.counter("http_reqs", w.tags({}), 1);
    agg.merge(w.drain());
    agg.snapshot(1_000);
    agg.finish(1_500);
    expect(agg.timeline.length).toBe(1);
    w.counter("http_reqs", w.tags({}), 1);
    agg.merge(w.drain());
    agg.finish(1_800);
    expect(agg.timeline.length).toBe(2);
    expect(agg.timeline[1]!.elapsed_secs).toBe(1.8);
  });
});

describe("progress line (§3.1)", () => {
  test("vus, rps over all *_reqs, the p95 of every request duration merged, failed samples", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    for (let i = 0; i < 100; i++) w.counter("http_reqs", w.tags({}), 1);
    for (let i = 0; i < 23; i++) w.counter("grpc_reqs", w.tags({}), 1);
    for (let i = 0; i < 20; i++) w.trend("http_req_duration", w.tags({ name: "a" }), 0.5);
    for (let i = 0; i < 20; i++) w.trend("grpc_req_duration", w.tags({}), 1.5); // the merged p95: 1.5 ms
    for (let i = 0; i < 10; i++) w.rate("http_req_failed", w.tags({}), i < 3);
    agg.merge(w.drain());
    agg.setGauge("vus", 5);
    agg.snapshot(1_000);
    const point = agg.timeline.at(-1);
    expect(progressLine(point, { elapsedSecs: 65.9 })).toBe("  running 00:01:05  vus    5  rps   123.0  p95   1.50ms  failed 3   ");
    expect(progressLine(point, { elapsedSecs: 3725, paused: true })).toBe("  running 01:02:05  vus    5  rps   123.0  p95   1.50ms  failed 3 [paused]   ");
  });

  test("a sub-millisecond p95 keeps its precision (not `0ms`)", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    for (let i = 0; i < 20; i++) w.trend("http_req_duration", w.tags({}), 0.95);
    agg.merge(w.drain());
    agg.snapshot(1_000);
    expect(progressLine(agg.timeline.at(-1), { elapsedSecs: 1 })).toContain("p95    950µs");
  });

  test("before any request: zero rate and a dash for p95", () => {
    const agg = new Aggregator(0);
    agg.snapshot(0);
    expect(progressLine(agg.timeline.at(-1), { elapsedSecs: 0 })).toBe("  running 00:00:00  vus    0  rps     0.0  p95        -  failed 0   ");
    expect(progressLine(undefined, { elapsedSecs: 0 })).toBe("  running 00:00:00  vus    0  rps     0.0  p95        -  failed 0   ");
  });
});

describe("aggregator snapshots", () => {
  test("interval counts per kind roll between snapshots; cumulative aggregates do not", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    const t = w.tags({});
    w.counter("c", t, 2.7);
    w.rate("r", t, true);
    w.rate("r", t, false);
    w.trend("tr", t, 5);
    w.gauge("g", t, 3);
    agg.merge(w.drain());
    const pick = (snap: ReturnType<Aggregator["snapshot"]>) =>
      Object.fromEntries(snap.series.map((s) => [s.metric, [s.interval_count, s.interval_sum, s.agg.count]]));
    expect(pick(agg.snapshot(1_000))).toEqual({ c: [2, 2.7, 2], g: [0, 0, 1], r: [2, 2, 2], tr: [1, 1, 1] });
    w.counter("c", t, 1);
    w.trend("tr", t, 6);
    agg.merge(w.drain());
    const s2 = agg.snapshot(1_500);
    expect(s2.interval_secs).toBe(0.5);
    expect(s2.elapsed_secs).toBe(1.5);
    expect(pick(s2)).toEqual({ c: [1, 1, 3], g: [0, 0, 1], r: [0, 0, 2], tr: [1, 1, 2] });
  });

  test("setGauge records coordinator gauges with empty tags; selectors merge tag sets", () => {
    const agg = new Aggregator(0);
    agg.setGauge("vus_max", 10);
    expect(agg.snapshot(1).series[0]).toMatchObject({ metric: "vus_max", kind: "gauge", tags: {} });
    const w = new Sink();
    w.counter("http_reqs", w.tags({ status: "200" }), 3);
    w.counter("http_reqs", w.tags({ status: "500" }), 2);
    agg.merge(w.drain());
    expect(agg.aggregate("http_reqs", {}, 1_000)!.agg.sum).toBe(5);
    expect(agg.aggregate("http_reqs", { status: "500" }, 1_000)!.agg.sum).toBe(2);
    expect(agg.aggregate("http_reqs", { status: "404" }, 1_000)).toBeNull();
    expect(agg.metricNames()).toEqual(["http_reqs", "vus_max"]);
  });
});
