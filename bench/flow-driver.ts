/**
 * The flow bench's plans run in-process on the main thread, so `bun --cpu-prof-md` sees the
 * worker's code (a profile of the binary sees only the coordinator):
 *
 *   bun --cpu-prof-md bench/flow-driver.ts URL [flow|plain|plugin|boundary|hook-noop|hook-hmac|js-yaml|js-exec|js-hook|ws] [seconds=5] [vus=50] [warm-up seconds=0]
 *
 * `ws` is the realtime bench's WebSocket plan (bench/lib/realtime-bench.ts: sessions of 100 echoed
 * 32-byte messages; URL the echo target's ws://…/ws); it counts messages (`ws_msgs_received`).
 *
 * `js-yaml` and `js-exec` are the JS module bench's pair (bench/lib/js-bench.ts: GET / and a status
 * check, as YAML and as a module `exec`); `js-hook` is `plain` with a module beforeRequest.
 *
 * `plugin` and `boundary` are the WASM bench's plans (bench/lib/wasm-bench.ts: /json with the
 * upper-boundary C example, or the built-in extractor, on every request; needs `bun run build`);
 * `hook-noop` and `hook-hmac` the hook bench's (bench/lib/hook-plans.ts: plain GET with a no-op
 * or the HMAC signing on-request hook).
 *
 * URL is a target as the flow bench uses it (nginx from bench/lib/target.ts, or the echo target),
 * without trailing slash. Prints requests/s and the process's requests per CPU-second, then each
 * thread's CPU per request (the JS thread is "bun"; JITWorker and the
 * WASM tier-up's helper compile, others collect garbage or return memory): a short run of a plan
 * with more code pays more compiling, on the same core.
 *
 * URL `stub` runs without a network: each request parses its target and builds its head as the
 * client does, then gets nginx's answer (`ok`, or the /json body) at once. What remains is the
 * engine's own cost per request, steadier on a busy machine than any run against a target. (VUs
 * that never wait on I/O yield to the timers every 20 ms: src/engine/worker/turns.ts.)
 *
 * URL `stub-turns` is `stub` with each answer given one `setImmediate` later, so the VUs take
 * turns as they do against a server (one VU at a time per event-loop turn, not 20 ms each):
 * what a plan's cost does when its VUs interleave, still without the network's noise.
 *
 * A warm-up leaves the run's first seconds out of the figures (start-up, and each VU context of
 * a module compiling and warming up its own copy of the script), as the JS module bench's steady
 * window does (bench/lib/steady-window.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeRequestPlan, checkedHttpPlan, FLOW_USERS_CSV, flowPlan, httpPlan, jsExecPlan } from "./lib/plans.ts";
import { loadJsModule } from "../src/js/load.ts";
import { loadPlanText } from "../src/plan/load.ts";
import { HttpClient, type HttpRequest } from "../src/protocols/http/client.ts";
import { parseTarget } from "../src/protocols/http/url.ts";
import { emptyTimings } from "../src/protocols/http/timings.ts";
import type { ProtocolResponse } from "../src/protocols/types.ts";
import { loadRunPlugins } from "../src/run/plugins.ts";
import { setUpThread } from "../src/run/worker-setup.ts";
import { EXTRACTORS, extractorPlan } from "./lib/wasm-bench.ts";
import { hookPlan } from "./lib/hook-plans.ts";
import { threadCpuSeconds } from "./lib/cpu.ts";
import { wsPlan } from "./lib/realtime-bench.ts";

const target = process.argv[2];
const which = process.argv[3] ?? "flow";
const seconds = Number(process.argv[4] ?? 5);
const vus = Number(process.argv[5] ?? 50);
/** seconds at the start left out of the figures (each VU's context compiling and warming up its own copy of a module) */
const warmup = Number(process.argv[6] ?? 0);
if (!target) throw new Error("usage: bun bench/flow-driver.ts URL [flow|plain|plugin|boundary] [seconds] [vus]");
const stub = target === "stub" || target === "stub-turns";
const url = stub ? "http://127.0.0.1:9" : target;
if (stub) stubClient(target === "stub-turns");
const dir = mkdtempSync(join(tmpdir(), "loadr-flow-driver-"));
const csv = join(dir, "users.csv");
writeFileSync(csv, FLOW_USERS_CSV);
const planText =
  which === "flow" ? flowPlan(url, vus, seconds, csv)
  : which === "plugin" || which === "boundary" ? extractorPlan(url, seconds, EXTRACTORS[which]).replace("vus: 20", `vus: ${vus}`)
  : which === "hook-noop" || which === "hook-hmac" ? hookPlan(join(import.meta.dir, ".."), url, vus, seconds, which === "hook-noop" ? "noop" : "hmac")
  : which === "js-yaml" ? checkedHttpPlan(url, vus, seconds)
  : which === "js-exec" ? jsExecPlan(url, vus, seconds)
  : which === "js-hook" ? beforeRequestPlan(url, vus, seconds)
  : which === "ws" ? wsPlan(url, seconds, vus)
  : httpPlan(url, vus, seconds);
