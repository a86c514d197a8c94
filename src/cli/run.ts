/**
 * `loadr run <plan>` (reference §3.1): load and validate, start services, drive the load on
 * worker threads, print the summary, write exports, and exit 0 / 99 / 1 (§2.11). Ctrl-C once
 * (or SIGTERM) stops gracefully and still prints and exports the summary; twice exits 130.
 */
import { availableParallelism } from "node:os";
import { loadPlan, formatDiagnostic } from "../plan/load.ts";
import { parseThresholds } from "../plan/thresholds.ts";
import { resolveSecrets, resolveVariables } from "../plan/startup.ts";
import { startServices } from "../services/registry.ts";
import { Run, RunError } from "../engine/coordinator/coordinator.ts";
import { intFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { applyOverrides } from "./run-overrides.ts";
import { writeExports } from "./run-exports.ts";
import { Progress } from "./progress.ts";
import type { LogLevel } from "../util/logger.ts";
import { renderConsole } from "../metrics/console.ts";
import { PluginResolveError, resolvePlugins } from "../plugins/host/resolve.ts";
import { pluginsDir } from "../plugins/store/plugins-dir.ts";
import { Logger } from "../util/logger.ts";
import { buildOutputs } from "../outputs/setup.ts";
import { OutputStartError, type OutputSet } from "../outputs/output-set.ts";
import { DEFAULT_UI_BIND, UiServer } from "../ui/server.ts";
import { liveTick } from "../ui/live-tick.ts";
import { loadNativeEntries, nativeRefs, outputPluginKinds, pluginOutputs, protocolInfos } from "../plugins/host/plan-plugins.ts";
import { runCatalogue } from "../protocols/builtins.ts";
import { unservedRequests } from "../plan/protocol-check.ts";
import { formatPath } from "../plan/diagnostics.ts";
import { filterScenarios, splitTagList } from "./run-tags.ts";
import { startControlServer, type ControlServer } from "../control/server.ts";
import { controlHandler } from "../control/handler.ts";
import { jsModuleUse, notYetRunnable } from "../engine/worker/flow/unsupported.ts";
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

  const loaded = await loadPlan(file, { env: values.env, checkFiles: true });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  for (const d of loaded.diagnostics) {
    if (d.severity === "warning" && quiet) continue;
    const line = formatDiagnostic(d, file);
    process.stderr.write((d.severity === "error" ? errStyle.red(line) : errStyle.yellow(line)) + "\n");
  }
  if (errors.length > 0 || !loaded.plan) throw new CliError("test definition is invalid (fix the errors above; `loadr validate` lists them too)");
  const filtered = filterScenarios(loaded.plan, splitTagList(values.tags), splitTagList(values["exclude-tags"]));
  if (!quiet && filtered.kept !== filtered.had) process.stderr.write(`→ running ${filtered.kept} of ${filtered.had} scenario(s) after tag filter\n`);
  const plan = applyOverrides(filtered.plan, { vus: intFlag("vus", values.vus), duration: values.duration });
  if (!quiet) for (const w of notYetApplied(plan)) process.stderr.write(errStyle.yellow(`warning: ${w}`) + "\n");
  if (!quiet && values.api === undefined)
    for (const [name, sc] of Object.entries(plan.scenarios))
      if (sc.executor === "externally-controlled")
        process.stderr.write(
          errStyle.yellow(`warning: scenario \`${name}\` is externally-controlled but the control API is off: it stays at 0 VUs (serve it with --api 127.0.0.1:6565)`) + "\n",
        );
  const scenarios = Object.keys(plan.scenarios);
  const js = jsModuleUse(plan, scenarios);
  if (js.errors.length > 0) throw new CliError(js.errors[0]!);
  if (!quiet) for (const w of [...js.warnings, ...notYetRunnable(plan)]) process.stderr.write(errStyle.yellow(`warning: ${w}`) + "\n");
  const thresholds = parseThresholds(plan.thresholds);
  const env = { ...process.env };
  const variables = resolveVariables(plan, env);
  let secrets: Record<string, string>;
  try {
    secrets = resolveSecrets(plan, env, loaded.baseDir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }

  const log = new Logger(logLevel);
  const plugins = await resolvePlugins(plan.plugins ?? [], {
    baseDir: loaded.baseDir,
    pluginsDir: pluginsDir(values["plugins-dir"]),
    debug: (m) => log.debug(m),
  }).catch((e: Error) => {
    throw e instanceof PluginResolveError ? new CliError(e.message) : e;
  });
  // Native plugins load (and are checked) before anything starts: a bad plugin is one line, no run.
  let native;
  let outputs: OutputSet;
  try {
    const refs = nativeRefs(plugins);
    // loaded once: output plugins named under `outputs:` must load as outputs
    native = loadNativeEntries(refs, outputPluginKinds(refs, plan.outputs ?? []));
    outputs = buildOutputs(plan.outputs ?? [], values.output ?? [], env, (line) => process.stderr.write(errStyle.yellow(`warning: ${line}`) + "\n"), pluginOutputs(native, plan.outputs ?? []));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  // A request no protocol handler serves is refused here, before anything starts (src/plan/protocol-check.ts).
  const protocols = runCatalogue(protocolInfos(native));
  if (!quiet) for (const w of protocols.warnings) process.stderr.write(errStyle.yellow(`warning: ${w}`) + "\n");
  const unserved = unservedRequests(plan, protocols.catalogue)[0];
  if (unserved !== undefined) {
    const at = loaded.locate(unserved.path);
    throw new CliError(`${file}${at ? `:${at.line}:${at.column}` : ""} (${formatPath(unserved.path)}): ${unserved.message}`);
  }
  let run: Run | undefined;
  let ui: UiServer | undefined;
  if (values.ui || values["ui-bind"] !== undefined) {
    // the dashboard's pause/resume/stop buttons speak the control API of the run
    let control: ((req: Request) => Promise<Response | undefined>) | undefined;
    const forward = (req: Request) => {
      if (!run) return Promise.resolve(Response.json({ error: "the run is still starting" }, { status: 503 }));
      control ??= controlHandler(run);
      return control(req);
    };
    try {
      ui = new UiServer({ bind: values["ui-bind"] ?? DEFAULT_UI_BIND, name: plan.name ?? "loadr test", scenarios, control: forward });
    } catch (e) {
      const msg = (e as Error).message;
      throw new CliError(msg.startsWith("--ui-bind") ? msg : `--ui-bind: ${msg}`);
    }
    if (!quiet) process.stderr.write(`→ live dashboard at ${ui.url}\n`);
  }
  try {
    await outputs.start();
  } catch (e) {
    ui?.stop();
    throw new CliError(e instanceof OutputStartError ? e.message : `output: ${(e as Error).message}`);
  }

  const services = await startServices(plan.plugins ?? [], native).catch((e: Error) => {
    outputs.abort();
    ui?.stop();
    throw new CliError(e.message);
  });
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      if (!quiet) process.stderr.write(`\n${errStyle.red("! stopping gracefully (Ctrl-C again to abort)")}\n`);
      run?.stop(sig === "SIGTERM" ? "stopped by SIGTERM" : "stopped by user (Ctrl-C)");
    } else if (sig === "SIGINT") {
      run?.kill();
      void services.stopAll().finally(() => process.exit(130));
    }
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);

  const progress = new Progress(!quiet && (values.progress === true || process.stderr.isTTY === true));
  let api: ControlServer | undefined;
  try {
    run = new Run({
      plan,
      baseDir: loaded.baseDir,
      scenarios,
      env,
      variables,
      secrets,
      services: services.info,
      plugins,
      logLevel,
      workers,
      thresholds,
      onTick: (feed) => {
        progress.draw(feed.progress(run?.isPaused));
        const snap = feed.lastSnapshot();
        if (snap) outputs.snapshot(snap);
        const t = ui && liveTick(feed, run!.scenarioVus());
        if (t) ui!.tick(t);
      },
      samples: outputs.wantsSamples,
      onSamples: (batch) => outputs.samples(batch),
    });
    if (values.api !== undefined) {
      try {
        api = startControlServer(values.api, run);
      } catch (e) {
        throw new CliError(`--api: ${(e as Error).message}`);
      }
      if (!quiet) process.stderr.write(`→ control API at ${api.url}/v1/status\n`);
    }
    const { aborted, error } = await run.execute().catch(async (e: Error) => {
      ui?.stop();
      outputs.abort();
      throw e instanceof RunError ? new CliError(e.message) : e;
    });
    progress.end();
    const summary = run.feed.summary(plan.name, aborted, summaryOpts.trendStats);
    process.stdout.write(renderConsole(summary, { color: outColor, ...summaryOpts }) + "\n");
    await outputs.finish(summary);
    ui?.finish(summary);
    try {
      await writeExports(summary, { summaryExport: values["summary-export"], junit: values.junit, report: values.report }, quiet, errStyle);
    } finally {
      if (ui) await serveUntilInterrupted(ui, quiet, { onInt, onTerm });
    }
    if (error !== undefined) throw new CliError(`the run stopped on an internal error: ${error}`);
    return summary.thresholds_passed && !aborted ? 0 : 99;
  } finally {
    api?.stop();
    progress.end();
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    await services.stopAll();
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
  ui.stop();
}

/** Plan settings this build accepts but does not act on yet (docs/compat.md), said once at start. */
function notYetApplied(plan: { defaults: { http: { cache?: boolean; version?: string } } }): string[] {
  const out: string[] = [];
  const http = plan.defaults.http;
  if (http.cache) out.push("defaults.http.cache is not applied by this build yet: every request goes to the target");
  if (http.version && http.version !== "auto" && http.version !== "http1")
    out.push(`defaults.http.version \`${http.version}\` is not supported by this build yet: HTTP/1.1 is used`);
  return out;
}
