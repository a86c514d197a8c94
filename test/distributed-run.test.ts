/**
 * The scale-out proof (issue 25, docs/distributed.md): local processes on loopback stand in for
 * pods — `loadr aggregate` plus N `loadr run --segment i/N --join` through the built binary.
 * One part against four: equal counts, the same verdicts; the aggregator's percentiles equal to
 * the merge of what the parts sent, bit for bit; an abort_on_fail breach on the merged data
 * stops every part; a part killed mid-run is reported and the rest finishes.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { decodeDelta } from "../src/distributed/wire.ts";
import { TREND_SCALE } from "../src/metrics/hdr.ts";
import { valueFromIndex } from "../src/metrics/hdr-layout.ts";
import { libraryHistogram, libraryQuantiles } from "./support/hdr-oracle.ts";
import { summaryQueries } from "./support/run-plan.ts";
import { scaleOut, startRelay, until } from "./support/scale-out.ts";

setDefaultTimeout(60_000);

const ROWS = Array.from({ length: 30 }, (_, i) => `      - { id: r${i} }`).join("\n");

/** Every iteration-bounded executor, a time-bounded arrival rate and a shared data source. */
const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
data:
  rows:
    type: inline
    on_eof: stop
    rows:
${ROWS}
scenarios:
  per_vu:
    executor: per-vu-iterations
    vus: 6
    iterations: 7
    flow: [{ request: { url: /per-vu, name: per_vu } }]
  shared:
    executor: shared-iterations
    vus: 5
    iterations: 103
    flow: [{ request: { url: /shared, name: shared } }]
  rate:
    executor: constant-arrival-rate
    rate: 50
    duration: 2s
    pre_allocated_vus: 4
    max_vus: 20
    flow: [{ request: { url: /rate, name: rate } }]
  feed:
    executor: per-vu-iterations
    vus: 4
    iterations: 20
    flow: [{ request: { url: "/feed?id=\${data.rows.id}", name: "\${data.rows.id}" } }]
thresholds:
  http_req_duration: ["p(99)<10000"]
  "http_reqs{scenario:shared}": ["count==103"]
  http_reqs: ["count<100"]
