import { describe, expect, test } from "bun:test";
import { Aggregator } from "../src/metrics/aggregator.ts";
import type { MetricKind } from "../src/metrics/registry.ts";
import { Sink } from "../src/metrics/sink.ts";
import {
  THRESHOLD_ABORT_REASON, ThresholdMonitor, compare, evaluateThreshold, observedUnit, type ThresholdSpec,
} from "../src/metrics/thresholds.ts";

/** Start the aggregator at t=0 and read it at t=10 s, so per-second values are exact. */
const NOW = 10_000;

function spec(metric: string, agg: ThresholdSpec["agg"], op: ThresholdSpec["op"], bound: number, extra: Partial<ThresholdSpec> = {}): ThresholdSpec {
  const p = extra.p;
  const expression = `${agg === "p" ? `p(${p})` : agg}${op}${bound}`;
  return { selector: metric, metric, tags: {}, expression, agg, op, bound, abortOnFail: false, delayAbortEvalMs: 0, ...extra };
}

/** One series per kind with known contents. */
function fixture(): Aggregator {
  const sink = new Sink();
  const t = sink.tags({});
  // 0.01..1 ms: below 2048 µs HDR buckets are 1 µs wide, so percentiles are exact here
  for (let i = 1; i <= 100; i++) sink.trend("tr", t, i / 100);
  sink.counter("co", t, 30); // 30 in 10 s
  sink.counter("co", t, 20);
  for (let i = 0; i < 40; i++) sink.rate("ra", t, i < 30); // 30 of 40
  sink.gauge("ga", t, 4);
  sink.gauge("ga", t, 9);
  sink.gauge("ga", t, 6); // last 6, min 4, max 9
  const agg = new Aggregator(0);
  agg.merge(sink.drain());
  return agg;
}

describe("observed value by aggregation × kind (§1.12 table)", () => {
  const agg = fixture();
  const observed = (metric: string, a: ThresholdSpec["agg"], p?: number) =>
    evaluateThreshold(spec(metric, a, "<", 1e9, p === undefined ? {} : { p }), agg, NOW).observed;

  // [agg, p, counter, gauge, rate, trend] — null is "none"
  const table: [ThresholdSpec["agg"], number | undefined, number | null, number | null, number | null, number | null][] = [
    ["avg", undefined, null, null, null, 0.505],
    ["min", undefined, null, 4, null, 0.01],
    ["max", undefined, null, 9, null, 1],
    ["med", undefined, null, null, null, 0.5],
    ["p", 90, null, null, null, 0.9],
    ["p", 95, null, null, null, 0.95],
    ["p", 99, null, null, null, 0.99],
    ["p", 99.9, null, null, null, 1],
    ["p", 42, null, null, null, 0.42],
    ["rate", undefined, 5, null, 0.75, 10],
    ["count", undefined, 50, 1, 40, 100],
    ["value", undefined, null, 6, null, null],
  ];
  const kinds: [MetricKind, string][] = [["counter", "co"], ["gauge", "ga"], ["rate", "ra"], ["trend", "tr"]];
  for (const row of table) {
    const [a, p] = row;
    kinds.forEach(([kind, metric], k) => {
      const want = row[2 + k] as number | null;
      test(`${a === "p" ? `p(${p})` : a} on a ${kind} → ${want === null ? "none" : want}`, () => {
        const got = observed(metric, a, p);
        if (want === null) expect(got).toBeNull();
        else expect(got!).toBeCloseTo(want, 12);
      });
    });
  }

  test("none (null) passes whatever the bound", () => {
    const s = evaluateThreshold(spec("co", "avg", "<", -1), agg, NOW);
    expect(s).toEqual({ metric: "co", expression: "avg<-1", observed: null, passed: true, abort_on_fail: false, unit: "" });
  });

  test("each observed value says its unit: durations, fractions, per second, bytes, counts", () => {
    const unit = (m: string, a: ThresholdSpec["agg"], kind: MetricKind) => observedUnit({ metric: m, agg: a }, kind);
    expect([unit("http_req_duration", "p", "trend"), unit("http_req_duration", "avg", "trend"), unit("http_req_duration", "count", "trend")]).toEqual(["ms", "ms", "count"]);
    expect([unit("http_req_failed", "rate", "rate"), unit("http_reqs", "rate", "counter"), unit("http_reqs", "count", "counter")]).toEqual(["fraction", "per_second", "count"]);
    expect([unit("data_received", "count", "counter"), unit("data_sent", "rate", "counter"), unit("vus", "value", "gauge"), unit("vus", "max", "gauge")]).toEqual(["bytes", "bytes_per_second", "", ""]);
    expect(evaluateThreshold(spec("tr", "p", "<", 0.9, { p: 95 }), agg, NOW).unit).toBe("ms");
  });

  test("a metric without samples is observed null and passes", () => {
    expect(evaluateThreshold(spec("http_req_duration", "p", "<", 1, { p: 95 }), agg, NOW)).toMatchObject({ observed: null, passed: true });
  });

  test("a failing threshold reports its observed value", () => {
    expect(evaluateThreshold(spec("tr", "p", "<", 0.9, { p: 95 }), agg, NOW)).toMatchObject({ observed: 0.95, passed: false });
  });
});