const loaded = loadPlanText(planText, join(dir, "plan.yaml"), dir);
const plan = loaded.plan;
if (!plan) throw new Error(JSON.stringify(loaded.diagnostics));
const name = Object.keys(plan.scenarios)[0]!;
// the WASM bench's plans name the upper-boundary example, found in what `bun run build` made
process.env.LOADR_CACHE_DIR ??= join(dir, "cache");
const plugins = await loadRunPlugins(plan, { baseDir: dir, pluginsDir: join(import.meta.dir, "../dist/plugins") });
// the worker's own set-up, on this thread
const thread = await setUpThread({
  plan,
  baseDir: dir,
  scenarios: [name],
  env: {},
  variables: {},
  secrets: {},
  services: {},
  logLevel: "warn",
  plugins: plugins.specs,
  segment: { index: 0, count: 1 },
  js: loadJsModule(plan.js, dir),
});
const sink = thread.sink;
// count requests (messages for `ws`) where the engine records them; drain once a second as the worker does
const counted = which === "ws" ? "ws_msgs_received" : "http_reqs";
let requests = 0;
let checkFails = 0;
const counter = sink.counter.bind(sink);
sink.counter = (m, t, v) => {
  if (m === counted) requests += v;
  counter(m, t, v);
};
const rate = sink.rate.bind(sink);
sink.rate = (m, t, pass) => {
  if (m === "checks" && !pass) checkFails++;
  rate(m, t, pass);
};
const ticker = setInterval(() => sink.drain(), 1000);
let cpu0 = process.cpuUsage();
let threads0 = threadCpuSeconds();
let t0 = performance.now();
if (warmup > 0)
  setTimeout(() => {
    cpu0 = process.cpuUsage();
    threads0 = threadCpuSeconds();
    t0 = performance.now();
    requests = 0;
  }, warmup * 1000);
await thread.runAll();
clearInterval(ticker);
const secs = (performance.now() - t0) / 1000;
const c = process.cpuUsage(cpu0);
const cpu = (c.user + c.system) / 1e6;
const perThread = [...threadCpuSeconds()].map(([name, s]) => [name, ((s - (threads0.get(name) ?? 0)) * 1e6) / requests] as const).filter(([, us]) => us > 0);
console.log(`${which}: ${requests} requests in ${secs.toFixed(2)} s = ${Math.round(requests / secs)} req/s, ${Math.round(requests / cpu)} per CPU-second (user ${(c.user / requests).toFixed(2)} µs + sys ${(c.system / requests).toFixed(2)} µs per request), check fails ${checkFails}`);
console.log(`  CPU µs per request by thread: ${perThread.map(([name, us]) => `${name} ${us.toFixed(2)}`).join(", ")}`);

/** Phases as a loopback request shows them (µs to ms, varying), so histograms see spread values as in a real run. */
function realisticTimings(): ProtocolResponse["timings"] {
  const t = emptyTimings();
  t.blocked = 0.001 + Math.random() * 0.004;
  t.sending = 0.005 + Math.random() * 0.02;
  t.waiting = 0.2 + Math.random() * 1.5;
  t.receiving = 0.002 + Math.random() * 0.02;
  t.duration = t.sending + t.waiting + t.receiving;
  return t;
}

/** Replaces the client's network exchange with nginx's canned answers (see the header comment). */
function stubClient(turns: boolean): void {
  const enc = new TextEncoder();
  const json = enc.encode('{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}');
  const ok = enc.encode("ok");
  const headers = (type: string, n: number): [string, string][] => [
    ["Server", "nginx"],
    ["Date", "Sat, 05 Dec 2026 07:00:00 GMT"],
    ["Content-Type", type],
    ["Content-Length", String(n)],
    ["Connection", "keep-alive"],
  ];
  type Exchanging = { exchange(m: string, u: string, t: unknown, h: [string, string][], b: Uint8Array | null, t0: number): unknown };
  HttpClient.prototype.request = function (this: HttpClient, req: HttpRequest): Promise<ProtocolResponse> {
    const t = parseTarget(req.url);
    if (typeof t === "string") throw new Error(t);
    const ex = (this as unknown as Exchanging).exchange(req.method, req.url, t, req.headers, req.body ?? null, performance.now());
    if (typeof ex === "string") throw new Error(ex);
    const isJson = t.pathname === "/json";
    const body = (isJson ? json : ok).slice();
    const res: ProtocolResponse = {
      status: 200,
      statusText: "OK",
      headers: headers(isJson ? "application/json" : "text/plain", body.length),
      body,
      timings: realisticTimings(),
      bytesSent: 100,
      bytesReceived: 150 + body.length,
      protocolVersion: "HTTP/1.1",
      url: t.href,
    };
    return turns ? new Promise((resolve) => setImmediate(() => resolve(res))) : Promise.resolve(res);
  };
}
