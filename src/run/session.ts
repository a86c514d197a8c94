/**
 * The run session, the main thread's composition root (the other is the worker-thread set-up,
 * src/run/worker-setup.ts): plan → plugins → services → outputs → coordinator → faces (live
 * dashboard, control API; the report files at the end). Each part is registered on ONE disposer
 * stack right after it starts, so close() tears down once, newest first, on every exit path —
 * success, a failed threshold, an error, an abort, a signal.
 *
 * It prints nothing and installs no signal handlers: the CLI (src/cli/run.ts) and the
 * programmatic API (src/api.ts) say what to show and call stop()/kill() themselves.
 *
 * The coordinator is built before the faces so they bind to it directly (it does nothing until
 * run()); it is started last. In a scale-out test (src/run/scale-out.ts) a part joins its
 * aggregator first, and the aggregator has an AggregateRun in the coordinator's place.
 */
import { Run, RunError } from "../engine/coordinator/coordinator.ts";
import type { MetricsFeed } from "../engine/coordinator/metrics-feed.ts";
import type { Summary } from "../metrics/summary.ts";
import type { TrendStat } from "../metrics/index.ts";
import { buildOutputs, impliedPluginOutputs } from "../outputs/setup.ts";
import { parseOutputFlag } from "../outputs/spec.ts";
import { OutputStartError, type OutputSet } from "../outputs/output-set.ts";
import type { ControlServer } from "../control/server.ts";
import type { UiServer } from "../ui/server.ts";
import type { LogLevel } from "../util/logger.ts";
import { Disposers } from "./disposers.ts";
import { RunSetupError } from "./errors.ts";
import { writeExports, type ExportOutcome, type ExportPaths } from "./exports.ts";
import { loadRunPlugins } from "./plugins.ts";
import { defaultMemoryLimit, guardMemory } from "./memory-guard.ts";
import { refuseUnservedRequests } from "./unserved-requests.ts";
import { checkThresholdMetrics } from "./metric-check.ts";
import type { PreparedRun } from "./prepare.ts";
import { workerEntryUrl } from "./worker-url.ts";
import { runOutline, type RunOutline } from "./outline.ts";
import type { Controllable } from "../control/handler.ts";
import type { PartLink } from "../distributed/part-link.ts";
import { AGGREGATOR_INSTANCE, joinAggregator, obey, openAggregate, outputsHere, partStatus, partWiring, servicesHere, type ScaleOut } from "./scale-out.ts";

/** What drives the load: the coordinator, or a scale-out aggregator's AggregateRun. */
type Driver = Controllable & Pick<Run, "feed" | "execute" | "kill" | "isPaused" | "scenarioVus"> & { joinUrl?: string };
import { Lifecycle, LifecycleError } from "./lifecycle.ts";
import { moduleMetrics } from "./js-module.ts";
import { customSummary, type CustomSummary } from "./custom-summary.ts";

export interface SessionOptions {
  run: PreparedRun;
  /** worker threads (at most one per VU is used) */
  workers: number;
  logLevel: LogLevel;
  /** where `plugins:` entries without a path are found */
  pluginsDir: string;
  /** `--output kind=value` specs, after the plan's `outputs:` */
  outputFlags?: readonly string[];
  /** serve the live dashboard here */
  ui?: { bind: string };
  /** serve the control API here (`host:port`) */
  api?: string;
  /** report files written after the run */
  exports?: ExportPaths;
  /** the statistics of the summary's trend lines (`--summary-trend-stats`); default the summary's own */
  trendStats?: readonly TrendStat[];
  /** an output's problem while running, and the outputs' end-of-run notes: one line each */
  warn(line: string): void;
  /** how a scale-out test goes: a part joined, left, resumed (src/run/scale-out.ts); absent: not shown */
  info?(line: string): void;
  /** plugin loading details (debug level) */
  debug?(line: string): void;
  /** workers' log lines; absent: workers write them to stderr themselves */
  onLog?(line: string): void;
  /** once a second, after the outputs and the dashboard got the tick (the CLI's progress line) */
  onTick?(feed: MetricsFeed, paused: boolean): void;
  /**
   * the summary, before the outputs finish and the report files are written (the CLI prints it);
   * `custom`: what the module's handleSummary() returned for stdout, shown instead of the console summary
   */
  onSummary?(summary: Summary, custom?: CustomSummary): void;
  /** bench/: sample each worker's event-loop lag (`loadr_event_loop_lag`) */
  loopLagProbe?: boolean;
  /** bytes the process may use before the run is stopped (src/run/memory-guard.ts); 0: no bound; default a share of the machine's */
  maxMemory?: number;
  /** `--http-debug`: every request and response printed by the workers (heads; `full`: bodies too) */
  httpDebug?: "headers" | "full";
  /** one part of a scale-out test, or its aggregator (src/run/scale-out.ts) */
  scaleOut?: ScaleOut;
}

