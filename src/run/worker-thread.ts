/**
 * A worker thread: runs one segment of every scenario. Its part of the run is built by the
 * worker-thread set-up (src/run/worker-setup.ts); this file speaks the coordinator's messages
 * (src/engine/messages.ts): it reports `ready`, starts on `go`, ships a metrics delta every
 * second, and `done` with the last delta at the end.
 */
import { Sink } from "../metrics/sink.ts";
import { SampleRecorder } from "../metrics/sample-recorder.ts";
import { SampleSlots } from "../metrics/sample-slots.ts";
import type { FromWorker, ToWorker } from "../engine/messages.ts";
import type { ScenarioRuntime } from "../engine/worker/scenario-runtime.ts";
import { VuCount } from "../engine/worker/live-vus.ts";
import { PauseGate } from "../engine/worker/pause.ts";
import { GcPacer } from "../engine/worker/gc-pacer.ts";
import { setUpThread, type ThreadSetUp } from "./worker-setup.ts";
import { Executor } from "../plugins/host/native/executor.ts";

declare const self: Worker;
const post = (m: FromWorker) => self.postMessage(m);
const METRICS_INTERVAL_MS = 1000;
/** live status (VUs, targets, phases) is cheap and reported more often, so the control API reads fresh values */
const STATUS_INTERVAL_MS = 200;

let start: ((setupData: string | undefined) => void) | undefined;
let runtimes: ScenarioRuntime[] = [];
/** a stop that came while the thread was still being set up: applied once its scenarios exist */
let stopped = false;
/** live VUs across this worker's scenarios, and their peak */
const vuCount = new VuCount();
const pause = new PauseGate();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "init") void init(m);
  else if (m.type === "go") start?.(m.setupData);
  else if (m.type === "stop") {
    stopped = true;
    for (const rt of runtimes) rt.softStop();
  }
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
 * `loopLagProbe` (bench/): how late a 5 ms interval fires on this worker's event loop, as the
 * trend `loadr_event_loop_lag` — the figure that shows whether plugin calls stall the VUs.
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
  const sink = new Sink(undefined, m.plan.defaults.max_series);
  // bounded: when the outputs fall behind, batches are dropped and counted (sample-slots.ts)
  if (m.sampleSlots) sink.samples = new SampleRecorder(new SampleSlots(m.sampleSlots), (batch) => post({ type: "samples", batch }));
  let thread: ThreadSetUp;
  try {
    thread = await setUpThread(m, {
      sink,
      pause,
      vuCount,
      abortTest: (reason) => post({ type: "abort", reason }),
      write: m.logTo === "main" ? (line) => post({ type: "log", line }) : undefined,
    });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
    return;
  }
  runtimes = thread.scenarios.map((s) => s.rt);
  if (stopped) for (const rt of runtimes) rt.softStop();
  await new Promise<void>((r) => {
    start = (setupData) => {
      // a scale-out part's VUs get the data its aggregator's setup() returned (read when a VU first needs it)
      if (setupData !== undefined && m.js) m.js.setupData = setupData;
      r();
    };
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
  const lagProbe = m.loopLagProbe ? probeLoopLag(sink) : undefined;
  const status = () =>
    post({ type: "status", vus: activeVus(), scenarios: runtimes.map((rt) => ({ phase: rt.phase, active: rt.vus.size, target: rt.target })) });
  const statusTicker = setInterval(status, STATUS_INTERVAL_MS);
  try {
    const running = thread.runAll();
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
    Executor.muteThisThread(); // the coordinator terminates this thread next: no plugin call may ring it after
    post({ type: "done", delta: sink.drain(), vusPeak: vuCount.peak });
  }
}
