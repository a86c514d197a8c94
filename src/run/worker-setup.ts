/**
 * The worker-thread set-up, one of the run's two composition roots (the other is the run session,
 * src/run/session.ts): from what the coordinator sends a worker it builds that thread's part of
 * the run — its sink and run context, its own plugin instances registered into the registries of
 * the parts they plug into (extractor and condition kinds, protocol handlers), and every
 * scenario's compiled flow. The worker entry (src/run/worker-thread.ts) runs it inside a worker;
 * the benches (bench/flow-driver.ts, bench/vu-heap.ts) and in-process tests run it on their own
 * thread, so flow semantics can be driven and profiled without workers or a built binary.
 */
import { Sink } from "../metrics/sink.ts";
import { httpClientOptions } from "../protocols/http/plan-options.ts";
import { builtinRouter } from "../protocols/builtins.ts";
import { Logger } from "../util/logger.ts";
import type { RunInputs } from "../engine/messages.ts";
import { partShare, type Segment } from "../engine/segments.ts";
import { runScenario, type ScenarioTiming } from "../engine/worker/scenario.ts";
import { ScenarioRuntime, type RunContext } from "../engine/worker/scenario-runtime.ts";
import { VuCount } from "../engine/worker/live-vus.ts";
import { SharedState } from "../engine/shared-state.ts";
import { PauseGate } from "../engine/worker/pause.ts";
import { compileSteps } from "../engine/worker/flow/compile.ts";
import { thinkTimeSampler } from "../engine/worker/flow/think-time.ts";
import { Throttle } from "../engine/worker/flow/throttle.ts";
import { FlowSharedState, flowLayout } from "../engine/flow-shared-state.ts";
import { DataFeeds } from "../engine/worker/data/feeds.ts";
import { ExtractorRegistry } from "../extract/registry.ts";
import { ConditionRegistry } from "../checks/registry.ts";
import { WasmHost } from "../plugins/host/wasm/host.ts";
import { registerWasmHooks, registerWasmKinds } from "../plugins/host/wasm/register.ts";
import type { WasmPluginSpec } from "../plugins/host/wasm/runtime.ts";
import { nativeRefs, registerProtocolPlugins } from "../plugins/host/plan-plugins.ts";
import type { PluginSpec } from "../plugins/host/resolve.ts";
import { RequestHooks } from "../pipeline/hooks.ts";
import { httpDebugHook } from "../pipeline/http-debug.ts";
import type { Vu } from "../engine/worker/vu.ts";
import { ModuleRuntime } from "../engine/worker/js/module/runtime.ts";
import { moduleHooks } from "../engine/worker/js/module/request-hooks.ts";
import { scenarioFns } from "../engine/worker/js/module/scenario-fns.ts";
import { runWideAccessor } from "../engine/worker/name-resolution.ts";
import { compileTemplate, renderTemplate } from "../plan/template.ts";

/** One thread's share of a run: the run's inputs and which segment of every scenario it runs. */
export interface ThreadInputs extends RunInputs {
  segment: Segment;
  /** the run's shared counters (absent: this thread is the whole run, a fresh one is made) */
  shared?: SharedArrayBuffer;
  /** flow-control state shared by every thread (absent: as `shared`) */
  flowShared?: SharedArrayBuffer;
}

/** What the thread's owner supplies; everything has a default for a thread that is the whole run. */
export interface ThreadHooks {
  /** the sink samples are recorded into (the worker entry gives one with its sample recorder) */
  sink?: Sink;
  /** pause/resume from the control API */
  pause?: PauseGate;
  /** the thread's live VU count across its scenarios (its peak is `vus_max`) */
  vuCount?: VuCount;
  /** `abort_test`: ask the run to stop */
  abortTest?(reason: string): void;
  /** where log lines and plugins' own output go (default stderr) */
  write?(line: string): void;
}

export interface ThreadSetUp {
  run: RunContext;
  sink: Sink;
  scenarios: { rt: ScenarioRuntime; spec: ScenarioTiming }[];
  /** Run every scenario's segment to its end. */
  runAll(): Promise<void>;
}

const toStderr = (line: string) => void process.stderr.write(line + "\n");

/**
 * A thread's run context without its scenarios and plugins: what the run session's lifecycle VU
 * (setup/teardown/handleSummary on the main thread, src/run/lifecycle.ts) runs in too.
 */
