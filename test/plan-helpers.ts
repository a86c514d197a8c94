/** Shared helpers for the plan tests: load YAML text and pick diagnostics apart. */
import { loadPlanText, type LoadOptions, type LoadResult } from "../src/plan/load.ts";

export function load(yaml: string, opts: LoadOptions = {}): LoadResult {
  return loadPlanText(yaml, "plan.yaml", ".", opts);
}

export function errors(r: LoadResult) {
  return r.diagnostics.filter((d) => d.severity === "error");
}

export function warnings(r: LoadResult) {
  return r.diagnostics.filter((d) => d.severity === "warning");
}

/** A minimal valid scenario body with the given flow lines (YAML, indented 6). */
export function planWithFlow(flow: string, extra = ""): string {
  return `${extra}scenarios:
  s:
    vus: 1
    duration: 1s
    flow:
${flow}`;
}
