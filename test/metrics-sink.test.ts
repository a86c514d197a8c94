import { describe, expect, test } from "bun:test";
import { Aggregator } from "../src/metrics/aggregator.ts";
import { BUILTIN_METRICS, MetricRedefinitionError, MetricRegistry } from "../src/metrics/registry.ts";
import { Sink } from "../src/metrics/sink.ts";
import { TagInterner } from "../src/metrics/tags.ts";

/** Deterministic pseudo-random stream (LCG) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("registry", () => {
  test("built-ins carry the kinds and is-time flags of §2.6", () => {
    const r = new MetricRegistry();
    expect(r.get("http_reqs")).toMatchObject({ kind: "counter", isTime: false });
    expect(r.get("http_req_duration")).toMatchObject({ kind: "trend", isTime: true });
    expect(r.get("http_req_failed")).toMatchObject({ kind: "rate", isTime: false });
    expect(r.get("vus")).toMatchObject({ kind: "gauge", isTime: false });
    expect(r.get("checks")?.kind).toBe("rate");
    expect(r.get("plugin_call_duration")).toMatchObject({ kind: "trend", isTime: true });
    expect(r.get("plugin_errors")?.kind).toBe("counter");
    expect(r.all().length).toBe(BUILTIN_METRICS.length);
  });

  test("redefining a metric with another kind fails with the reference text", () => {
    const r = new MetricRegistry();
    r.register("orders", "counter");
    expect(r.register("orders", "counter").kind).toBe("counter");
    expect(() => r.register("orders", "trend")).toThrow(
      new MetricRedefinitionError("orders", "counter", "trend"),
    );
    expect(() => r.register("orders", "trend")).toThrow(
      "metric `orders` already registered as counter, cannot redefine as trend",
    );
  });

  test("a sink refuses a sample of the wrong kind for a known metric", () => {
    const sink = new Sink();
    const t = sink.tags({});
    expect(() => sink.counter("http_req_duration", t, 1)).toThrow(MetricRedefinitionError);
  });

  test("a sink registers unknown metrics (plugin families) with the emitter's kind", () => {
    const sink = new Sink();
    sink.counter("mongo_reqs", sink.tags({}), 1);
    expect(sink.registry.get("mongo_reqs")?.kind).toBe("counter");
  });
});

describe("tags", () => {
  test("interning the same tags in any order returns the same TagSet", () => {
    const i = new TagInterner();
    const a = i.intern({ b: "2", a: "1" });
    const b = i.intern({ a: "1", b: "2" });
    expect(a).toBe(b);
    expect(a.key).toBe('["a","1","b","2"]');
    expect(Object.keys(a.tags)).toEqual(["a", "b"]);
    expect(i.intern({ a: "1" })).not.toBe(a);
    expect(i.intern({ a: "1" }).id).not.toBe(a.id);
  });

  test("the canonical key cannot confuse values containing separators", () => {
    const i = new TagInterner();
    expect(i.intern({ a: "1,b:2" })).not.toBe(i.intern({ a: "1", b: "2" }));
  });

  test("extend adds or overrides one tag and is cached", () => {
    const i = new TagInterner();
    const base = i.intern({ name: "home", method: "GET" });
    const s200 = i.extend(base, "status", "200");
    expect(s200).toBe(i.intern({ method: "GET", name: "home", status: "200" }));
    expect(i.extend(base, "status", "200")).toBe(s200);
    expect(i.extend(base, "name", "other").tags).toEqual({ method: "GET", name: "other" });
  });
});

describe("sink → drain → merge", () => {
  type Feed = (sink: Sink, i: number) => void;
  const N = 20_000;
  const r = rng(42);
  const durations = Array.from({ length: N }, () => Math.exp(r() * 9 - 3)); // ~0.05ms .. ~400ms
  const feed: Feed = (sink, i) => {
    const t = sink.tags({ scenario: "s", status: i % 7 === 0 ? "500" : "200" });
    sink.counter("http_reqs", t, 1);
    sink.counter("data_received", t, 100 + (i % 13));
    sink.trend("http_req_duration", t, durations[i]!);
    sink.rate("http_req_failed", t, i % 7 === 0);
    sink.gauge("custom_gauge", sink.tags({}), i % 50);
  };

  function aggregate(sinks: Sink[], assign: (i: number) => number, drainEvery: number): Aggregator {
    const agg = new Aggregator(0);
    for (let i = 0; i < N; i++) {
      feed(sinks[assign(i)]!, i);
      if (i % drainEvery === drainEvery - 1) for (const s of sinks) agg.merge(structuredClone(s.drain()));
    }
    for (const s of sinks) agg.merge(structuredClone(s.drain()));
    return agg;
  }

  test("two sinks merged equal one sink fed everything (counts, sums, percentiles)", () => {
    const one = aggregate([new Sink()], () => 0, 3000);
    const two = aggregate([new Sink(), new Sink()], (i) => (i * 2654435761) % 2, 1700);
    const a = one.finish(10_000);
    const b = two.finish(10_000);
    expect(b.series.map((s) => [s.metric, s.tags])).toEqual(a.series.map((s) => [s.metric, s.tags]));
    for (let k = 0; k < a.series.length; k++) {
      const x = a.series[k]!.agg;
      const y = b.series[k]!.agg;
      expect(y.count).toBe(x.count);
      expect(y.sum).toBeCloseTo(x.sum, 6); // float sums in another order
      // histograms are added bucket by bucket, so percentiles are identical, not just close
      for (const f of ["min", "max", "med", "p90", "p95", "p99", "p999", "rate", "per_second", "last"] as const) {
        expect(y[f]).toBe(x[f]);
      }
    }
    expect(two.percentile("http_req_duration", {}, 42)).toBe(one.percentile("http_req_duration", {}, 42));
  });

  test("a gauge merged from two workers keeps the latest value and the overall min/max", async () => {
    const w1 = new Sink();
    const w2 = new Sink();
    w1.gauge("g", w1.tags({}), 5);
    w1.gauge("g", w1.tags({}), -3);
    await Bun.sleep(2);
    w2.gauge("g", w2.tags({}), 7);
    const agg = new Aggregator(0);
    agg.merge(w2.drain()); // arrival order must not matter: the later set value wins
    agg.merge(w1.drain());
    expect(agg.aggregate("g", {}, 1000)!.agg).toMatchObject({ last: 7, min: -3, max: 7, count: 1 });
  });

  test("drain returns only what changed since the previous drain and resets it", () => {
    const sink = new Sink();
    const t = sink.tags({ a: "1" });
    sink.counter("http_reqs", t, 2);
    sink.trend("http_req_duration", t, 12.5);
    const d1 = sink.drain();
    expect(d1.series.map((s) => s.kind).sort()).toEqual(["counter", "trend"]);
    expect(d1.tagSets).toEqual([{ key: '["a","1"]', tags: { a: "1" } }]);
    expect(sink.drain().series).toEqual([]);
    sink.counter("http_reqs", t, 3);
    const d3 = sink.drain();
    expect(d3.series).toEqual([{ kind: "counter", metric: "http_reqs", tagSet: 0, value: 3 }]);
  });

  test("a trend delta carries buckets and exact sum/count/min/max, never percentiles", () => {
    const sink = new Sink();
    const t = sink.tags({});
    for (const v of [1.5, 2.25, 1000.123, -4]) sink.trend("http_req_duration", t, v);
    const [d] = sink.drain().series;
    if (d?.kind !== "trend") throw new Error("expected a trend delta");
    expect({ count: d.count, sum: d.sum, min: d.min, max: d.max }).toEqual({
      count: 4, sum: 1.5 + 2.25 + 1000.123 - 4, min: -4, max: 1000.123,
    });
    expect(d.buckets).toBeInstanceOf(Float64Array);
    // 4 samples in 4 distinct slots (negative → 0 µs), as [slot index, count] pairs
    expect(d.buckets.length).toBe(8);
    expect(Object.keys(d)).not.toContain("p95");
  });

  test("a delta survives structured clone (postMessage to the coordinator)", () => {
    const sink = new Sink();
    sink.trend("http_req_duration", sink.tags({ x: "y" }), 3);
    const d = sink.drain();
    expect(structuredClone(d)).toEqual(d);
  });
});

describe("percentiles", () => {
  /** naive percentile with the reference's rank rule: sorted[max(1, ceil(q·n)) − 1] */
  function naive(sorted: number[], q: number): number {
    return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
  }

  for (const [label, gen] of [
    ["uniform 0–1000 ms", (r: () => number) => r() * 1000],
    ["log-spread 0.01 ms – 60 s", (r: () => number) => Math.exp(r() * 15.6 - 4.6)],
    ["sub-millisecond", (r: () => number) => r() * 0.9],
  ] as const) {
    test(`match a sorted-array computation within HDR 3-sig-fig precision (${label})`, () => {
      const r = rng(7);
      const values = Array.from({ length: 50_001 }, () => gen(r));
      const sink = new Sink();
      const t = sink.tags({});
      for (const v of values) sink.trend("t", t, v);
      const agg = new Aggregator(0);
      agg.merge(sink.drain());
      const a = agg.aggregate("t", {}, 1000)!.agg;
      const sorted = values.map((v) => Math.round(v * 1000) / 1000).sort((x, y) => x - y);
      const checks: [number, number | null][] = [
        [0.5, a.med], [0.9, a.p90], [0.95, a.p95], [0.99, a.p99], [0.999, a.p999],
        [0.42, agg.percentile("t", {}, 42)], [0.9999, agg.percentile("t", {}, 99.99)],
      ];
      for (const [q, got] of checks) {
        const want = naive(sorted, q);
        // HDR returns the top of the value's bucket: never below, at most 1/1000 above (+1 µs rounding)
        expect(got!).toBeGreaterThanOrEqual(want - 1e-9);
        expect(got! - want).toBeLessThanOrEqual(want * 1e-3 + 0.001);
      }
      expect(a.min).toBe(Math.min(...values));
      expect(a.max).toBe(Math.max(...values));
    });
  }
});
