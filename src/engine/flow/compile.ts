/** Compiles a scenario's flow (single-key step objects) into CompiledSteps. */
import type { CompiledStep } from "./step.ts";
import { compileGroup } from "./group.ts";
import { compileThinkTime, type ThinkTimeSpec } from "./think-time.ts";
import { compileRequest, type RequestCompileContext, type RequestStepSpec } from "./request.ts";

/** Step kinds the schema accepts but whose run-time support comes in a later build. */
export class UnsupportedStepError extends Error {}

export function compileSteps(steps: Record<string, unknown>[], ctx: RequestCompileContext, path: string): CompiledStep[] {
  return steps.map((step, i) => {
    const [kind, body] = Object.entries(step)[0] as [string, any];
    const at = `${path}[${i}]`;
    switch (kind) {
      case "request":
        return compileRequest(body as RequestStepSpec, ctx);
      case "think_time":
        return compileThinkTime(body as ThinkTimeSpec);
      case "group":
        return compileGroup(body.name, compileSteps(body.steps ?? [], ctx, `${at}.group.steps`));
      default:
        throw new UnsupportedStepError(
          `${at}: the \`${kind}\` step is valid but this build of loadr cannot run it yet; remove it or use a newer loadr`,
        );
    }
  });
}