export function threadRunContext(m: Omit<ThreadInputs, "segment"> & { segment?: Segment }, hooks: ThreadHooks & { sink: Sink }): RunContext {
  const { sink } = hooks;
  const write = hooks.write ?? toStderr;
  const plan = m.plan;
  const defaults = plan.defaults;
  const flowShared = m.flowShared ? new FlowSharedState(m.flowShared, flowLayout(plan, m.scenarios)) : FlowSharedState.create(plan, m.scenarios);
  // a part of a scale-out test (segments.ts); the lifecycle VU has no segment: the whole test
  const part = m.segment?.part;
  const run: RunContext = {
    env: m.env,
    variables: m.variables,
    secrets: m.secrets,
    services: m.services,
    sink,
    shared: m.shared ? new SharedState(m.shared, part) : SharedState.create(m.scenarios.length, part),
    log: new Logger(m.logLevel, write),
    baseDir: m.baseDir,
    pause: hooks.pause ?? new PauseGate(),
    abortTest: hooks.abortTest ?? (() => {}),
    extractors: new ExtractorRegistry(),
    conditions: new ConditionRegistry(),
    flow: {
      shared: flowShared,
      data: new DataFeeds(plan, m.baseDir, flowShared, part),
      jsTimeoutMs: plan.js?.timeout ?? 10_000,
      env: Object.freeze({ ...m.env }),
      part,
    },
    protocols: builtinRouter(httpClientOptions(defaults.http, m.baseDir)),
  };
  if (m.js !== undefined) {
    const base = defaults.http.base_url;
    let baseUrl = base;
    try {
      if (base !== undefined) baseUrl = renderTemplate(compileTemplate(base), (expr) => runWideAccessor(expr)?.(run));
    } catch {
      // a value the run does not have here (the metric check runs before services start): as written
    }
    run.flow.module = ModuleRuntime.fromPlan(m.js, defaults.http, baseUrl, run.log);
  }
  return run;
}

/** Build one thread's run; a bad flow or plugin throws here, before any load, with its message. */
export async function setUpThread(m: ThreadInputs, hooks: ThreadHooks = {}): Promise<ThreadSetUp> {
  const sink = hooks.sink ?? new Sink(undefined, m.plan.defaults.max_series);
  const write = hooks.write ?? toStderr;
  const plan = m.plan;
  const defaults = plan.defaults;
  const run = threadRunContext(m, { ...hooks, sink, write });
  const flowShared = run.flow.shared;
  // this thread's plugin instances, registered before any flow compiles: WASM extractors and
  // assertions as the `plugin` kinds, protocol plugins into the router the VUs call
  const plugins = (m.plugins ?? []) as PluginSpec[];
  const wasm = plugins.filter((p): p is WasmPluginSpec => p.type === "wasm");
  const wasmHost = wasm.length > 0 ? new WasmHost(wasm, sink, run.log, write) : undefined;
  registerWasmKinds(wasmHost, run, run.log);
  await registerProtocolPlugins(run.protocols, nativeRefs(plugins), (line) => run.log.warn(line));
  // hooks are registered before any flow compiles; without one, no step runs a hook loop
  if (wasmHost) registerWasmHooks(wasmHost, () => (run.hooks ??= new RequestHooks<Vu>()));
  if (m.httpDebug) (run.hooks ??= new RequestHooks<Vu>()).add(httpDebugHook(m.httpDebug, write));
  // the module's beforeRequest/afterRequest, at priority 0, only when it exports them
  if (m.js !== undefined) for (const h of moduleHooks(m.js.exports)) (run.hooks ??= new RequestHooks<Vu>()).add(h);

  const vuCount = hooks.vuCount ?? new VuCount();
  const scenarios = m.scenarios.map((name, index) => {
    const spec = plan.scenarios[name]!;
    const rt = new ScenarioRuntime(name, index, run, { ...(defaults.tags ?? {}), ...(spec.tags ?? {}) }, vuCount);
    const think = spec.think_time ?? defaults.think_time;
    const steps = compileSteps(spec.flow ?? [], {
      rt,
      defaults: defaults.http,
      baseDir: m.baseDir,
      thinkAfter: think ? thinkTimeSampler(think) : undefined,
      throttle: spec.throttle ? new Throttle(flowShared, flowShared.layout.throttle.get(name)!, spec.throttle.requests_per_second * partShare(m.segment.part)) : undefined,
      hookNames: spec.plugins,
    }, `scenarios.${name}.flow`);
    // exec / on_start / on_stop: module functions around the flow's steps
    const fns = m.js !== undefined ? scenarioFns(rt, spec) : undefined;
    rt.steps = fns ? [...(fns.before ? [fns.before] : []), ...steps, ...(fns.after ? [fns.after] : [])] : steps;
    return { rt, spec: spec as ScenarioTiming, fns };
  });
  return {
    run,
    sink,
    scenarios,
    runAll: async () => {
      await Promise.all(
        scenarios.map(async ({ rt, spec, fns }) => {
          await runScenario(rt, spec, m.segment);
          await fns?.stop();
        }),
      );
      run.flow.module?.stop();
    },
  };
}
