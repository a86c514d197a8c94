/**
 * `loadr run <plan>` (reference §3.1): parses the flags, loads and validates the plan, hands it to
 * the run session (src/run/session.ts), prints the progress line, the summary and what was
 * written, and exits 0 / 99 / 1 (§2.11). Ctrl-C once (or SIGTERM) stops gracefully and still
 * prints and exports the summary; twice exits 130. Signals are handled here, not in the session.
 */
import { availableParallelism } from "node:os";
import { loadPlan, formatDiagnostic } from "../plan/load.ts";
import { intFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { applyOverrides } from "./run-overrides.ts";
import { Progress } from "./progress.ts";
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

export const HELP = `Usage: loadr run <plan.yaml> [options]

Runs a test plan and prints a summary. Exit code 0 when every threshold passed, 99 when a
threshold failed or the run was aborted, 1 on an error (invalid plan, unusable target setup).

Options:
  -e, --env <name>            apply the plan's env.<name> overlay
  --vus <n>                   override \`vus\` (single-scenario plans)
  --duration <dur>            override \`duration\`, e.g. 30s (single-scenario plans)
  --workers <n>               worker threads (default: usable cores, at most one per VU)
  --plugins-dir <dir>         where \`plugins:\` entries without a path are found
                              (default: $LOADR_PLUGINS_DIR, else ~/.loadr/plugins)
  --tags <a,b>                run only scenarios with one of these \`tags:\` values (repeatable)
  --exclude-tags <a,b>        skip scenarios with any of these \`tags:\` values (wins over --tags)
  --api <host:port>           serve the control API (status, pause, resume, stop, scale; see
                              \`loadr status --help\`), e.g. 127.0.0.1:6565; off by default
  --summary-export <path>     write the summary JSON
${SUMMARY_FLAGS_HELP}
  --junit <path>              write a JUnit XML report (thresholds, checks, run)
  --report <path>             write the self-contained HTML report
  -o, --output <kind=value>   stream results (repeatable): json=<path>[,format=k6], csv=<path>,
                              prometheus=<listen addr | remote-write URL>, influxdb=<url>,<db>,
                              statsd=<host:port>, otlp=<endpoint> (docs/outputs.md)
  --ui                        serve a live dashboard while the run goes (and after, until Ctrl-C)
  --ui-bind <addr>            where the dashboard listens (default ${DEFAULT_UI_BIND})
  --progress                  draw the live progress line even when stderr is not a terminal
  --max-series <n>            series (tag sets) per metric before its noisiest tag is capped
                              (default: the plan's defaults.max_series, else 1000)
  --max-memory <size>         stop the run, with its summary, when loadr's memory passes this:
                              4GB, 512MB, 50% of the machine's, or off (default 80%)
  -q, --quiet                 no progress, no warnings
  -v, --verbose               more log lines (-vv: debug)
  --no-color                  no colours (also: NO_COLOR=1)

Ctrl-C or SIGTERM stops gracefully (the summary is still printed and exported); a second
Ctrl-C exits at once with code 130.`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("run", args, {
    env: { type: "string", short: "e" },
    vus: { type: "string" },
    duration: { type: "string" },
    workers: { type: "string" },
    tags: { type: "string", multiple: true },
    "exclude-tags": { type: "string", multiple: true },
    api: { type: "string" },
    "summary-export": { type: "string" },
    junit: { type: "string" },
    progress: { type: "boolean" },
    "plugins-dir": { type: "string" },
    report: { type: "string" },
    output: { type: "string", short: "o", multiple: true },
    ui: { type: "boolean" },
    "ui-bind": { type: "string" },
    "max-series": { type: "string" },
    "max-memory": { type: "string" },
    ...SUMMARY_FLAG_OPTIONS,
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("run: give exactly one plan file, e.g. `loadr run plan.yaml`");
  const file = positionals[0]!;
  const quiet = (values.quiet?.length ?? 0) > 0;
  const verbose = values.verbose?.length ?? 0;
  const logLevel: LogLevel = quiet ? "error" : verbose >= 2 ? "debug" : verbose === 1 ? "info" : "warn";
  const errStyle = makeStyle(colorWanted(values["no-color"] === true, process.stderr));
  const outColor = colorWanted(values["no-color"] === true, process.stdout);
  const workers = intFlag("workers", values.workers) ?? availableParallelism();
  const summaryOpts = summaryFlags(values);
  const say = (line: string) => void process.stderr.write(line + "\n");
  const warn = (line: string) => say(errStyle.yellow(`warning: ${line}`));

  const loaded = await loadPlan(file, { env: values.env, checkFiles: true });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  for (const d of loaded.diagnostics) {
    if (d.severity === "warning" && quiet) continue;
    const line = formatDiagnostic(d, file);
    say(d.severity === "error" ? errStyle.red(line) : errStyle.yellow(line));
  }
  if (errors.length > 0 || !loaded.plan) throw new CliError("test definition is invalid (fix the errors above; `loadr validate` lists them too)");
  const filtered = filterScenarios(loaded.plan, splitTagList(values.tags), splitTagList(values["exclude-tags"]));
  if (!quiet && filtered.kept !== filtered.had) say(`→ running ${filtered.kept} of ${filtered.had} scenario(s) after tag filter`);
  const plan = applyOverrides(filtered.plan, { vus: intFlag("vus", values.vus), duration: values.duration, maxSeries: intFlag("max-series", values["max-series"]) });
  let maxMemory: number | undefined;
  try {
    maxMemory = values["max-memory"] === undefined ? undefined : parseMemoryLimit(values["max-memory"]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  const progress = new Progress(!quiet && (values.progress === true || process.stderr.isTTY === true));
  const log = new Logger(logLevel);
  let session: RunSession;
  try {
    const prepared = prepareRun(plan, { baseDir: loaded.baseDir, env: { ...process.env }, controlApi: values.api !== undefined, source: { file, locate: loaded.locate } });
    if (!quiet) for (const w of prepared.warnings) warn(w);
    session = await RunSession.open({
      run: prepared,
      workers,
      logLevel,
      pluginsDir: pluginsDir(values["plugins-dir"]),
      outputFlags: values.output,
      ui: values.ui || values["ui-bind"] !== undefined ? { bind: values["ui-bind"] ?? DEFAULT_UI_BIND } : undefined,
      api: values.api,
      exports: { summaryExport: values["summary-export"], junit: values.junit, report: values.report },
      trendStats: summaryOpts.trendStats,
      warn,
      debug: (m) => log.debug(m),
      onTick: (feed, paused) => progress.draw(feed.progress(paused)),
      onSummary: (summary) => {
        progress.end();
        process.stdout.write(renderConsole(summary, { color: outColor, ...summaryOpts }) + "\n");
      },
      loopLagProbe: process.env.LOADR_LOOP_LAG_PROBE !== undefined && process.env.LOADR_LOOP_LAG_PROBE !== "",
      maxMemory,
    });
  } catch (e) {
    throw e instanceof RunSetupError ? new CliError(e.message) : e;
  }
  if (!quiet && session.ui) say(`→ live dashboard at ${session.ui.url}`);
  if (!quiet && session.api) say(`→ control API at ${session.api.url}/v1/status`);

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
    const result = await session.run().catch((e: Error) => {
      throw e instanceof RunSetupError ? new CliError(e.message) : e;
    });
    if (!quiet) {
      const done = { summary: "summary exported to", junit: "JUnit report written to", report: "HTML report written to" };
      for (const w of result.exports.written) say(errStyle.green(`✓ ${done[w.what]} ${w.path}`));
    }
    if (session.ui) await serveUntilInterrupted(session.ui, quiet, { onInt, onTerm });
    if (result.exports.failures.length > 0)
      throw new CliError(result.exports.failures.join("; ") + " (the summary above is complete; choose a writable path)");
    if (result.error !== undefined) throw new CliError(`the run stopped on an internal error: ${result.error}`);
    return result.exitCode;
  } finally {
    progress.end();
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    await session.close();
  }
}

/** `--ui`: after the run the dashboard keeps showing the results until Ctrl-C (or SIGTERM). */
async function serveUntilInterrupted(ui: UiServer, quiet: boolean, handlers: { onInt: () => void; onTerm: () => void }): Promise<void> {
  process.off("SIGINT", handlers.onInt);
  process.off("SIGTERM", handlers.onTerm);
  if (!quiet) process.stderr.write(`→ live dashboard still serving results at ${ui.url} — Ctrl-C to exit\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
