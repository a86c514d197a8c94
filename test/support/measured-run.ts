/**
 * Runs a plan through dist/loadr as run-plan.ts does, and measures what the hostile suites assert
 * bounds on: the wall time from spawn to exit and the process's peak resident memory (its workers
 * are threads, so one process's peak covers them).
 *
 * The peak is the kernel's VmHWM of /proc/<pid>/status, read while the process runs — not the
 * rusage maxrss Bun reports after exit: that one also counts the address space the child was
 * spawned from (the kernel records the spawning process's peak at exec), so once the bun test
 * process itself had grown past 600 MB (after test/release.test.ts) every loadr it spawned
 * "peaked" at the test runner's size: two different hostile tests read the same 651,411,456
 * bytes in one suite run.
 */
import { readFileSync } from "node:fs";
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
  const peak = watchPeakRss(proc.pid);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const elapsedMs = performance.now() - t0;
  clearTimeout(timer);
  const maxRss = peak.stop();
  const summary = readJsonIfThere(join(dir, "s.json"));
  return {
    code: proc.signalCode === "SIGKILL" ? -9 : code,
    stdout,
    stderr,
    dir,
    summary,
    ...summaryQueries(summary),
    elapsedMs,
    maxRss,
  };
}

/**
 * Polls the process's VmHWM (its peak RSS so far, a high-water mark) every 20 ms until stop();
 * the largest value read. What it can miss is a peak first reached in the last 20 ms of the run.
 * A `sh -c '... && exec loadr'` prefix keeps the pid: after the exec VmHWM is loadr's own.
 */
export function watchPeakRss(pid: number): { stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // the process has exited (or is a zombie without an address space): nothing more to read
    }
  };
  read();
  const timer = setInterval(read, 20);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
