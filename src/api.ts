/**
 * loadr as a library: `import { run, validate } from "loadr"` (the package export; docs/api.md).
 * run() drives a plan — a file or a plan object — through the same run session as `loadr run`
 * (src/run/session.ts) and resolves to the summary, so a program or a `bun test` can assert on
 * the results. It installs no signal handlers (stop a run with an AbortSignal), prints nothing
 * unless given `onLog`, and reads no environment variable of its own: what the plan reads
 * (`${env.X}`, `secrets: {env}`, `__ENV`) comes from `env`, by default process.env.
 */
import { availableParallelism, homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { formatDiagnostic, loadPlan, loadPlanText, type Diagnostic, type LoadOptions, type LoadResult } from "./plan/load.ts";
import { validationCatalogue } from "./protocols/builtins.ts";
import type { Summary } from "./metrics/summary.ts";
import type { LogLevel } from "./util/logger.ts";
import { prepareRun } from "./run/prepare.ts";
import { RunSession } from "./run/session.ts";
import { RunSetupError } from "./run/errors.ts";
import { validationMetricCheck } from "./run/metric-check.ts";
import type { ExportPaths } from "./run/exports.ts";

export type { Summary, Diagnostic, LogLevel, ExportPaths };
export type { MetricSummary, CheckSummary } from "./metrics/summary.ts";

/** A plan: the path of a YAML file, or the plan itself as an object (the YAML's data). */
export type PlanSource = string | Record<string, unknown>;

export interface ValidateOptions {
  /** where relative paths in a plan object resolve (a file's own directory otherwise); default process.cwd() */
  baseDir?: string;
  /** apply the plan's `env.<name>` overlay first (the CLI's `-e`) */
  overlay?: string;
  /** check that files the plan names (bodies, data, TLS, secrets) exist; default true */
  checkFiles?: boolean;
  /** where `plugins:` entries without a `path` are found; default ~/.loadr/plugins */
  pluginsDir?: string;
}

export interface RunOptions extends ValidateOptions {
  /** what the plan reads through `${env.X}`, `secrets: {env}` and `__ENV`; default process.env */
  env?: Record<string, string | undefined>;
  /** worker threads; default the usable cores (at most one per VU is used) */
  workers?: number;
  /** extra outputs as the CLI's `--output kind=value`, e.g. `json=out.ndjson` */
  outputs?: string[];
  /** report files to write after the run (summary JSON, JUnit XML, HTML report) */
  exports?: ExportPaths;
  /** the run's log lines (plan warnings, output problems, request failures); nothing is printed without it */
  onLog?(line: string): void;
  /** which log lines reach onLog; default "warn" */
  logLevel?: LogLevel;
  /** aborting it stops the run gracefully; run() then resolves with the summary, `aborted` set */
  signal?: AbortSignal;
  /** bytes this process may use before the run is stopped with its summary (the CLI's `--max-memory`); 0: no bound; default 80% of the machine's memory */
  maxMemory?: number;
}

/** A plan that cannot run, a run that cannot start, or one that ended on an internal error. */
export class LoadrError extends Error {
  override name = "LoadrError";
  constructor(
    message: string,
    /** an invalid plan: every problem found, with line and column for a file */
    readonly diagnostics: Diagnostic[] = [],
    /** a run that ended on an error: what it measured until then */
    readonly summary?: Summary,
  ) {
    super(message);
  }
}

/** Check a plan without running it: `valid` when no diagnostic is an error (warnings allowed). */
export async function validate(plan: PlanSource, options: ValidateOptions = {}): Promise<{ valid: boolean; diagnostics: Diagnostic[] }> {
  // requests no handler of this build serves are warnings here, as in `loadr validate`; thresholds
  // are checked against the metric catalogue as there
  const checks = validationMetricCheck({ baseDir: baseDirOf(plan, options), pluginsDir: pluginsDirOf(options) });
  const loaded = await load(plan, options, { protocols: validationCatalogue, checks });
  return { valid: loaded.plan !== undefined, diagnostics: loaded.diagnostics };
}

/** Run a plan to its end and resolve to its summary (rejects with a LoadrError). */
export async function run(plan: PlanSource, options: RunOptions = {}): Promise<Summary> {
  const say = options.onLog ?? (() => {});
  if (options.signal?.aborted) throw notStarted();
  const loaded = await load(plan, options);
  const where = typeof plan === "string" ? plan : undefined;
  if (!loaded.plan) {
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    throw new LoadrError(`invalid plan: ${formatDiagnostic(errors[0]!, where)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`, loaded.diagnostics);
  }
  for (const d of loaded.diagnostics) say(formatDiagnostic(d, where));
  let session: RunSession;
  try {
    const source = where !== undefined ? { file: where, locate: loaded.locate } : undefined;
    const prepared = prepareRun(loaded.plan, { baseDir: loaded.baseDir, env: { ...(options.env ?? process.env) }, controlApi: false, source });
    for (const w of prepared.warnings) say(`warning: ${w}`);
    session = await RunSession.open({
      run: prepared,
      workers: options.workers ?? availableParallelism(),
      logLevel: options.logLevel ?? "warn",
      pluginsDir: pluginsDirOf(options),
      outputFlags: options.outputs,
      exports: options.exports,
      warn: (line) => say(`warning: ${line}`),
      debug: options.logLevel === "debug" ? say : undefined,
      onLog: say,
      maxMemory: options.maxMemory,
    });
  } catch (e) {
    throw e instanceof RunSetupError ? new LoadrError(e.message) : e;
  }
  const stop = () => session.stop("stopped by the caller (AbortSignal)");
  options.signal?.addEventListener("abort", stop);
  try {
    if (options.signal?.aborted) throw notStarted();
    const result = await session.run().catch((e: Error) => {
      throw e instanceof RunSetupError ? new LoadrError(e.message) : e;
    });
    if (result.error !== undefined) throw new LoadrError(`the run stopped on an internal error: ${result.error}`, [], result.summary);
    if (result.exports.failures.length > 0) throw new LoadrError(result.exports.failures.join("; "), [], result.summary);
    return result.summary;
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await session.close();
  }
}

const notStarted = () => new LoadrError("the run was not started: its AbortSignal is already aborted");

const pluginsDirOf = (o: ValidateOptions) => resolve(o.pluginsDir ?? resolve(homedir(), ".loadr", "plugins"));
const baseDirOf = (plan: PlanSource, o: ValidateOptions) => (typeof plan === "string" ? dirname(plan) || "." : resolve(o.baseDir ?? process.cwd()));

async function load(plan: PlanSource, o: ValidateOptions, checks: Pick<LoadOptions, "protocols" | "checks"> = {}): Promise<LoadResult> {
  const opts = { env: o.overlay, checkFiles: o.checkFiles ?? true, ...checks };
  if (typeof plan === "string") return loadPlan(plan, opts);
  // an object is checked as the same data in YAML form; positions in that text mean nothing to
  // the caller, so its diagnostics carry the dotted path only
  const loaded = loadPlanText(JSON.stringify(plan, null, 2), "<plan object>", baseDirOf(plan, o), opts);
  return { ...loaded, diagnostics: loaded.diagnostics.map((d) => ({ ...d, line: null, column: null })) };
}
