/**
 * `loadr run <plan>` (reference §3.1): parses the flags (and their LOADR_* variables), loads and
 * validates the plan, hands it to the run session (src/run/session.ts), prints the start banner,
 * the progress, the summary, what was written and the verdict, and exits 0 / 99 / 1 (§2.11).
 * Ctrl-C once (or SIGTERM) stops gracefully and still prints and exports the summary; twice exits
 * 130. Signals are handled here, not in the session.
 */
import { partShare } from "../engine/segments.ts";
import { availableParallelism } from "node:os";
import pkg from "../../package.json" with { type: "json" };
import { loadPlan, formatDiagnostic } from "../plan/load.ts";
import { DurationError, parseDuration } from "../plan/duration.ts";
import { envVarFlags, intFlag, overlayFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { applyOverrides, type Override } from "./run-overrides.ts";
import { withRunEnv } from "./run-env.ts";
import { Progress } from "./progress.ts";
import { bannerLines, verdictLine } from "./run-lines.ts";
import type { LogLevel } from "../util/logger.ts";
import { renderConsole } from "../metrics/console.ts";
import { pluginsDir } from "../plugins/store/plugins-dir.ts";
import { Logger } from "../util/logger.ts";
import { DEFAULT_UI_BIND, type UiServer } from "../ui/server.ts";
import { filterScenarios, splitTagList } from "./run-tags.ts";
import { prepareRun } from "../run/prepare.ts";
import { RunSession } from "../run/session.ts";
import { RunSetupError } from "../run/errors.ts";
import { parseMemoryLimit } from "../run/memory-guard.ts";
import { SUMMARY_FLAG_OPTIONS, SUMMARY_FLAGS_HELP, summaryFlags } from "./summary-flags.ts";
import { AGGREGATE_OPTIONS, PART_HELP, PART_OPTIONS, partRole } from "./scale-out-flags.ts";
import { CONTROLLER_REFUSAL } from "./refusals.ts";
import type { ScaleOut } from "../run/scale-out.ts";

/**
 * The options `loadr run` and `loadr aggregate` (src/cli/aggregate.ts) share, with `run`'s own
 * (workers, requests, a part's flags) only in its help.
 */
export function optionsHelp(command: "run" | "aggregate"): string {
  const run = (lines: string) => (command === "run" ? lines + "\n" : "");
  return `  -e, --env <name>            apply the plan's env.<name> overlay (an environment of the plan)
  --env-var <KEY=VALUE>       set \${env.KEY} for this run, over the process environment (repeatable)
  -u, --vus <n>               set \`vus\` of every scenario whose executor has it
  -d, --duration <dur>        set \`duration\` of every scenario whose executor has it, e.g. 30s
  -i, --iterations <n>        set \`iterations\` of every scenario whose executor has it
${run("  --workers <n>               worker threads (default: usable cores, at most one per VU)")}  --plugins-dir <dir>         where \`plugins:\` entries without a path are found
                              (default: $LOADR_PLUGINS_DIR, else ~/.loadr/plugins)
  --tags <a,b>                run only scenarios with one of these \`tags:\` values (repeatable)
  --exclude-tags <a,b>        skip scenarios with any of these \`tags:\` values (wins over --tags)
  --api <host:port>           serve the control API (status, pause, resume, stop, scale; see
                              \`loadr status --help\`), e.g. 127.0.0.1:6565; off by default
  --summary-export <path>     write the summary JSON (\`-\`: to stdout; the console summary then
                              goes to stderr)
${SUMMARY_FLAGS_HELP}
  --junit <path>              write a JUnit XML report (thresholds, checks, run)
  --report <path>             write the self-contained HTML report
  -o, --output <kind=value>   stream results (repeatable): json=<path>[,format=k6], csv=<path>,
                              prometheus=<listen addr | remote-write URL>, influxdb=<url>,<db>,
                              statsd=<host:port>, otlp=<endpoint> (docs/outputs.md)
  --ui                        serve a live dashboard while the run goes (it stops with the run)
  --ui-bind <addr>            where the dashboard listens (default ${DEFAULT_UI_BIND})
  --ui-linger                 keep serving the dashboard after the run, until Ctrl-C (implies --ui)
${run("  --http-debug[=full]         print every request and response head (full: with bodies)")}${run(PART_HELP)}  --progress                  redraw the live progress line even when stderr is not a terminal
  --progress-interval <dur>   without a terminal, a progress line this often (default 10s; 0: none)
  --max-series <n>            series (tag sets) per metric before its noisiest tag is capped
                              (default: the plan's defaults.max_series, else 1000)
  --max-memory <size>         stop the run, with its summary, when loadr's memory passes this:
                              4GB, 512MB, 50% of the machine's, or off (default 80%)
  -q, --quiet                 no banner, progress, warnings or verdict
  -v, --verbose               more log lines (-vv: debug)
  --no-color                  no colours (also: NO_COLOR=1)

Most options can also come from the environment, as LOADR_VUS, LOADR_DURATION,
LOADR_ITERATIONS, LOADR_OUTPUT (several separated by ;), LOADR_SUMMARY_EXPORT, LOADR_WORKERS,
LOADR_NO_COLOR… (docs/cli.md): a flag wins over its variable, which wins over the plan.

Ctrl-C or SIGTERM stops gracefully (the summary is still printed and exported); a second
Ctrl-C exits at once with code 130.`;
}

export const HELP = `Usage: loadr run <plan.yaml> [options]

Runs a test plan and prints a summary. Exit code 0 when every threshold passed, 99 when a
threshold failed or the run was aborted, 1 on an error (invalid plan, unusable target setup).

Options:
${optionsHelp("run")}`;

export const OPTIONS = {
  env: { type: "string", short: "e" },
  "env-var": { type: "string", multiple: true },
  vus: { type: "string", short: "u" },
  duration: { type: "string", short: "d" },
  iterations: { type: "string", short: "i" },
  workers: { type: "string" },
  tags: { type: "string", multiple: true },
  "exclude-tags": { type: "string", multiple: true },
  api: { type: "string" },
  "summary-export": { type: "string" },
  junit: { type: "string" },
  progress: { type: "boolean" },
  "progress-interval": { type: "string" },
  "plugins-dir": { type: "string" },
  report: { type: "string" },
  output: { type: "string", short: "o", multiple: true },
  ui: { type: "boolean" },
  "ui-bind": { type: "string" },
  "ui-linger": { type: "boolean" },
  "http-debug": { type: "string" },
  "max-series": { type: "string" },
  "max-memory": { type: "string" },
  ...SUMMARY_FLAG_OPTIONS,
  ...PART_OPTIONS,
  ...AGGREGATE_OPTIONS,
  // the reference's way to submit to a controller: refused with where to go instead
  controller: { type: "string" },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>["values"];

/** `loadr run` and `loadr aggregate` (src/cli/aggregate.ts) share everything but these. */
export interface RunMode {
  command: "run" | "aggregate";
  help: string;
  /** flags of OPTIONS this command does not take, with what to say */
  refused: Record<string, string>;
  scaleOut(values: Values, env: Record<string, string | undefined>): ScaleOut | undefined;
}

const aggregateOnly = (flag: string) => `--${flag} is a flag of \`loadr aggregate\` (the aggregator of a scale-out test)`;

const RUN: RunMode = {
  command: "run",
  help: HELP,
  refused: Object.fromEntries(Object.keys(AGGREGATE_OPTIONS).filter((f) => !(f in PART_OPTIONS)).map((f) => [f, aggregateOnly(f)])),
  scaleOut: (values, env) => partRole(values, env),
};

export function main(argv: string[]): Promise<number> {
  return runCommand(argv, RUN);
}

const HTTP_DEBUG = ["headers", "full"] as const;

export async function runCommand(argv: string[], mode: RunMode): Promise<number> {
  // `--http-debug` alone means heads (parseArgs has no optional values)
  const args = argv.map((a) => (a === "--http-debug" ? "--http-debug=headers" : a));
  const parsed = parse(mode.command, args, OPTIONS);
  if (parsed.values.help) {
    process.stdout.write(mode.help + "\n");
    return 0;
  }
  if (parsed.values.controller !== undefined) throw new UsageError(CONTROLLER_REFUSAL);
  for (const [flag, why] of Object.entries(mode.refused)) if (parsed.values[flag as keyof Values] !== undefined) throw new UsageError(why);
  const { values, from } = withRunEnv(parsed.values, { ...OPTIONS, quiet: { type: "boolean", multiple: true }, "no-color": { type: "boolean" } }, process.env);
  const positionals = parsed.positionals;
  if (positionals.length !== 1) throw new UsageError(`${mode.command}: give exactly one plan file, e.g. \`loadr ${mode.command} plan.yaml\``);
  const file = positionals[0]!;
  const quiet = (values.quiet?.length ?? 0) > 0;
  const verbose = values.verbose?.length ?? 0;
  const logLevel: LogLevel = quiet ? "error" : verbose >= 2 ? "debug" : verbose === 1 ? "info" : "warn";
  const noColor = values["no-color"] === true;
  const errStyle = makeStyle(colorWanted(noColor, process.stderr));
  const workers = intFlag("workers", values.workers, 1, from("workers")) ?? availableParallelism();
  const summaryOpts = summaryFlags(values, from);
  const summaryToStdout = values["summary-export"] === "-";
  // the summary JSON owns stdout when it goes there: the console summary moves to stderr
  const consoleOut = summaryToStdout ? process.stderr : process.stdout;
  const httpDebug = values["http-debug"];
  if (httpDebug !== undefined && !(HTTP_DEBUG as readonly string[]).includes(httpDebug))
    throw new UsageError(`${from("http-debug")} must be headers (the default) or full, got \`${httpDebug}\``);
  const overrides = {
    vus: numberOverride("vus", values.vus, from("vus")),
    duration: durationOverride(values.duration, from("duration")),
    iterations: numberOverride("iterations", values.iterations, from("iterations")),
  };
  const envVars = envVarFlags(values["env-var"]);
  const scaleOut = mode.scaleOut(values, process.env);
  const joined = scaleOut?.role === "part" && scaleOut.join !== undefined ? scaleOut : undefined;
  if (joined && (values.api !== undefined || values.ui || values["ui-linger"] || values["ui-bind"] !== undefined))
    throw new UsageError("a part is controlled through its aggregator: give --api and --ui to `loadr aggregate`");
  const maxSeries = intFlag("max-series", values["max-series"], 1, from("max-series"));
  let maxMemory: number | undefined;
  try {
    maxMemory = values["max-memory"] === undefined ? undefined : parseMemoryLimit(values["max-memory"]);
  } catch (e) {
    throw new UsageError(`${from("max-memory")}: ${(e as Error).message}`);
  }
  const progressEvery = values["progress-interval"] === undefined ? 10_000 : durationFlag(values["progress-interval"], from("progress-interval"), 0);
  const say = (line: string) => void process.stderr.write(line + "\n");
  const warn = (line: string) => say(errStyle.yellow(`warning: ${line}`));

  // what one process can run is checked against the share of the load this one sends
  const share = scaleOut?.role === "aggregate" ? 0 : scaleOut?.role === "part" ? partShare(scaleOut.segment.part) : undefined;
  const loaded = await loadPlan(file, { env: overlayFlag(values.env), checkFiles: true, share });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  for (const d of loaded.diagnostics) {
    if (d.severity === "warning" && quiet) continue;
    const line = formatDiagnostic(d, file);
    say(d.severity === "error" ? errStyle.red(line) : errStyle.yellow(line));
  }
  if (errors.length > 0 || !loaded.plan) throw new CliError("test definition is invalid (fix the errors above; `loadr validate` lists them too)");
  const filtered = filterScenarios(loaded.plan, splitTagList(values.tags), splitTagList(values["exclude-tags"]));
  if (!quiet && filtered.kept !== filtered.had) say(`→ running ${filtered.kept} of ${filtered.had} scenario(s) after tag filter`);
  const overridden = applyOverrides(filtered.plan, overrides);
  if (!quiet) for (const n of overridden.notes) warn(n);
  const plan = maxSeries === undefined ? overridden.plan : { ...overridden.plan, defaults: { ...overridden.plan.defaults, max_series: maxSeries } };

  const progress = new Progress(quiet ? "off" : values.progress === true || process.stderr.isTTY === true ? "redraw" : progressEvery > 0 ? "lines" : "off", progressEvery);
  const log = new Logger(logLevel);
  let session: RunSession;
  try {
    const env = { ...process.env, ...envVars };
    // a part's externally-controlled scenarios are scaled through the aggregator's control API
    const prepared = prepareRun(plan, { baseDir: loaded.baseDir, env, controlApi: values.api !== undefined || joined !== undefined, source: { file, locate: loaded.locate } });
    if (!quiet) for (const w of prepared.warnings) warn(w);
    session = await RunSession.open({
      run: prepared,
      workers,
      logLevel,
      pluginsDir: pluginsDir(values["plugins-dir"]),
      outputFlags: values.output,
      ui: values.ui || values["ui-linger"] || values["ui-bind"] !== undefined ? { bind: values["ui-bind"] ?? DEFAULT_UI_BIND } : undefined,
      api: values.api,
      exports: { summaryExport: values["summary-export"], junit: values.junit, report: values.report },
      trendStats: summaryOpts.trendStats,
      httpDebug: httpDebug as (typeof HTTP_DEBUG)[number] | undefined,
      warn,
      info: quiet ? undefined : say,
      debug: (m) => log.debug(m),
      onTick: (feed, paused) => progress.draw(feed.progress(paused)),
      onSummary: (summary, custom) => {
        progress.end();
        // the module's handleSummary() may replace the console summary
        if (custom?.stdout !== undefined) consoleOut.write(custom.stdout.endsWith("\n") ? custom.stdout : custom.stdout + "\n");
        else consoleOut.write(renderConsole(summary, { color: colorWanted(noColor, consoleOut), ...summaryOpts }) + "\n");
      },
      loopLagProbe: process.env.LOADR_LOOP_LAG_PROBE !== undefined && process.env.LOADR_LOOP_LAG_PROBE !== "",
      scaleOut,
      maxMemory,
    });
  } catch (e) {
    throw e instanceof RunSetupError ? new CliError(e.message) : e;
  }
  if (!quiet) for (const line of bannerLines(session.outline, pkg.version)) say(line);
  if (!quiet && session.ui) say(`→ live dashboard at ${session.ui.url}`);
  if (!quiet && session.api) say(`→ control API at ${session.api.url}/v1/status`);
  if (!quiet) for (const line of scaleOutLines(scaleOut, session.aggregatorUrl)) say(line);

  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      if (!quiet) process.stderr.write(`\n${errStyle.red("! stopping gracefully (Ctrl-C again to abort)")}\n`);
      session.stop(sig === "SIGTERM" ? "stopped by SIGTERM" : "stopped by user (Ctrl-C)");
    } else if (sig === "SIGINT") {
      session.kill();
      void session.close().finally(() => process.exit(130));
    }
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    progress.start();
    const result = await session.run().catch((e: Error) => {
      throw e instanceof RunSetupError ? new CliError(e.message) : e;
    });
    if (!quiet) {
      const done = { summary: "summary exported to", junit: "JUnit report written to", report: "HTML report written to", handleSummary: "handleSummary() wrote" };
      for (const w of result.exports.written) say(errStyle.green(w.path === "-" ? "✓ summary written to stdout" : `✓ ${done[w.what]} ${w.path}`));
    }
    if (result.exports.failures.length > 0)
      throw new CliError(result.exports.failures.join("; ") + " (the summary above is complete; choose a writable path)");
    if (result.error !== undefined) throw new CliError(mode.command === "aggregate" ? result.error : `the run stopped on an internal error: ${result.error}`);
    if (!quiet && joined) say(errStyle.green(`✓ part ${joined.segment.label} done: its results went to the aggregator, whose verdict is the test's`));
    else if (!quiet) {
      const verdict = verdictLine(result.summary, result.exitCode);
      say(result.exitCode === 0 ? errStyle.green(verdict) : errStyle.red(verdict));
    }
    if (session.ui && values["ui-linger"]) await serveUntilInterrupted(session.ui, quiet, { onInt, onTerm });
    return result.exitCode;
  } finally {
    progress.end();
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    await session.close();
  }
}