export interface RunResult {
  summary: Summary;
  /** why the run stopped early (signal, control API, abort_on_fail, abort_test), else undefined */
  aborted?: string;
  /** a worker failed after the load started; the summary holds what was measured until then */
  error?: string;
  /** 0: every threshold passed; 99: a threshold failed or the run was aborted */
  exitCode: 0 | 99;
  exports: ExportOutcome;
}

export class RunSession {
  /** the load is going (the coordinator's workers may be alive) */
  private running = false;
  /** the outputs got their summary: nothing left to abort */
  private outputsDone = false;

  private constructor(
    private readonly o: SessionOptions,
    private readonly disposers: Disposers,
    private readonly coordinator: Driver,
    private readonly outputs: OutputSet,
    /** the live dashboard, when asked for */
    readonly ui: UiServer | undefined,
    /** the control API server, when asked for */
    readonly api: ControlServer | undefined,
    private readonly tickUi: ((feed: MetricsFeed) => void) | undefined,
    /** what the run is about to do, for the start banner */
    readonly outline: RunOutline,
    /** a part's line to its aggregator */
    private readonly link: PartLink | undefined,
    /** the `js:` module's setup/teardown/handleSummary, when the plan has a module */
    private readonly lifecycle: Lifecycle | undefined,
  ) {}

