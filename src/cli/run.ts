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
import { Run, RunError } from "../engine/coordinator.ts";
import { intFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { applyOverrides } from "./run-overrides.ts";
import { writeExports } from "./run-exports.ts";
import { Progress } from "./progress.ts";
import type { LogLevel } from "../engine/log.ts";
import { renderConsole } from "../metrics/console.ts";
import { jsModuleUse, notYetRunnable } from "../engine/flow/unsupported.ts";

export const HELP = `Usage: loadr run <plan.yaml> [options]

Runs a test plan and prints a summary. Exit code 0 when every threshold passed, 99 when a
threshold failed or the run was aborted, 1 on an error (invalid plan, unusable target setup).

Options:
  -e, --env <name>            apply the plan's env.<name> overlay
  --vus <n>                   override \`vus\` (single-scenario plans)
  --duration <dur>            override \`duration\`, e.g. 30s (single-scenario plans)
  --workers <n>               worker threads (default: usable cores, at most one per VU)
  --summary-export <path>     write the summary JSON
  --junit <path>              write a JUnit XML report (thresholds, checks, run)
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
    "summary-export": { type: "string" },
    junit: { type: "string" },
    progress: { type: "boolean" },
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

  const loaded = await loadPlan(file, { env: values.env, checkFiles: true });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  for (const d of loaded.diagnostics) {
    if (d.severity === "warning" && quiet) continue;
    const line = formatDiagnostic(d, file);
    process.stderr.write((d.severity === "error" ? errStyle.red(line) : errStyle.yellow(line)) + "\n");
  }
  if (errors.length > 0 || !loaded.plan) throw new CliError("test definition is invalid (fix the errors above; `loadr validate` lists them too)");
  const plan = applyOverrides(loaded.plan, { vus: intFlag("vus", values.vus), duration: values.duration });
  if (!quiet) for (const w of notYetApplied(plan)) process.stderr.write(errStyle.yellow(`warning: ${w}`) + "\n");
  const scenarios = Object.keys(plan.scenarios);
  const js = jsModuleUse(plan, scenarios);
  if (js.errors.length > 0) throw new CliError(js.errors[0]!);
  if (!quiet) for (const w of [...js.warnings, ...notYetRunnable(plan, scenarios)]) process.stderr.write(errStyle.yellow(`warning: ${w}`) + "\n");
  const thresholds = parseThresholds(plan.thresholds);
  const env = { ...process.env };
  const variables = resolveVariables(plan, env);
  let secrets: Record<string, string>;
  try {
    secrets = resolveSecrets(plan, env, loaded.baseDir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }

  const services = await startServices(plan.plugins ?? []).catch((e: Error) => {
    throw new CliError(e.message);
  });
  let run: Run | undefined;
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
  try {
    run = new Run({
      plan,
      baseDir: loaded.baseDir,
      scenarios,
      env,
      variables,
      secrets,
      services: services.info,
      logLevel,
      workers,
      thresholds,
      onTick: (feed) => progress.draw(feed.progress()),
    });
    const { aborted } = await run.execute().catch((e: Error) => {
      throw e instanceof RunError ? new CliError(e.message) : e;
    });
    progress.end();
    const summary = run.feed.summary(plan.name, aborted);
    process.stdout.write(renderConsole(summary, { color: outColor }) + "\n");
    await writeExports(summary, { summaryExport: values["summary-export"], junit: values.junit }, quiet, errStyle);
    return summary.thresholds_passed && !aborted ? 0 : 99;
  } finally {
    progress.end();
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    await services.stopAll();
  }
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