`;

const counts = (summary: any) => {
  const q = summaryQueries(summary);
  return {
    per_vu: q.sum("iterations", { scenario: "per_vu" }),
    shared: q.sum("iterations", { scenario: "shared" }),
    rate: q.sum("iterations", { scenario: "rate" }),
    dropped: q.sum("dropped_iterations"),
    feed: q.sum("http_reqs", { scenario: "feed" }),
  };
};

const verdicts = (summary: any) => summary.thresholds.map((t: any) => [t.metric ?? t.threshold, t.passed]);

/** The trend buckets of `metric` in every batch the parts sent (a batch once: a resent one counts once at the aggregator too). */
function sentBuckets(frames: { conn: number; text: string }[], metric: string) {
  const seen = new Set<string>();
  const out: { buckets: Float64Array; count: number; min: number; max: number }[] = [];
  for (const { conn, text } of frames) {
    const m = JSON.parse(text);
    if (m.t !== "batch" || seen.has(`${conn}:${m.seq}`)) continue;
    seen.add(`${conn}:${m.seq}`);
    for (const d of m.deltas.map(decodeDelta))
      for (const s of d.series)
        if (s.kind === "trend" && s.metric === metric) out.push(s);
  }
  return out;
}

describe("scale-out on loopback", () => {
  test("1 part and 4 parts: equal counts and verdicts; the aggregator's percentiles are the merge of the parts' histograms, bit for bit", async () => {
    const one = await scaleOut({ plan: PLAN, parts: 1 });
    let upstream = 0;
    const relay = startRelay(() => upstream);
    const four = await scaleOut({
      plan: PLAN,
      parts: 4,
      joinPort: (agg) => ((upstream = agg), relay.port),
    });
    relay.stop();

    for (const r of [one, four]) {
      expect(r.agg.stderr).not.toContain("error:");
      expect(r.agg.code).toBe(99); // `http_reqs count<100` fails in both
      for (const p of r.parts) expect(p.code).toBe(0);
    }
    const c1 = counts(one.agg.summary);
    const c4 = counts(four.agg.summary);
    // iteration-bounded executors: exact; every row of the shared source once across the parts
    expect(c1).toMatchObject({ per_vu: 42, shared: 103, feed: 30 });
    expect(c4).toMatchObject({ per_vu: 42, shared: 103, feed: 30 });
    const rows = summaryQueries(four.agg.summary).series("http_reqs", { scenario: "feed" });
    expect(new Set(rows.map((s) => s.tags.name)).size).toBe(30);
    expect(rows.every((s) => s.agg.sum === 1)).toBe(true);
    // the arrival schedule: 100 arrivals over 2 s, started or dropped (±1 %)
    for (const c of [c1, c4]) expect(Math.abs(c.rate + c.dropped - 100)).toBeLessThanOrEqual(1);
    expect(verdicts(four.agg.summary)).toEqual(verdicts(one.agg.summary));
    expect(verdicts(four.agg.summary).map((v: any) => v[1])).toEqual([true, true, false]);
    // each part's samples carry its instance tag, and each part ran its share only
    const byPart = [1, 2, 3, 4].map((i) => summaryQueries(four.agg.summary).sum("iterations", { instance: `${i}/4`, scenario: "per_vu" }));
    expect(byPart).toEqual([14, 14, 7, 7]); // VUs 6 → 2,2,1,1, 7 iterations each
    // the aggregator's percentiles against the parts' own buckets merged here
    const sent = sentBuckets(relay.fromParts, "http_req_duration");
    const h = libraryHistogram();
    for (const s of sent) for (let j = s.buckets.length - 2; j >= 0; j -= 2) h.recordValueWithCount(valueFromIndex(s.buckets[j]!), s.buckets[j + 1]!);
    const trend = four.agg.summary.metrics.find((m: any) => m.metric === "http_req_duration").agg;
    const qs = libraryQuantiles(h, [0.5, 0.9, 0.95, 0.99, 0.999]).map((v) => v / TREND_SCALE);
    expect([trend.med, trend.p90, trend.p95, trend.p99, trend.p999]).toEqual(qs);
    expect(trend.count).toBe(sent.reduce((n, s) => n + s.count, 0));
    expect(trend.min).toBe(Math.min(...sent.map((s) => s.min)));
    expect(trend.max).toBe(Math.max(...sent.map((s) => s.max)));
    expect(trend.count).toBe(summaryQueries(four.agg.summary).sum("http_reqs"));
  });

  test("an abort_on_fail threshold breached by the merged data stops every part", async () => {
    // parts evaluate no threshold: the aggregator's, on the merged data, must stop them
    const plan = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: constant-vus
    vus: 4
    duration: 30s
    flow:
      - request: { url: /status/500, name: req }
      - think_time: { type: constant, duration: 50ms }
thresholds:
  http_req_failed: [{ threshold: "rate<0.2", abort_on_fail: true }]
`;
    const t0 = Date.now();
    const r = await scaleOut({ plan, parts: 2 });
    const secs = (Date.now() - t0) / 1000;
    expect(r.agg.code).toBe(99);
    expect(r.agg.summary.aborted).toContain("abort_on_fail");
    expect(r.agg.summary.thresholds[0]).toMatchObject({ metric: "http_req_failed", passed: false });
    for (const p of r.parts) {
      expect(p.code).toBe(0);
      expect(p.summary.aborted).toContain("abort_on_fail");
      expect(p.summary.duration_secs).toBeLessThan(15);
    }
    expect(secs).toBeLessThan(25);
  });

  test("a part killed mid-run is reported (which, when, what it had sent) and the rest finishes under --on-part-loss continue", async () => {
    const plan = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: constant-vus
    vus: 3
    duration: 4s
    flow:
      - request: { url: /x, name: req }
      - think_time: { type: constant, duration: 20ms }
`;
    const apiPort = 20000 + Math.floor(Math.random() * 20000);
    const r = await scaleOut({
      plan,
      parts: 3,
      aggArgs: ["--part-timeout", "1s", "--api", `127.0.0.1:${apiPort}`],
      during: async ({ parts }) => {
        const status = async () => (await fetch(`http://127.0.0.1:${apiPort}/v1/status`).catch(() => undefined))?.json().catch(() => undefined);
        await until(async () => {
          const s: any = await status();
          return s?.state === "running" && s.parts.every((p: any) => p.requests > 0);
        }, 20_000, "every part running and reporting");
        parts[1]!.proc.kill("SIGKILL");
      },
    });
    expect(r.agg.code).toBe(0);
    expect(r.agg.stderr).toMatch(/part 2\/3 \(2\/3 on .+\) was lost \d+\.\d s into the test: nothing came from it for 1 s \(its connection closed\); it had sent \d+ batch(es)? \(\d+ requests\), which count/);
    expect(r.parts[0]!.code).toBe(0);
    expect(r.parts[2]!.code).toBe(0);
    const q = summaryQueries(r.agg.summary);
    expect(q.sum("http_reqs", { instance: "1/3" })).toBeGreaterThan(0);
    expect(q.sum("http_reqs", { instance: "3/3" })).toBeGreaterThan(0);
    expect(q.sum("http_reqs", { instance: "2/3" })).toBeGreaterThan(0); // what it sent before it died counts
    // the survivors ran to the end of the schedule
    expect(r.parts[0]!.summary.duration_secs).toBeGreaterThan(3.5);
  });
});