function numberOverride(name: string, v: string | undefined, from: string): Override | undefined {
  const n = intFlag(name, v, 1, from);
  return n === undefined ? undefined : { value: n, from };
}

function durationOverride(v: string | undefined, from: string): Override | undefined {
  return v === undefined ? undefined : { value: durationFlag(v, from, 1), from };
}

/** A duration flag in ms; `min` 1: it must be above zero. */
function durationFlag(v: string, from: string, min: number): number {
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch (e) {
    if (e instanceof DurationError) throw new UsageError(`${from}: ${e.message}`);
    throw e;
  }
  if (ms < min) throw new UsageError(`${from} must be greater than zero, got \`${v}\``);
  return ms;
}

/** `--ui-linger`: after the run the dashboard keeps showing the results until Ctrl-C (or SIGTERM). */
async function serveUntilInterrupted(ui: UiServer, quiet: boolean, handlers: { onInt: () => void; onTerm: () => void }): Promise<void> {
  process.off("SIGINT", handlers.onInt);
  process.off("SIGTERM", handlers.onTerm);
  if (!quiet) process.stderr.write(`→ live dashboard still serving results at ${ui.url} — Ctrl-C to exit\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** What a part or an aggregator is about to do, under the banner. */
function scaleOutLines(s: ScaleOut | undefined, url: string | undefined): string[] {
  if (s?.role === "aggregate") {
    const join = url?.replace(/^wss?:\/\//, "") ?? s.listen;
    return [`→ waiting for ${s.parts} part${s.parts === 1 ? "" : "s"} at ${url}: start each with \`loadr run <plan> --segment i/${s.parts} --join ${join}\``];
  }
  if (s?.role === "part") return [s.join !== undefined ? `→ part ${s.segment.label} of the test: joined the aggregator at ${s.join}, waiting for its start` : `→ part ${s.segment.label} of the test, on its own (no --join)`];
  return [];
}