  /** Start everything up to the coordinator; a part that fails undoes what started before it. */
  static async open(o: SessionOptions): Promise<RunSession> {
    const { plan, baseDir } = o.run;
    const role = o.scaleOut;
    const d = new Disposers();
    try {
      const plugins = await loadRunPlugins(plan, { baseDir, pluginsDir: o.pluginsDir, debug: o.debug, warn: o.warn, env: o.run.env });
      refuseUnservedRequests(o.run, plugins.protocols, o.warn);
      // the custom metrics the module declares: its init code runs once here (an exception in it ends the run now)
      let jsMetrics: ReturnType<typeof moduleMetrics> | undefined;
      if (o.run.js) {
        try {
          jsMetrics = moduleMetrics(o.run, o.run.js);
        } catch (e) {
          throw e instanceof LifecycleError ? new RunSetupError(`js module: ${e.message}`) : e;
        }
      }
      const wasm = plugins.specs.filter((s) => s.type === "wasm");
      const declared = wasm.map((s) => ({ entry: s.name, metrics: s.metrics }));
      const thresholds = checkThresholdMetrics(o.run, { protocols: plugins.protocols, wasm: wasm.length > 0, declared, jsMetrics }, o.warn);
      let outputs: OutputSet;
      try {
        // built (and their specs checked) before any service starts; started after
        outputs = await buildOutputs({
          planOutputs: plan.outputs ?? [],
          flags: o.outputFlags ?? [],
          env: o.run.env,
          warn: o.warn,
          registry: plugins.outputs,
          pluginOutputs: plugins.pluginOutputs,
          keep: outputsHere(role?.role),
        });
      } catch (e) {
        throw new RunSetupError((e as Error).message);
      }
      // an aggregator sends no load: the plan's services (targets) run on the parts (and for its module's setup/teardown)
      const services = await plugins.services.startAll(servicesHere(o.run, role?.role, plan.plugins ?? [])).catch((e: Error) => {
        throw new RunSetupError(e.message);
      });
      d.defer(() => services.stopAll());
      await outputs.start().catch((e: Error) => {
        throw new RunSetupError(e instanceof OutputStartError ? e.message : `output: ${e.message}`);
      });
      const write = o.onLog ?? ((line: string) => void process.stderr.write(line + "\n"));
      // a joined part runs no setup/teardown/handleSummary: the aggregator's, once, are the test's
      const joinedPart = role?.role === "part" && role.join !== undefined;
      const tags = role?.role === "aggregate" ? { instance: AGGREGATOR_INSTANCE } : undefined;
      const lifecycle = o.run.js && !joinedPart ? new Lifecycle(o.run, o.run.js, { services: services.info, logLevel: o.logLevel, write, tags }) : undefined;
      if (lifecycle) d.defer(() => lifecycle.close());
      let session: RunSession | undefined;
      // outputs that never got their summary release their servers, sockets and files
      d.defer(() => {
        if (!session?.outputsDone) outputs.abort();
      });

      let link: PartLink | undefined;
      let coordinator: Driver;
      if (role?.role === "aggregate") {
        const setup = lifecycle && (() => setUpModule(lifecycle));
        const agg = openAggregate(o.run, role, thresholds, { onTick: (feed) => session?.tick(feed), say: o.info ?? (() => {}), warn: o.warn, setup });
        d.defer(() => agg.hub.stop());
        coordinator = agg;
      } else {
        if (role?.role === "part" && role.join !== undefined) {
          const joined = (link = await joinAggregator(o.run, { ...role, join: role.join }, o.info ?? (() => {})));
          d.defer(() => joined.close());
        }
        const run = new Run({
          workerUrl: workerEntryUrl(),
          plan,
          baseDir,
          scenarios: o.run.scenarios,
          env: o.run.env,
          variables: o.run.variables,
          secrets: o.run.secrets,
          services: services.info,
          plugins: plugins.specs,
          logLevel: o.logLevel,
          logTo: o.onLog ? "main" : "stderr",
          onLog: o.onLog,
          loopLagProbe: o.loopLagProbe,
          httpDebug: o.httpDebug,
          js: o.run.js,
          workers: o.workers,
          thresholds,
          onTick: (feed) => session?.tick(feed),
          samples: outputs.wantsSamples,
          onSamples: (batch) => outputs.samples(batch),
          ...(role?.role === "part" && partWiring(o.run, role, link)),
        });
        if (link) obey(link, run);
        coordinator = run;
      }
      // workers still running when the session closes (an error, a signal) are stopped at once
      d.defer(() => {
        if (session?.running) coordinator.kill();
      });

      // the faces are loaded only when asked for (the programmatic API never does)
      let ui: UiServer | undefined;
      let tickUi: ((feed: MetricsFeed) => void) | undefined;
      if (o.ui) {
        const [{ UiServer }, { liveTick }, { controlHandler }] = await Promise.all([import("../ui/server.ts"), import("../ui/live-tick.ts"), import("../control/handler.ts")]);
        try {
          // the dashboard's pause/resume/stop buttons speak the control API of the run
          ui = new UiServer({ bind: o.ui.bind, name: plan.name ?? "loadr test", scenarios: o.run.scenarios, control: controlHandler(coordinator) });
        } catch (e) {
          const msg = (e as Error).message;
          throw new RunSetupError(msg.startsWith("--ui-bind") ? msg : `--ui-bind: ${msg}`);
        }
        const served = ui;
        d.defer(() => served.stop());
        tickUi = (feed) => {
          const t = liveTick(feed, coordinator.scenarioVus());
          if (t) served.tick(t);
        };
      }
      let api: ControlServer | undefined;
      if (o.api !== undefined) {
        const { startControlServer } = await import("../control/server.ts");
        try {
          api = startControlServer(o.api, coordinator);
        } catch (e) {
          throw new RunSetupError(`--api: ${(e as Error).message}`);
        }
        const served = api;
        d.defer(() => served.stop());
      }
      const outputSpecs = [...impliedPluginOutputs(plan.outputs ?? [], plugins.pluginOutputs), ...(plan.outputs ?? []), ...(o.outputFlags ?? []).map(parseOutputFlag)];
      session = new RunSession(o, d, coordinator, outputs, ui, api, tickUi, runOutline(o.run, outputSpecs, o.exports), link, lifecycle);
      return session;
    } catch (e) {
      await d.close();
      throw e;
    }
  }