describe("selectors", () => {
  test("tags select the series that contain them; no tags merge everything", () => {
    const sink = new Sink();
    for (let i = 0; i < 10; i++) {
      sink.trend("d", sink.tags({ scenario: "a", status: "200" }), 10);
      sink.trend("d", sink.tags({ scenario: "b", status: "200" }), 1000);
    }
    const agg = new Aggregator(0);
    agg.merge(sink.drain());
    const a = spec("d", "avg", "<", 100, { selector: "d{scenario:a}", tags: { scenario: "a" } });
    expect(evaluateThreshold(a, agg, NOW)).toMatchObject({ metric: "d{scenario:a}", observed: 10, passed: true });
    expect(evaluateThreshold(spec("d", "avg", "<", 100), agg, NOW)).toMatchObject({ observed: 505, passed: false });
    const none = spec("d", "avg", "<", 100, { tags: { scenario: "zzz" } });
    expect(evaluateThreshold(none, agg, NOW)).toMatchObject({ observed: null, passed: true });
  });
});

describe("operators", () => {
  test("ordering operators are strict/non-strict as written", () => {
    expect([compare("<", 1, 2), compare("<", 2, 2), compare("<=", 2, 2), compare(">", 2, 2), compare(">=", 2, 2), compare(">", 3, 2)])
      .toEqual([true, false, true, false, true, true]);
  });

  test("== and != use f64::EPSILON tolerance", () => {
    expect(compare("==", 0.1 + 0.2, 0.3)).toBe(true); // differs by 5.5e-17
    expect(compare("!=", 0.1 + 0.2, 0.3)).toBe(false);
    expect(compare("==", 1, 1 + 1e-12)).toBe(false);
    expect(compare("!=", 1, 1 + 1e-12)).toBe(true);
  });
});

describe("abort_on_fail", () => {
  function slowAgg(): Aggregator {
    const sink = new Sink();
    sink.trend("http_req_duration", sink.tags({}), 100);
    sink.trend("http_req_duration", sink.tags({}), 200);
    const agg = new Aggregator(0);
    agg.merge(sink.drain());
    return agg;
  }

  test("a failing abort threshold waits for delay_abort_eval, then aborts once", () => {
    const agg = slowAgg();
    const m = new ThresholdMonitor([
      spec("http_req_duration", "max", "<", 50, { abortOnFail: true, delayAbortEvalMs: 30_000 }),
    ]);
    expect(m.tick(agg, 5_000).abort).toBeNull(); // within the delay
    const late = m.tick(agg, 31_000);
    expect(late.abort?.reason).toBe(THRESHOLD_ABORT_REASON);
    expect(late.abort?.reason).toBe("threshold crossed (abort_on_fail)");
    expect(late.statuses[0]).toMatchObject({ passed: false, abort_on_fail: true });
    expect(m.tick(agg, 32_000).abort).toBeNull(); // sent once
  });

  test("the first failing abort threshold whose delay elapsed is the one reported", () => {
    const agg = slowAgg();
    const waiting = spec("http_req_duration", "max", "<", 50, { abortOnFail: true, delayAbortEvalMs: 60_000, expression: "waiting" });
    const passing = spec("http_req_duration", "max", "<", 500, { abortOnFail: true, expression: "passing" });
    const noAbort = spec("http_req_duration", "avg", "<", 1, { expression: "no-abort" });
    const due = spec("http_req_duration", "min", ">", 150, { abortOnFail: true, delayAbortEvalMs: 1_000, expression: "due" });
    const m = new ThresholdMonitor([waiting, passing, noAbort, due]);
    expect(m.tick(agg, 2_000).abort?.threshold.expression).toBe("due");
  });

  test("failing thresholds without abort_on_fail never abort", () => {
    const m = new ThresholdMonitor([spec("http_req_duration", "max", "<", 50)]);
    expect(m.tick(slowAgg(), 100_000).abort).toBeNull();
  });
});
