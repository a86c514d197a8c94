/**
 * The plan's `js:` module on the main thread: loaded and transformed once (src/js/load.ts), the
 * functions the plan names checked against its exports, and its custom metrics learnt by running
 * its init code (lifecycle.ts), for the run (one-line RunSetupErrors before any load) and for
 * `loadr validate` / the API's validate() (diagnostics at the plan's lines).
 */
import type { Plan } from "../plan/schema.ts";
import type { Segment } from "../plan/locate.ts";
import type { SemanticDiagnostic } from "../plan/validate.ts";
import { walkSteps } from "../plan/walk.ts";
import { didYouMean } from "../plan/suggest.ts";
import { loadJsModule, JsLoadError } from "../js/load.ts";
import type { JsBundle } from "../js/bundle.ts";
import type { MetricKind } from "../metrics/registry.ts";
import { Lifecycle, LifecycleError } from "./lifecycle.ts";

/** Where the plan names module functions, and the names. */
function namedFunctions(plan: Plan, scenarios: readonly string[]): { path: Segment[]; name: string; key: string }[] {
  const out: { path: Segment[]; name: string; key: string }[] = [];
  for (const s of scenarios) {
    const sc = plan.scenarios[s]!;
    for (const key of ["exec", "on_start", "on_stop"] as const) if (sc[key] !== undefined) out.push({ path: ["scenarios", s, key], name: sc[key]!, key });
    walkSteps(sc.flow ?? [], ["scenarios", s, "flow"], ({ step, path }) => {
      if ("js" in step && typeof step.js === "object" && step.js.call !== undefined) out.push({ path: [...path, "js", "call"], name: step.js.call, key: "js.call" });
    });
  }
  return out;
}

/** `exec`, `on_start`, `on_stop` and `js.call` must name functions the module exports (`default`: its default export). */
export function moduleNameProblems(plan: Plan, scenarios: readonly string[], bundle: JsBundle | undefined): SemanticDiagnostic[] {
  const out: SemanticDiagnostic[] = [];
  const fns = bundle ? Object.entries(bundle.exports).filter(([, e]) => e.fn).map(([n]) => n) : [];
  for (const { path, name, key } of namedFunctions(plan, scenarios)) {
    if (bundle === undefined) {
      out.push({ severity: "error", path, message: `\`${key}: ${name}\` needs a \`js:\` module (\`js.file\` or \`js.script\`)` });
      continue;
    }
    if (bundle.exports[name]?.fn) continue;
    const what = bundle.exports[name] ? "is exported but is not a function" : "is not exported by the module";
    out.push({
      severity: "error",
      path,
      message: `\`${key}: ${name}\`: \`${name}\` ${what} (its exported functions: ${fns.length ? fns.join(", ") : "none"})`,
      suggestion: didYouMean(name, fns),
    });
  }
  return out;
}

/** Load the module for a run; a problem is a one-line error (file:line:column inside the module where it has one). */
export function loadRunModule(plan: Plan, baseDir: string): JsBundle | undefined {
  return plan.js ? loadJsModule(plan.js, baseDir) : undefined;
}

/** The custom metrics the module's init code declares (runs it once on a lifecycle VU). */
export function moduleMetrics(run: { plan: Plan; baseDir: string; env: Record<string, string | undefined>; variables: Record<string, unknown>; secrets: Record<string, string> }, bundle: JsBundle): { name: string; kind: MetricKind }[] {
  const life = new Lifecycle(run, bundle);
  try {
    return life.declaredMetrics();
  } finally {
    life.close();
  }
}

/** `loadr validate`: the module loads, the functions the plan names exist, the init code runs; its metrics for the catalogue. */
export function validateModule(plan: Plan, baseDir: string, env: Record<string, string | undefined>): { diagnostics: SemanticDiagnostic[]; metrics: { name: string; kind: MetricKind }[] } {
  const at: Segment[] = ["js", plan.js?.file !== undefined ? "file" : "script"];
  let bundle: JsBundle | undefined;
  try {
    bundle = loadRunModule(plan, baseDir);
  } catch (e) {
    if (!(e instanceof JsLoadError)) throw e;
    return { diagnostics: [{ severity: "error", path: at, message: e.message }], metrics: [] };
  }
  const diagnostics = moduleNameProblems(plan, Object.keys(plan.scenarios), bundle);
  if (bundle === undefined) return { diagnostics, metrics: [] };
  try {
    return { diagnostics, metrics: moduleMetrics({ plan, baseDir, env, variables: {}, secrets: {} }, bundle) };
  } catch (e) {
    if (!(e instanceof LifecycleError)) throw e;
    return { diagnostics: [...diagnostics, { severity: "error", path: at, message: e.message }], metrics: [] };
  }
}
