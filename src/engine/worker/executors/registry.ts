/**
 * Executor name → its schedule (reference §2.3). Each executor is one file that registers itself
 * here when imported (k6's lib/executor/ model); index.ts imports them all.
 */
import type { ExecutorContext, ExecutorPlan } from "./types.ts";

export class UnsupportedExecutorError extends Error {}

const executors = new Map<string, (ctx: ExecutorContext) => ExecutorPlan>();

/** Called once by each executor file at import. */
export function registerExecutor(name: string, plan: (ctx: ExecutorContext) => ExecutorPlan): void {
  if (executors.has(name)) throw new Error(`internal: executor \`${name}\` registered twice`);
  executors.set(name, plan);
}

export function planExecutor(ctx: ExecutorContext): ExecutorPlan {
  const plan = executors.get(ctx.spec.executor);
  if (plan === undefined) throw new UnsupportedExecutorError(`scenario \`${ctx.rt.name}\`: unknown executor \`${ctx.spec.executor}\``);
  return plan(ctx);
}
