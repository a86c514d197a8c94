/**
 * From a validated plan to what a run needs before anything starts: the scenarios, the parsed
 * thresholds, `variables:` and `secrets:` resolved from the given environment, and the plan's
 * warnings about what this build accepts but does not act on. A plan the engine cannot run is a
 * RunSetupError here, before any plugin loads.
 */
import type { Plan } from "../plan/schema.ts";
import type { Position, Segment } from "../plan/locate.ts";
import { parseThresholds, type ThresholdSpec } from "../plan/thresholds.ts";
import { resolveSecrets, resolveVariables } from "../plan/startup.ts";
import { notYetRunnable } from "../engine/worker/flow/unsupported.ts";
import { JsLoadError } from "../js/load.ts";
import type { JsBundle } from "../js/bundle.ts";
import { loadRunModule, moduleNameProblems } from "./js-module.ts";
import { formatPath } from "../plan/diagnostics.ts";
import { RunSetupError } from "./errors.ts";

export interface PreparedRun {
  plan: Plan;
  /** the directory relative paths in the plan resolve against */
  baseDir: string;
  /** what `${env.X}`, `secrets: {env}`, `variables:` and `__ENV` read */
  env: Record<string, string | undefined>;
  scenarios: string[];
  thresholds: ThresholdSpec[];
  variables: Record<string, unknown>;
  secrets: Record<string, string>;
  /** one line each, for the caller to show (the CLI prints them unless -q) */
  warnings: string[];
  /** the plan's file and where a plan path is in it, for errors that point at a line */
  source?: PlanSource;
  /** the `js:` module, loaded and transformed (src/js/); the session adds setup()'s data */
  js?: JsBundle;
}

export interface PlanSource {
  file: string;
  /** where the value at `path` is (or its key, `mode: "key"`) */
  locate(path: readonly Segment[], mode?: "key" | "value"): Position | undefined;
}

/** `file:line:column (path)` for a run-start refusal that points into the plan ("(path)" alone for a plan object). */
export function planPlace(run: Pick<PreparedRun, "source">, path: readonly Segment[], mode?: "key" | "value"): string {
  const at = run.source?.locate(path, mode);
  const where = run.source ? `${run.source.file}${at ? `:${at.line}:${at.column}` : ""} ` : "";
  return `${where}(${formatPath(path)})`;
}

export function prepareRun(plan: Plan, o: { baseDir: string; env: Record<string, string | undefined>; controlApi: boolean; source?: PlanSource }): PreparedRun {
  const scenarios = Object.keys(plan.scenarios);
  let js: JsBundle | undefined;
  try {
    js = loadRunModule(plan, o.baseDir);
  } catch (e) {
    throw e instanceof JsLoadError ? new RunSetupError(e.message) : e;
  }
  const named = moduleNameProblems(plan, scenarios, js);
  if (named.length > 0) {
    const p = named[0]!;
    throw new RunSetupError(`${planPlace({ source: o.source }, p.path)}: ${p.message}${p.suggestion ? ` — ${p.suggestion}` : ""}`);
  }
  const warnings = [...notYetApplied(plan)];
  if (!o.controlApi)
    for (const [name, sc] of Object.entries(plan.scenarios))
      if (sc.executor === "externally-controlled")
        warnings.push(`scenario \`${name}\` is externally-controlled but the control API is off: it stays at 0 VUs (serve it with --api 127.0.0.1:6565)`);
  warnings.push(...notYetRunnable(plan));
  if (js?.exports.options !== undefined)
    warnings.push("the `js:` module exports `options` (k6's): loadr ignores it — scenarios and thresholds come from the plan (docs/javascript.md \"From k6 to loadr\")");
  let secrets: Record<string, string>;
  try {
    secrets = resolveSecrets(plan, o.env, o.baseDir);
  } catch (e) {
    throw new RunSetupError((e as Error).message);
  }
  return {
    plan,
    baseDir: o.baseDir,
    env: o.env,
    scenarios,
    thresholds: parseThresholds(plan.thresholds),
    variables: resolveVariables(plan, o.env),
    secrets,
    warnings,
    source: o.source,
    js,
  };
}

/** Plan settings this build accepts but does not act on yet (docs/compat.md), said once at start. */
function notYetApplied(plan: { defaults: { http: { cache?: boolean } } }): string[] {
  const out: string[] = [];
  if (plan.defaults.http.cache) out.push("defaults.http.cache is not applied by this build yet: every request goes to the target");
  return out;
}
