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
import { Sink } from "../src/metrics/sink.ts";
import { ScenarioRuntime, type RunContext } from "../src/engine/worker/scenario-runtime.ts";
import { SharedState } from "../src/engine/shared-state.ts";
import { Logger } from "../src/util/logger.ts";
import { PauseGate } from "../src/engine/worker/pause.ts";
import { compileSteps } from "../src/engine/worker/flow/compile.ts";
import { runScenario, type ScenarioTiming } from "../src/engine/worker/scenario.ts";
import type { HttpClientOptions } from "../src/protocols/http/client.ts";
import { FlowSharedState } from "../src/engine/flow-shared-state.ts";
import { DataFeeds } from "../src/engine/worker/data/feeds.ts";
import type { Plan } from "../src/plan/schema.ts";
import { builtinRouter } from "../src/protocols/builtins.ts";

const vus = Number(process.argv[2] ?? 10_000);
const url = process.argv[3];
const http: HttpClientOptions = { keepAlive: true, compression: true, cookies: true, followRedirects: true, maxRedirects: 10, hosts: {}, tls: {} };
const plan = { scenarios: { probe: { executor: "constant-vus", flow: [] } }, defaults: {} } as unknown as Plan;
const flowShared = FlowSharedState.create(plan, ["probe"]);
const run: RunContext = {
  env: {},
  variables: {},
  secrets: {},
  services: {},
  sink: new Sink(),
  shared: SharedState.create(1),
  log: new Logger("warn"),
  baseDir: process.cwd(),
  pause: new PauseGate(),
  abortTest() {},
  flow: { shared: flowShared, data: new DataFeeds(plan, process.cwd(), flowShared), jsTimeoutMs: 10_000, env: {} },
  protocols: builtinRouter(http),
};
const rt = new ScenarioRuntime("probe", 0, run, {});
const flow: unknown[] = [{ think_time: { type: "constant", duration: 1000 } }];
if (url) flow.unshift({ request: { method: "GET", url, timeout: 30_000 } });
rt.steps = compileSteps(flow as never, { rt, defaults: { timeout: 30_000, headers: {} } as never, baseDir: process.cwd(), thinkAfter: undefined }, "probe");
const spec = { executor: "constant-vus", vus, duration: 4000, start_time: 0, graceful_stop: 2000, graceful_ramp_down: 0 } as ScenarioTiming;
const done = runScenario(rt, spec, { index: 0, count: 1 });
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
