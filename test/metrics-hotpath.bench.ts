/**
 * Hot-path benchmark (a script, not a test): `bun test/metrics-hotpath.bench.ts`.
 * Feeds 12-sample request records — the per-request emission set of reference §2.6 — into one
 * Sink on one core and prints samples/s, with and without a tags lookup per request, and the
 * cost of a drain. Latencies are drawn from a fixed pseudo-random table so the histogram sees
 * realistic spread without Math.random() in the loop.
 */
import { Sink } from "../src/metrics/sink.ts";

const TIMINGS = ["http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
  "http_req_sending", "http_req_waiting", "http_req_receiving"] as const;

const lat = new Float64Array(4096);
let seed = 12345;
for (let i = 0; i < lat.length; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  lat[i] = Math.exp((seed / 2 ** 32) * 8 - 3); // ~0.05 ms .. ~150 ms, log-spread
}

type TagMode = "cached" | "withTag" | "tags";

function run(label: string, requests: number, mode: TagMode): void {
  const sink = new Sink();
  const base = { scenario: "default", name: "GET /items", method: "GET", proto: "HTTP/1.1" };
  const baseSet = sink.tags(base);
  const sets = ["200", "404", "500", "0"].map((s) => sink.withTag(baseSet, "status", s));
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const status = (i & 63) === 0 ? 1 : 0;
    const t =
      mode === "cached" ? sets[status === 1 ? 2 : 0]!
      : mode === "withTag" ? sink.withTag(baseSet, "status", status ? "500" : "200")
      : sink.tags({ ...base, status: status ? "500" : "200" }); // a fresh tags object per request

    const d = lat[i & 4095]!;
    sink.counter("http_reqs", t, 1);
    sink.trend(TIMINGS[0], t, d);
    sink.trend(TIMINGS[1], t, d * 0.01);
    sink.trend(TIMINGS[2], t, 0);
    sink.trend(TIMINGS[3], t, 0);
    sink.trend(TIMINGS[4], t, d * 0.02);
    sink.trend(TIMINGS[5], t, d * 0.9);
    sink.trend(TIMINGS[6], t, d * 0.08);
    sink.rate("http_req_failed", t, status === 1);
    sink.counter("data_sent", t, 120);
    sink.counter("data_received", t, 900);
    sink.counter("iterations", baseSet, 1);
    if ((i & 16383) === 0) sink.drain(); // a drain now and then, as the worker does once a second
  }
  const ms = performance.now() - t0;
  const samples = requests * 12;
  const d0 = performance.now();
  const delta = sink.drain();
  const drainMs = performance.now() - d0;
  console.log(
    `${label.padEnd(34)} ${(samples / ms / 1000).toFixed(2).padStart(6)} M samples/s` +
      `  (${((ms * 1e6) / samples).toFixed(0)} ns/sample; final drain ${drainMs.toFixed(2)} ms, ${delta.series.length} series)`,
  );
}

/** Coordinator side: merging one second of deltas from `workers` sinks and taking a snapshot. */
function coordinator(workers: number, seriesPerWorker: number): void {
  const { Aggregator } = require("../src/metrics/aggregator.ts") as typeof import("../src/metrics/aggregator.ts");
  const agg = new Aggregator(0);
  const sinks = Array.from({ length: workers }, () => new Sink());
  const names = Array.from({ length: seriesPerWorker / 8 }, (_, i) => `GET /items/${i}`);
  let mergeMs = 0;
  let snapMs = 0;
  for (let second = 1; second <= 5; second++) {
    for (const sink of sinks) {
      for (let i = 0; i < 2000; i++) {
        const t = sink.tags({ scenario: "default", name: names[i % names.length]!, method: "GET", status: "200" });
        const d = lat[i & 4095]!;
        sink.counter("http_reqs", t, 1);
        for (const m of TIMINGS) sink.trend(m, t, d);
      }
    }
    const deltas = sinks.map((s) => structuredClone(s.drain()));
    const m0 = performance.now();
    for (const d of deltas) agg.merge(d);
    const s0 = performance.now();
    agg.snapshot(second * 1000);
    snapMs += performance.now() - s0;
    mergeMs += s0 - m0;
  }
  console.log(
    `coordinator: ${workers} workers × ${seriesPerWorker} series: merge ${(mergeMs / 5).toFixed(2)} ms/s, snapshot ${(snapMs / 5).toFixed(2)} ms/s`,
  );
}

const N = Number(process.argv[2] ?? 2_000_000);
run("warm-up", 200_000, "cached");
run("cached TagSets", N, "cached");
run("withTag() per request", N, "withTag");
run("tags({...}) per request", N, "tags");
coordinator(8, 400);
