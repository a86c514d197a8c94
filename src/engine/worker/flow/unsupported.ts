/** Plan features the schema accepts but this build cannot run: `loadr run` names them before any load. */
import type { Plan } from "../../../plan/schema.ts";

export class UnsupportedStepError extends Error {}

/**
 * Other accepted-but-not-run parts of a plan, named once at start so nobody reads a summary that
 * silently lacks them: `observe:`. (Requests no protocol handler serves are refused instead:
 * src/plan/protocol-check.ts.)
 */
export function notYetRunnable(plan: Plan): string[] {
  return (plan.observe ?? []).length > 0 ? ["`observe:` is validated but not run by this build yet: no post-run system metrics are queried"] : [];
}
