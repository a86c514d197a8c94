/**
 * A worker thread: runs one segment of every scenario. It compiles the flows, reports `ready`,
 * starts on `go`, ships a metrics delta every second, and `done` with the last delta at the end.
 */
import { Sink } from "../metrics/sink.ts";
import { SampleRecorder } from "../metrics/sample-recorder.ts";
import { SampleSlots } from "../metrics/sample-slots.ts";
import { httpClientOptions } from "../protocols/http/plan-options.ts";
import { Logger } from "../util/logger.ts";
import type { FromWorker, ToWorker } from "../engine/messages.ts";
import { runScenario } from "../engine/worker/scenario.ts";
import { ScenarioRuntime, type RunContext } from "../engine/worker/scenario-runtime.ts";
import { VuCount } from "../engine/worker/live-vus.ts";
import { SharedState } from "../engine/shared-state.ts";
import { PauseGate } from "../engine/worker/pause.ts";
import { GcPacer } from "../engine/worker/gc-pacer.ts";
import { compileSteps } from "../engine/worker/flow/compile.ts";
import { thinkTimeSampler } from "../engine/worker/flow/think-time.ts";
import { WasmHost } from "../plugins/host/wasm/host.ts";
import { nativeRefs, registerProtocolPlugins } from "../plugins/host/plan-plugins.ts";
import { builtinRouter } from "../protocols/builtins.ts";
import { Throttle } from "../engine/worker/flow/throttle.ts";
import { FlowSharedState, flowLayout } from "../engine/flow-shared-state.ts";
import { DataFeeds } from "../engine/worker/data/feeds.ts";
import type { FlowRuntime } from "../engine/worker/flow/runtime.ts";

declare const self: Worker;
const post = (m: FromWorker) => self.postMessage(m);
const METRICS_INTERVAL_MS = 1000;
/** live status (VUs, targets, phases) is cheap and reported more often, so the control API reads fresh values */
const STATUS_INTERVAL_MS = 200;

let start: (() => void) | undefined;
const runtimes: ScenarioRuntime[] = [];
/** live VUs across this worker's scenarios, and their peak */
const vuCount = new VuCount();
const pause = new PauseGate();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "init") void init(m);
  else if (m.type === "go") start?.();
  else if (m.type === "stop") for (const rt of runtimes) rt.softStop();
  else if (m.type === "pause") pause.pause();
  else if (m.type === "resume") pause.resume();
  else if (m.type === "scale") {
    const rt = runtimes.find((r) => r.name === m.scenario);
    if (rt) {
      rt.requestedVus = m.vus;
      rt.onScale?.(m.vus);
    }
  }
};

/**
 * LOADR_LOOP_LAG_PROBE=1 (bench/): how late a 5 ms interval fires on this worker's event loop,
 * as the trend `loadr_event_loop_lag` — the figure that shows whether plugin calls stall the VUs.
 */
function probeLoopLag(sink: Sink): ReturnType<typeof setInterval> {
  const tags = sink.tags({});
  let last = performance.now();
  return setInterval(() => {
    const now = performance.now();
    sink.trend("loadr_event_loop_lag", tags, Math.max(0, now - last - 5));
    last = now;
  }, 5);
}

async function init(m: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const sink = new Sink();
  // bounded: when the outputs fall behind, batches are dropped and counted (sample-slots.ts)
  if (m.sampleSlots) sink.samples = new SampleRecorder(new SampleSlots(m.sampleSlots), (batch) => post({ type: "samples", batch }));
  const run: RunContext = {
    env: m.env,
    variables: m.variables,
    secrets: m.secrets,
    services: m.services,
    sink,
    shared: new SharedState(m.shared),
    log: new Logger(m.logLevel),
    baseDir: m.baseDir,
    pause,
    abortTest: (reason) => post({ type: "abort", reason }),
    flow: undefined as unknown as FlowRuntime, // set below, with the data feeds
    protocols: undefined as unknown as RunContext["protocols"], // set below, once the HTTP options are known
  };
  const plan = m.plan;
  const defaults = plan.defaults;
  let scenarios: { rt: ScenarioRuntime; spec: any }[];
  try {
    const wasm = (m.plugins ?? []).filter((p) => p.type === "wasm");
    if (wasm.length > 0) run.plugins = new WasmHost(wasm, sink, run.log);
    // protocol plugins load in every worker (the VUs call them here) before any flow compiles
    run.protocols = builtinRouter(httpClientOptions(defaults.http, m.baseDir));
    await registerProtocolPlugins(run.protocols, nativeRefs(m.plugins ?? []));
    const flowShared = new FlowSharedState(m.flowShared, flowLayout(plan, m.scenarios));
    run.flow = {
      shared: flowShared,
      data: new DataFeeds(plan, m.baseDir, flowShared),
      jsTimeoutMs: plan.js?.timeout ?? 10_000,
      env: Object.freeze({ ...m.env }),
    };
    scenarios = m.scenarios.map((name, index) => {
      const spec = plan.scenarios[name]!;
      const rt = new ScenarioRuntime(name, index, run, { ...(defaults.tags ?? {}), ...(spec.tags ?? {}) }, vuCount);
      const think = spec.think_time ?? defaults.think_time;
      rt.steps = compileSteps(spec.flow ?? [], {
        rt,
        defaults: defaults.http,
        baseDir: m.baseDir,
        thinkAfter: think ? thinkTimeSampler(think) : undefined,
        throttle: spec.throttle ? new Throttle(flowShared, flowShared.layout.throttle.get(name)!, spec.throttle.requests_per_second) : undefined,
      }, `scenarios.${name}.flow`);
      runtimes.push(rt);
      return { rt, spec };
    });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
    return;
  }
  await new Promise<void>((r) => {
    start = r;
    post({ type: "ready" });
  });

  const activeVus = () => runtimes.reduce((n, rt) => n + rt.vus.size, 0);
  const gc = new GcPacer();
  const report = () => {
    sink.samples?.flush();
    const vus = activeVus();
    post({ type: "metrics", delta: sink.drain(), vus });
    gc.check(vus);
  };
  const ticker = setInterval(report, METRICS_INTERVAL_MS);
  const lagProbe = m.env.LOADR_LOOP_LAG_PROBE ? probeLoopLag(sink) : undefined;
  const status = () =>
    post({ type: "status", vus: activeVus(), scenarios: runtimes.map((rt) => ({ phase: rt.phase, active: rt.vus.size, target: rt.target })) });
  const statusTicker = setInterval(status, STATUS_INTERVAL_MS);
  try {
    const running = Promise.all(scenarios.map(({ rt, spec }) => runScenario(rt, spec, m.segment)));
    // one early report once the VUs exist, so the coordinator's first tick sees them (vus/vus_max)
    setTimeout(report, 50);
    await running;
  } catch (e) {
    // a bug in loadr or a plugin, not a failed request: the run ends and says so (exit 1)
    post({ type: "error", message: (e as Error).message });
  } finally {
    clearInterval(ticker);
    sink.samples?.finish();
    if (lagProbe) clearInterval(lagProbe);
    clearInterval(statusTicker);
    status();
    post({ type: "done", delta: sink.drain(), vusPeak: vuCount.peak });
  }
}
