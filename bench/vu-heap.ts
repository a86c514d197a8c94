/**
 * What one VU costs in the JS heap: runs the worker's scenario code in-process with N
 * constant-vus VUs that (optionally) GET a URL once, then think for 1 s, and prints the live heap
 * per VU after a full collection, by object class (a JSC heap snapshot).
 *
 *   bun bench/vu-heap.ts [vus=10000] [url]      # url: e.g. http://127.0.0.1:8080/ (nginx, echo)
 *
 * Used to find what each VU holds (docs/benchmarks.md, "memory per VU"); RSS of the whole binary
 * is the vus bench's job.
 */
import { heapStats } from "bun:jsc";
import { loadPlanText } from "../src/plan/load.ts";
import { setUpThread } from "../src/run/worker-setup.ts";

const vus = Number(process.argv[2] ?? 10_000);
const url = process.argv[3];
const loaded = loadPlanText(
  `scenarios:
  probe:
    executor: constant-vus
    vus: ${vus}
    duration: 4s
    graceful_stop: 2s
    flow:
${url ? `      - request: { method: GET, url: "${url}", timeout: 30s }\n` : ""}      - think_time: { type: constant, duration: 1s }
`,
  "vu-heap.yaml",
  process.cwd(),
);
if (!loaded.plan) throw new Error(JSON.stringify(loaded.diagnostics));
// the worker's own set-up, on this thread
const thread = await setUpThread({
  plan: loaded.plan,
  baseDir: process.cwd(),
  scenarios: ["probe"],
  env: {},
  variables: {},
  secrets: {},
  services: {},
  logLevel: "warn",
  segment: { index: 0, count: 1 },
});
const done = thread.runAll();
await Bun.sleep(2500); // every VU has made its request and is thinking
Bun.gc(true);
console.log(`${vus} VUs${url ? ` after one GET ${url}` : " (no request)"}: live heap ${(heapStats().heapSize / vus).toFixed(0)} B per VU`);
const snap = Bun.generateHeapSnapshot() as unknown as { nodes: number[]; nodeClassNames: string[] };
const by = new Map<string, { n: number; bytes: number }>();
for (let i = 0; i < snap.nodes.length; i += 4) {
  const name = snap.nodeClassNames[snap.nodes[i + 2]!]!;
  const e = by.get(name) ?? { n: 0, bytes: 0 };
  e.n++;
  e.bytes += snap.nodes[i + 1]!;
  by.set(name, e);
}
for (const [name, e] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20))
  console.log(`  ${name.padEnd(28)} ${String(e.n).padStart(8)} × ${String(Math.round(e.bytes / e.n)).padStart(5)} B = ${(e.bytes / vus).toFixed(0).padStart(5)} B/VU`);
await done;
