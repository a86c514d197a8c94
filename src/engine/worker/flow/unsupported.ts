/** Plan features the schema accepts but this build cannot run: `loadr run` names them before any load. */
import type { Plan } from "../../../plan/schema.ts";
import { walkSteps } from "../../../plan/walk.ts";
import { formatPath } from "../../../plan/diagnostics.ts";

export class UnsupportedStepError extends Error {}

/**
 * The JS module API (`js.file`/`js.script` exports: `exec`, `on_start`, `on_stop`, `js.call`,
 * setup/teardown, beforeRequest/afterRequest, handleSummary) is a later issue. A scenario that
 * needs one of its functions cannot run faithfully: that is an error. A module that is only
 * declared is a warning (its lifecycle hooks are not called).
 */
export function jsModuleUse(plan: Plan, scenarios: readonly string[]): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  for (const name of scenarios) {
    const sc = plan.scenarios[name]!;
    for (const key of ["exec", "on_start", "on_stop"] as const)
      if (sc[key] !== undefined)
        errors.push(`scenario \`${name}\`: \`${key}: ${sc[key]}\` calls a function of the \`js:\` module, which this build of loadr cannot run yet`);
    walkSteps(sc.flow ?? [], ["scenarios", name, "flow"], ({ step, path }) => {
      if ("js" in step && typeof step.js === "object" && step.js.call !== undefined)
        errors.push(`${formatPath(path)}: \`js.call: ${step.js.call}\` calls a function of the \`js:\` module, which this build of loadr cannot run yet; use an inline \`script\``);
    });
  }
  const warnings =
    plan.js && (plan.js.file !== undefined || plan.js.script !== undefined)
      ? ["the `js:` module is not loaded by this build yet: its setup/teardown/beforeRequest/afterRequest/handleSummary are not called (inline `js` steps, conditions and `${js: ...}` do run)"]
      : [];
  return { errors, warnings };
}

/**
 * Other accepted-but-not-run parts of a plan, named once at start so nobody reads a summary that
 * silently lacks them: `observe:`. (Requests no protocol handler serves are refused instead:
 * src/plan/protocol-check.ts.)
 */
export function notYetRunnable(plan: Plan): string[] {
  return (plan.observe ?? []).length > 0 ? ["`observe:` is validated but not run by this build yet: no post-run system metrics are queried"] : [];
}
