/**
 * One measured run of a load generator: bounded, pinned to the load core unless asked not to,
 * with its CPU time (user + system, from the child's rusage) and what other work took on the
 * machine meanwhile (lib/cpu.ts). Every bench that runs a generator goes through here, so each
 * row carries the same figures; lib/stats.ts turns a bench's rounds of these into medians.
 */
import { contention, cpuTimes, isContended, type Contention } from "./cpu.ts";
import { pinning, run, type RunResult } from "./proc.ts";
import { cpuUsPerRequest, median } from "./stats.ts";

export interface MeasuredRun extends RunResult {
  /** the argv as run (with the pinning prefix) */
  argv: string[];
  contention: Contention;
  /** the target's CPU during the run, in cores (near 1 = the target, not the tool, set the pace) */
  targetCores?: number;
}

export interface MeasureOptions {
  timeoutMs: number;
  /** the target's CPU seconds so far, to tell its share from other work */
  targetCpu?: () => number;
  /** false: let the generator use every core (scaling, blocking plugin) */
  pin?: boolean;
  onStart?: (pid: number) => void;
}

/** The argv as measuredRun runs it: on the load core unless `pin` is false (or pinning is unavailable). */
export function asRun(argv: string[], pin = true): string[] {
  return pin && pinning.available ? pinning.load(argv) : argv;
}

export async function measuredRun(argv: string[], o: MeasureOptions): Promise<MeasuredRun> {
  const pinned = o.pin !== false && pinning.available;
  const full = asRun(argv, pinned);
  const before = cpuTimes();
  const target0 = o.targetCpu?.() ?? 0;
  const r = await run(full, o.timeoutMs, o.onStart);
  const after = cpuTimes();
  const targetSeconds = (o.targetCpu?.() ?? 0) - target0;
  const wall = r.ms / 1000;
  return {
    ...r,
    argv: full,
    contention: contention({ before, after, toolSeconds: r.cpuSeconds, targetSeconds, wallSeconds: wall, cores: pinned ? pinning.cores : undefined }),
    targetCores: o.targetCpu && wall > 0 ? targetSeconds / wall : undefined,
  };
}

/** What one run of a generator gave: requests/s and its cost, and how clean the run was. */
export interface RunFigures {
  rps: number;
  requests: number;
  /** user + system µs per request of the generator process (start-up and shutdown included) */
  cpuUsPerReq?: number;
  targetCores?: number;
  contention?: Contention;
}

export function runFigures(m: MeasuredRun, rps: number, requests: number): RunFigures {
  return { rps, requests, cpuUsPerReq: cpuUsPerRequest(m.cpuSeconds, requests), targetCores: m.targetCores, contention: m.contention };
}

/** Medians over a side's runs (failed rounds are undefined and left out). */
export interface RunsSummary {
  /** runs that measured (failed rounds are left out) */
  okRuns: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  cpuUsPerReq: number;
  targetCores: number;
  /** median other work in cores: machine-wide, on the load core, on the target core */
  otherMachine: number;
  otherLoadCore: number;
  otherTargetCore: number;
  /** runs with more than CONTENDED_CORES of other work on the tool's or the target's core */
  contendedRuns: number;
}

export function summarizeRuns(runs: readonly (RunFigures | undefined)[]): RunsSummary {
  const ok = runs.filter((r): r is RunFigures => r !== undefined);
  const rps = ok.map((r) => r.rps);
  return {
    okRuns: ok.length,
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    cpuUsPerReq: median(ok.map((r) => r.cpuUsPerReq)),
    targetCores: median(ok.map((r) => r.targetCores)),
    otherMachine: median(ok.map((r) => r.contention?.machine)),
    otherLoadCore: median(ok.map((r) => r.contention?.loadCore)),
    otherTargetCore: median(ok.map((r) => r.contention?.targetCore)),
    contendedRuns: ok.filter((r) => isContended(r.contention)).length,
  };
}
