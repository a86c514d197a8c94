/**
 * The summary's breakdown (schema 2): requests per scenario, group and name with the rest as
 * `other`; checks per group and request; the failure table with the first message of each kind,
 * carried from a worker's sink to the coordinator in the delta; the console's units, full mode
 * and trend statistics.
 */
import { describe, expect, test } from "bun:test";
import { Aggregator } from "../src/metrics/aggregator.ts";
import { buildBreakdown } from "../src/metrics/breakdown.ts";
import { renderConsole } from "../src/metrics/console.ts";
import { fmtBytes, fmtCount, fmtMs, fmtValue } from "../src/metrics/format.ts";
import { Sink } from "../src/metrics/sink.ts";
import { buildSummary, type Summary } from "../src/metrics/summary.ts";
import { parseTrendStats, TrendStatsError } from "../src/metrics/trend-stats.ts";

function summaryOf(agg: Aggregator, nowMs = 10_000, trendStats?: ReturnType<typeof parseTrendStats>): Summary {
  return buildSummary({ name: "b", runId: "r", startedMs: 0, scenarios: ["s"], aggregator: agg, thresholds: [], aborted: null, nowMs, trendStats });
}

/** One request as protocols/http/metrics.ts records it. */
function request(sink: Sink, tags: Record<string, string>, ms: number, failed: boolean): void {
  const t = sink.tags(tags);
  sink.counter("http_reqs", t, 1);
  sink.trend("http_req_duration", t, ms);
  sink.rate("http_req_failed", t, failed);
}

describe("breakdown by scenario, group and name", () => {
  test("rows by requests, most first; groups only for grouped requests; past the limit merged as `other`", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    for (let i = 0; i < 30; i++) request(w, { scenario: "a", name: "home", status: "200" }, 1, false);
    for (let i = 0; i < 20; i++) request(w, { scenario: "a", name: "cart", group: "::shop", status: "200" }, 10, false);
    for (let i = 0; i < 10; i++) request(w, { scenario: "b", name: "pay", group: "::shop", status: "500" }, 100, true);
    agg.merge(w.drain());
    const b = summaryOf(agg).breakdown!;
    expect(b.total).toMatchObject({ requests: 60, failures: 10, rps: 6 });
    expect(b.total.failure_rate).toBeCloseTo(1 / 6, 12);
    expect(b.scenarios.rows.map((r) => [r.key, r.requests, r.failures])).toEqual([["a", 50, 0], ["b", 10, 10]]);
    expect(b.groups.rows.map((r) => [r.key, r.requests])).toEqual([["::shop", 30]]); // `home` is in no group
    expect(b.names.rows.map((r) => [r.key, r.requests, r.failure_rate])).toEqual([["home", 30, 0], ["cart", 20, 0], ["pay", 10, 1]]);
    expect(b.names.other).toBeNull();
    const pay = b.names.rows[2]!;
    expect(pay.p50).toBeCloseTo(100, 0);
    expect(pay.rps).toBe(1);

    // the limit: the two smallest names merged, their histograms added (not averaged)
    const small = buildBreakdown(agg, agg.finish(10_000), 10, 1);
    expect(small.names.rows.map((r) => r.key)).toEqual(["home"]);
    expect(small.names.other).toMatchObject({ keys: 2, requests: 30, failures: 10 });
    expect(small.names.other!.p95).toBeCloseTo(100, 0); // 10 of the 30 merged samples are 100 ms
    expect(small.names.other!.p50).toBeCloseTo(10, 1);
  });

  test("checks per group and request (the request's name tag), with passes and fails", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    const check = (tags: Record<string, string>, ok: boolean) => w.rate("checks", w.tags({ scenario: "s", ...tags }), ok);
    for (let i = 0; i < 4; i++) check({ name: "home", check: "status is 200" }, true);
    for (let i = 0; i < 3; i++) check({ group: "::shop", name: "cart", check: "status is 200" }, i > 0);
    check({ group: "::shop", name: "cart", check: "has id" }, true);
    agg.merge(w.drain());
    const s = summaryOf(agg);
    expect(s.breakdown!.checks).toEqual([
      { group: "", name: "home", check: "status is 200", passes: 4, fails: 0 },
      { group: "::shop", name: "cart", check: "has id", passes: 1, fails: 0 },
      { group: "::shop", name: "cart", check: "status is 200", passes: 2, fails: 1 },
    ]);
    // the merged list keeps its meaning (by check name across requests)
    expect(s.checks).toEqual([{ name: "has id", passes: 1, fails: 0 }, { name: "status is 200", passes: 6, fails: 1 }]);
  });
});

