/**
 * Runs a plan through dist/loadr as run-plan.ts does, and measures what the hostile suites assert
 * bounds on: the wall time from spawn to exit and the process's peak resident memory (its workers
 * are threads, so the kernel's maxrss of the process covers them).
 */
import { join } from "node:path";
import { loadrArgv, readJsonIfThere, requireBinary, scratch, spawnPiped } from "./cli.ts";
import { type PlanRun, summaryQueries } from "./run-plan.ts";

export interface MeasuredRun extends PlanRun {
  elapsedMs: number;
  /** peak resident set size, bytes */
  maxRss: number;
}

export interface MeasuredRunOptions {
  files?: Record<string, string>;
  args?: string[];
  /** a shell line run before loadr in the same shell, e.g. `ulimit -n 200` */
  shellPrefix?: string;
  /** a command loadr runs under, which execs it (its pid stays loadr's), e.g. `["unshare", "-rmn"]` */
  wrap?: string[];
  /** the process is killed past this (the result says so through `code` -9) */
  killAfterMs?: number;
}

export async function measuredRun(plan: string, o: MeasuredRunOptions = {}): Promise<MeasuredRun> {
  requireBinary();
  const dir = scratch({ ...o.files, "plan.yaml": plan });
  const args = ["run", join(dir, "plan.yaml"), "--summary-export", join(dir, "s.json"), ...(o.args ?? [])];
  const argv = [...(o.wrap ?? []), ...loadrArgv(args, o.shellPrefix)];
  const t0 = performance.now();
  const proc = spawnPiped(argv, dir);
  const timer = setTimeout(() => proc.kill("SIGKILL"), o.killAfterMs ?? 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const elapsedMs = performance.now() - t0;
  clearTimeout(timer);
  const summary = readJsonIfThere(join(dir, "s.json"));
  return {
    code: proc.signalCode === "SIGKILL" ? -9 : code,
    stdout,
    stderr,
    dir,
    summary,
    ...summaryQueries(summary),
    elapsedMs,
    maxRss: proc.resourceUsage()?.maxRSS ?? 0,
  };
}
