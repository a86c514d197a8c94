/**
 * The bound on a metric's series (src/metrics/series-limit.ts), in a worker's sink and in the
 * coordinator's aggregator: past it the noisiest tag is capped, new values aggregate under
 * `__overflow__`, nothing measured is lost, and the structures stop growing.
 */
import { describe, expect, test } from "bun:test";
import { Aggregator } from "../src/metrics/aggregator.ts";
import { buildBreakdown } from "../src/metrics/breakdown.ts";
import { OVERFLOW_VALUE, overflowWarning, SeriesLimit } from "../src/metrics/series-limit.ts";
import { Sink } from "../src/metrics/sink.ts";

/** One request as the HTTP handler records it: tags interned through the sink, three metrics. */
function request(sink: Sink, name: string, status = "200"): void {
  const t = sink.withTag(sink.tags({ scenario: "s", name }), "status", status);
  sink.counter("http_reqs", t, 1);
  sink.trend("http_req_duration", t, 5);
  sink.rate("http_req_failed", t, status !== "200");
}

const seriesOf = (agg: Aggregator, metric: string) => agg.finish(1000).series.filter((s) => s.metric === metric);

describe("series per metric are bounded", () => {
  test("a worker sink: names that never repeat stop adding series and tag sets past the bound; every sample is kept", () => {
    const sink = new Sink(undefined, 50);
    for (let i = 0; i < 5000; i++) request(sink, `/item/${i}`);
    const d = sink.drain();
    const reqs = d.series.filter((s) => s.metric === "http_reqs");
    expect(reqs.length).toBe(51); // 50 names, then one overflow series
    expect(reqs.reduce((n, s) => n + (s.kind === "counter" ? s.value : 0), 0)).toBe(5000);
    const overflow = reqs.find((s) => d.tagSets[s.tagSet]!.tags.name === OVERFLOW_VALUE)!;
    expect(overflow.kind === "counter" && overflow.value).toBe(4950);
    // the interner stopped growing too: a new name is the overflow tag set, not one more set
    const a = sink.tags({ scenario: "s", name: "/new/1" });
    expect(sink.tags({ scenario: "s", name: "/new/2" })).toBe(a);
    expect(a.tags.name).toBe(OVERFLOW_VALUE);
    expect(sink.tags({ scenario: "s", name: "/item/7" }).tags.name).toBe("/item/7"); // a name seen before the bound keeps its series
  });

  test("the aggregator: its own bound over several workers' series, one warning per capped tag, the breakdown alike", () => {
    const agg = new Aggregator(0, 100);
    for (let w = 0; w < 4; w++) {
      const sink = new Sink(undefined, 100);
      for (let i = 0; i < 1000; i++) request(sink, `/w${w}/${i}`, i % 10 === 0 ? "500" : "200");
      agg.merge(sink.drain());
    }
    const reqs = seriesOf(agg, "http_reqs");
    expect(reqs.length).toBeLessThanOrEqual(102);
    expect(reqs.reduce((n, s) => n + s.agg.sum, 0)).toBe(4000);
    expect(seriesOf(agg, "http_req_duration").reduce((n, s) => n + s.agg.count, 0)).toBe(4000);
    const warnings = agg.takeOverflows().map(overflowWarning);
    expect(warnings).toEqual([
      "metric `http_reqs` reached 100 series: its tag `name` has 100 values; new values of `name` are recorded as `name=__overflow__` (a request's `name:` groups URLs; --max-series raises the bound)",
    ]);
    expect(agg.takeOverflows()).toEqual([]);
    const b = buildBreakdown(agg, agg.finish(1000), 1);
    expect(b.names.rows.length + (b.names.other?.keys ?? 0)).toBeLessThanOrEqual(101);
    expect(b.names.rows[0]!.key).toBe(OVERFLOW_VALUE);
    expect(b.total.requests).toBe(4000);
  });

  test("two tags that never repeat: past twice the bound, one catch-all series with every value __overflow__", () => {
    const notes: string[] = [];
    const l = new SeriesLimit(10, (o) => notes.push(overflowWarning(o)));
    const seen: Record<string, string>[] = [];
    let placed: Record<string, string> = {};
    for (let i = 0; i < 100; i++) {
      placed = { ...l.place("m", { a: `a${i}`, b: `b${i}` }, () => seen) };
      if (!seen.some((t) => JSON.stringify(t) === JSON.stringify(placed))) {
        seen.push(placed);
        l.created("m");
      }
    }
    expect(seen.length).toBeLessThanOrEqual(21);
    expect(placed).toEqual({ a: OVERFLOW_VALUE, b: OVERFLOW_VALUE });
    expect(notes).toHaveLength(2);
    expect(notes[1]).toContain("metric `m` passed 20 series");
  });
});
