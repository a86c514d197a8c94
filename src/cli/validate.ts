/** `loadr validate <files...>`: every diagnostic with line and column (reference §3.2). */
import { dirname } from "node:path";
import { loadPlan, formatDiagnostic, type Diagnostic } from "../plan/load.ts";
import { overlayFlag, parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { countRequestSteps } from "../plan/walk.ts";
import { validationCatalogue } from "../protocols/builtins.ts";
import { pluginsDir } from "../plugins/store/plugins-dir.ts";
import { validationMetricCheck } from "../run/metric-check.ts";

export const HELP = `Usage: loadr validate <files...> [options]

Checks test plans without running them and prints every problem with file, line and column.
Exit code 0 when no file has errors (warnings allowed), 1 otherwise.

Options:
  -e, --env <name>      apply the plan's env.<name> overlay first
  --no-check-files      don't check that referenced files (bodies, TLS, secrets) exist
  --plugins-dir <dir>   where \`plugins:\` entries without a path are found, to know the
                        metrics they record (default: $LOADR_PLUGINS_DIR, else ~/.loadr/plugins)
  --format <text|json>  output format (default text); json prints an array of diagnostics`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("validate", args, {
    env: { type: "string", short: "e" },
    "no-check-files": { type: "boolean" },
    format: { type: "string" },
    "plugins-dir": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("validate: give at least one plan file (see `loadr validate --help`)");
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got \`${format}\``);
  const style = makeStyle(colorWanted(values["no-color"] === true, process.stderr));
  const quiet = (values.quiet?.length ?? 0) > 0;

  let errors = 0;
  let warnings = 0;
  const all: (Diagnostic & { file: string })[] = [];
  for (const file of positionals) {
    const checks = validationMetricCheck({ baseDir: dirname(file) || ".", pluginsDir: pluginsDir(values["plugins-dir"]) });
    const r = await loadPlan(file, { env: overlayFlag(values.env), checkFiles: !values["no-check-files"], protocols: validationCatalogue, checks });
    const fileErrors = r.diagnostics.filter((d) => d.severity === "error").length;
    errors += fileErrors;
    warnings += r.diagnostics.length - fileErrors;
    if (format === "json") {
      for (const d of r.diagnostics) all.push({ file, ...d });
      continue;
    }
    for (const d of r.diagnostics) {
      const line = formatDiagnostic(d, file);
      process.stderr.write((d.severity === "error" ? style.red(line) : style.yellow(line)) + "\n");
    }
    if (fileErrors === 0 && r.plan && !quiet) {
      const scenarios = Object.values(r.plan.scenarios);
      const requests = scenarios.reduce((n, s) => n + countRequestSteps(s.flow ?? []), 0);
      process.stdout.write(style.green(`✓ ${file} is valid (${scenarios.length} scenario(s), ${requests} request(s))`) + "\n");
    }
  }
  if (format === "json") process.stdout.write(JSON.stringify(all, null, 2) + "\n");
  else if (errors + warnings > 0) process.stderr.write(`${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}
