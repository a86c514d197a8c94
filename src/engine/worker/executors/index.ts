/**
 * The executors (reference §2.3), one file each holding its config and its run, registered from
 * the file itself; the shared machinery sits beside them (vu-loop: VUs and iterations;
 * gated-pool: a VU pool under a moving target; stages: piecewise-linear profiles;
 * arrival-dispatcher: the open-model schedule).
 */
import "./constant-vus.ts";
import "./per-vu-iterations.ts";
import "./shared-iterations.ts";
import "./ramping-vus.ts";
import "./externally-controlled.ts";
import "./constant-arrival-rate.ts";
import "./ramping-arrival-rate.ts";

export { planExecutor, UnsupportedExecutorError } from "./registry.ts";
export type { ExecutorPlan, ExecutorSpec } from "./types.ts";