describe("failure table", () => {
  test("by error_kind and status, with the first message of each kind from whichever worker saw it first", () => {
    const agg = new Aggregator(0);
    const w1 = new Sink();
    const w2 = new Sink();
    for (let i = 0; i < 7; i++) {
      request(w1, { name: "a", status: "0", error_kind: "connection_refused" }, 0.1, true);
      w1.noteError("connection_refused", `error trying to connect: connection refused (127.0.0.1:${17150 + i})`);
    }
    request(w2, { name: "a", status: "0", error_kind: "connection_refused" }, 0.1, true);
    w2.noteError("connection_refused", "error trying to connect: connection refused (127.0.0.1:9)");
    for (let i = 0; i < 3; i++) request(w2, { name: "b", status: "404" }, 1, true);
    request(w2, { name: "b", status: "200" }, 1, false);
    w2.rate("http_req_failed", w2.tags({ name: "b" }), true); // a failed assertion's extra sample
    w2.rate("http_req_failed", w2.tags({ name: "c", error: "prepare" }), true);
    w2.noteError("not_sent", "request `c`: unresolved `${vars.id}`");
    const d1 = w1.drain();
    expect(d1.errors).toEqual([{ kind: "connection_refused", message: "error trying to connect: connection refused (127.0.0.1:17150)" }]);
    expect(w1.drain().errors).toBeUndefined(); // shipped once
    agg.merge(d1);
    agg.merge(w2.drain());
    const s = summaryOf(agg);
    expect(s.breakdown!.failures).toEqual([
      { kind: "connection_refused", status: 0, count: 8, message: "error trying to connect: connection refused (127.0.0.1:17150)" },
      { kind: "status", status: 404, count: 3, message: "404 Not Found" },
      { kind: "extraction_or_assertion", status: null, count: 1, message: null },
      { kind: "not_sent", status: null, count: 1, message: "request `c`: unresolved `${vars.id}`" },
    ]);
    const text = renderConsole(s);
    expect(text).toContain(
      "\n  13 requests failed:\n" +
        "    ✗ 8 connection_refused: error trying to connect: connection refused (127.0.0.1:17150) — is the target running?\n" +
        "    ✗ 3 status 404: Not Found\n" +
        "    ✗ 1 extraction_or_assertion: an extraction or assertion failed (one extra failed sample on its request)\n" +
        "    ✗ 1 not_sent: request `c`: unresolved `${vars.id}`\n",
    );
  });

  test("no failure, no failure table", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    request(w, { name: "a", status: "200" }, 1, false);
    agg.merge(w.drain());
    const s = summaryOf(agg);
    expect(s.breakdown!.failures).toEqual([]);
    expect(renderConsole(s)).not.toContain("failed:");
  });
});

