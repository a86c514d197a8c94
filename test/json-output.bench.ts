// ns per point of the json output's formatting and writing, in isolation (no load): batches of
// 8192 points shaped like a plain-GET run's (11 request points with one tag set, 2 iteration
// points with another). `bun test/json-output.bench.ts [path] [k6]` (default: a file under /tmp;
// `k6`: the format: k6 lines of json-k6.ts).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SampleColumns } from "../src/metrics/sample-columns.ts";
import { jsonOutput } from "../src/outputs/json.ts";

const path = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), "json-bench-")), "points.ndjson");
const metrics = ["http_reqs", "http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending", "http_req_waiting", "http_req_receiving", "http_req_failed", "data_sent", "data_received", "iterations", "iteration_duration"];
const kinds = ["counter", "trend", "trend", "trend", "trend", "trend", "trend", "trend", "rate", "counter", "counter", "counter", "trend"] as const;
const isTime = kinds.map((k) => k === "trend");
const url = "http://127.0.0.1:35789/";
const tagSets: Record<string, string>[] = [{ method: "GET", name: url, proto: "http", scenario: "default", status: "200" }, { scenario: "default" }];
const N = 8192;
const b: SampleColumns = {
  metrics, kinds: [...kinds], isTime, tagSets,
  metric: new Int32Array(N), tags: new Int32Array(N), value: new Float64Array(N), time: new Float64Array(N), length: N,
};
let t = Date.now();
for (let i = 0; i < N; i++) {
  const m = i % 13;
  b.metric[i] = m;
  b.tags[i] = m >= 11 ? 1 : 0;
  b.value[i] = isTime[m] ? 0.05 + Math.random() * 0.5 : m === 0 || m === 11 ? 1 : m === 8 ? 0 : 100 + (i % 7);
  if (m === 0) t += 0.01;
  b.time[i] = Math.floor(t);
}
const out = jsonOutput({ path, format: process.argv[3] === "k6" ? "k6" : undefined }, { cwd: "/" } as never);
await out.start();
for (let round = 0; round < 5; round++) {
  const batches = 200;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < batches; k++) out.onSampleColumns!(b);
  const c = process.cpuUsage(c0);
  const ns = ((performance.now() - t0) * 1e6) / (batches * N);
  const cpu = ((c.user + c.system) * 1e3) / (batches * N);
  console.log(`round ${round}: ${ns.toFixed(1)} ns/point wall, ${cpu.toFixed(1)} ns/point CPU (${((c.system * 1e3) / (batches * N)).toFixed(1)} system)`);
}
out.abort!();