  /** Graceful stop: no new iterations, in-flight ones get their graceful_stop; the run still ends with its summary. */
  stop(reason: string): void {
    this.coordinator.stop(reason);
  }

  /** Hard stop: terminate the workers now (what they measured since their last report is lost). */
  kill(): void {
    this.coordinator.kill();
  }

  get paused(): boolean {
    return this.coordinator.isPaused;
  }

  /** a scale-out aggregator: where its parts join */
  get aggregatorUrl(): string | undefined {
    return this.coordinator.joinUrl;
  }

  /**
   * Drive the load to its end, then: the summary (onSummary), the outputs' finish, the
   * dashboard's final state, the report files. Workers that fail to start are a RunSetupError.
   */
  async run(): Promise<RunResult> {
    const { o, coordinator, lifecycle } = this;
    // setup() once, before any VU: its data goes to every worker with the module; a failure ends the run here (exit 1).
    // An aggregator runs it at its start barrier instead (its data goes to the parts with the start).
    if (lifecycle && o.scaleOut?.role !== "aggregate") await setUpModule(lifecycle);
    this.running = true;
    const unguard = guardMemory(o.maxMemory ?? defaultMemoryLimit(), coordinator);
    const { aborted, error } = await coordinator
      .execute()
      .catch((e: Error) => {
        throw e instanceof RunError ? new RunSetupError(e.message) : e;
      })
      .finally(() => {
        this.running = false;
        unguard();
      });
    // a part's last second goes to the aggregator before anything else (its verdict waits for it)
    const undelivered = await this.link?.finish(partStatus(coordinator.status(), coordinator.feed)).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (lifecycle) {
      // teardown() after the last VU, also after an abort; a failure is a warning: the summary still comes
      await lifecycle.teardown().catch((e: Error) => o.warn(`js module: ${e.message}`));
      coordinator.feed.merge(lifecycle.sink.drain()); // setup's and teardown's requests count in the run
    }
    for (const w of coordinator.feed.takeWarnings()) o.warn(w);
    const summary = coordinator.feed.summary(o.run.plan.name, aborted, o.trendStats);
    const custom = lifecycle ? await customSummary(lifecycle, summary, o.warn) : undefined;
    o.onSummary?.(summary, custom);
    this.outputsDone = true;
    await this.outputs.finish(summary);
    this.ui?.finish(summary);
    const exports = writeExports(summary, o.exports ?? {});
    if (undelivered !== undefined) throw new RunSetupError(`${undelivered} (this part's own summary above is complete)`);
    if (custom) exports.written.push(...custom.written), exports.failures.push(...custom.failures);
    // a part's verdict is the aggregator's: it exits 0 once its results are delivered
    const exitCode = this.link || (summary.thresholds_passed && !aborted) ? 0 : 99;
    return { summary, aborted, error, exitCode, exports };
  }

  /** Tear everything down, once, newest first (a second call waits for the first). */
  close(): Promise<void> {
    return this.disposers.close();
  }

  private tick(feed: MetricsFeed): void {
    this.link?.flush(partStatus(this.coordinator.status(), feed));
    for (const w of feed.takeWarnings()) this.o.warn(w);
    const snap = feed.lastSnapshot();
    if (snap) this.outputs.snapshot(snap);
    this.tickUi?.(feed);
    this.o.onTick?.(feed, this.coordinator.isPaused);
  }
}

/** The module's setup(), once: its JSON data kept for the workers; a failure is a RunSetupError (exit 1, no load). */
async function setUpModule(lifecycle: Lifecycle): Promise<string | undefined> {
  try {
    return (lifecycle.bundle.setupData = await lifecycle.setup());
  } catch (e) {
    throw e instanceof LifecycleError ? new RunSetupError(`js module: ${e.message}`) : e;
  }
}