describe("console: units, full mode, trend statistics", () => {
  test("bytes in kB/MB as k6 prints them; counts with separators in prose; values by unit", () => {
    expect([fmtBytes(0), fmtBytes(9), fmtBytes(999), fmtBytes(1234), fmtBytes(2686775), fmtBytes(532245.44), fmtBytes(15e9)])
      .toEqual(["0 B", "9 B", "999 B", "1.2 kB", "2.7 MB", "532 kB", "15 GB"]);
    expect([fmtCount(2310), fmtCount(1234567), fmtCount(7)]).toEqual(["2,310", "1,234,567", "7"]);
    expect([fmtValue(59.59, "ms"), fmtValue(0.95, "ms"), fmtValue(0.0333, "fraction"), fmtValue(12.5, "per_second"), fmtValue(1400, "count"), fmtValue(2686775, "bytes"), fmtValue(null, "ms")])
      .toEqual(["59.59ms", "950µs", "3.33%", "12.50/s", "1400", "2.7 MB", "-"]);
  });

  test("a byte counter's line, an integer counter's line", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    w.counter("data_received", w.tags({}), 2686775);
    w.counter("http_reqs", w.tags({}), 1400);
    agg.merge(w.drain());
    const text = renderConsole(summaryOf(agg, 5_000));
    expect(text).toContain("  data_received.................: 2.7 MB 537 kB/s\n");
    expect(text).toContain("  http_reqs.....................: 1400   280.00/s\n");
  });

  test("full mode: requests per scenario, group and name, and checks per group and request", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    for (let i = 0; i < 4; i++) request(w, { scenario: "s", name: "home", status: "200" }, 2, false);
    for (let i = 0; i < 2; i++) request(w, { scenario: "s", name: "pay", group: "::shop", status: i === 0 ? "500" : "200" }, 20, i === 0);
    w.rate("checks", w.tags({ scenario: "s", name: "pay", group: "::shop", check: "ok" }), true);
    agg.merge(w.drain());
    const s = summaryOf(agg, 2_000);
    const compact = renderConsole(s);
    expect(compact).not.toContain("requests by");
    const full = renderConsole(s, { mode: "full" });
    const slow = fmtMs(s.breakdown!.groups.rows[0]!.p95); // 20 ms in its HDR bucket
    expect(full).toContain(
      "\n  requests by scenario:\n" +
        `    scenario  requests  failed  fail %  req/s     p50  ${"p90".padStart(slow.length)}  ${"p95".padStart(slow.length)}  ${"p99".padStart(slow.length)}\n` +
        `    s                6       1  16.67%   3.00  2.00ms  ${slow}  ${slow}  ${slow}\n`,
    );
    expect(full).toContain(`\n  requests by group:\n    group   requests  failed  fail %  req/s  ${"p50".padStart(slow.length)}`);
    expect(full).toContain(`\n    ::shop         2       1  50.00%   1.00  ${slow}  ${slow}  ${slow}  ${slow}\n`);
    expect(full).toMatch(/\n {2}requests by name:\n {4}name +requests.*\n {4}home +4 +0 +0\.00% +2\.00 .*\n {4}pay +2 +1 +50\.00% +1\.00 /);
    expect(full).toContain("\n  1 request failed:\n    ✗ 1 status 500: Internal Server Error\n");
    expect(full).toContain("\n  checks by group and request:\n    ::shop › pay\n      ✓ ok (1 / 1)\n");
  });

  test("--summary-trend-stats: the listed statistics in order, extra percentiles from the merged histogram", () => {
    const agg = new Aggregator(0);
    const w = new Sink();
    for (let i = 1; i <= 1000; i++) w.trend("http_req_duration", w.tags({ name: String(i % 3) }), i / 10);
    agg.merge(w.drain());
    const stats = parseTrendStats("min, p(99.9),p(97.5),count,max");
    const s = summaryOf(agg, 1_000, stats);
    const m = s.metrics.find((x) => x.metric === "http_req_duration")!;
    expect(Object.keys(m.percentiles!)).toEqual(["p(97.5)"]); // p(99.9) is in AggValues already
    expect(m.percentiles!["p(97.5)"]).toBeCloseTo(97.5, 1);
    const p975 = fmtMs(m.percentiles!["p(97.5)"]);
    expect(renderConsole(s, { trendStats: stats })).toContain(`http_req_duration.............: min=100µs p(99.9)=${fmtMs(m.agg.p999)} p(97.5)=${p975} count=1000 max=100.00ms\n`);
    expect(() => parseTrendStats("avg,p95")).toThrow(TrendStatsError);
    expect(() => parseTrendStats("p(101)")).toThrow("`p(101)` is not a trend statistic");
    expect(() => parseTrendStats(" , ")).toThrow("give at least one statistic");
  });
});
