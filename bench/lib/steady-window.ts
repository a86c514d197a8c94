/**
 * A run's steady state: its figures from `warmSeconds` after the load started to the load's end,
 * leaving out start-up, warm-up and shutdown. What the JS module bench compares beside the whole
 * run: each of a module's 50 VU contexts compiles and warms up its own copy of the script (a
 * context's code is its own: src/engine/worker/js/module/runtime.ts), which a short run counts
 * against the module plan while a long test spends nearly all its time past it.
 *
 * The window is the same for every plan compared: it starts at the first point of the run's
 * summary timeline at or after `warmSeconds` of load (loadr's own interval points, with its
 * cumulative request count) and ends where the load ended (`ended_ms`). Requests come from the
 * timeline; the process's CPU at both ends from /proc/<pid>/stat sampled during the run,
 * interpolated to the two instants. Linux only (no /proc: no window).
 */
import { readFileSync } from "node:fs";
import { cpuUsPerRequest } from "./stats.ts";

/** seconds of load the benches leave out of the steady window (a module's 50 contexts compile and warm up in about 1 s; four scale-out parts and their aggregator start five processes' compilers) */
export const WARM_SECONDS = 2;
/** USER_HZ, the unit of /proc/<pid>/stat times */
const TICKS = 100;
const SAMPLE_MS = 50;

/** One reading of a process's user + system CPU seconds (all its threads) at a wall-clock instant. */
export interface CpuSample {
  atMs: number;
  cpuSeconds: number;
}

/**
 * Samples `pid`'s CPU every SAMPLE_MS while it runs; `exited(cpuSeconds)` ends the sampling with
 * the process's own total at its exit (its rusage), so the load's end, often less than one
 * interval before the exit, lies between two samples.
 */
export function sampleCpu(pid: number): { samples: CpuSample[]; exited(cpuSeconds: number): void } {
  const samples: CpuSample[] = [];
  const read = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      samples.push({ atMs: Date.now(), cpuSeconds: (Number(f[11]) + Number(f[12])) / TICKS }); // utime, stime
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(read, SAMPLE_MS);
  read();
  return {
    samples,
    exited(cpuSeconds) {
      clearInterval(timer);
      samples.push({ atMs: Date.now(), cpuSeconds });
    },
  };
}

/** CPU seconds at `atMs`, linear between the samples around it; undefined outside them. */
export function cpuAt(samples: readonly CpuSample[], atMs: number): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a.atMs <= atMs && atMs <= b.atMs) return b.atMs === a.atMs ? b.cpuSeconds : a.cpuSeconds + ((b.cpuSeconds - a.cpuSeconds) * (atMs - a.atMs)) / (b.atMs - a.atMs);
  }
  return undefined;
}

export interface TimelineSummary {
  started_ms?: number;
  ended_ms?: number;
  duration_secs: number;
  timeline?: { elapsed_secs: number; requests: number }[];
}

export interface SteadyFigures {
  /** where the window starts, seconds of load */
  fromSecs: number;
  seconds: number;
  requests: number;
  rps: number;
  cpuUsPerReq?: number;
}

/** The figures of the window from the first timeline point at or after `warmSeconds` to the load's end; undefined when the run has no such point. */
export function steadyFigures(summary: TimelineSummary, samples: readonly CpuSample[], warmSeconds: number): SteadyFigures | undefined {
  const points = summary.timeline ?? [];
  const from = points.find((p) => p.elapsed_secs >= warmSeconds);
  const last = points.at(-1);
  if (from === undefined || last === undefined || last === from || summary.started_ms === undefined || summary.ended_ms === undefined) return undefined;
  const seconds = summary.duration_secs - from.elapsed_secs;
  const requests = last.requests - from.requests;
  if (seconds <= 0 || requests <= 0) return undefined;
  const cpu0 = cpuAt(samples, summary.started_ms + from.elapsed_secs * 1000);
  const cpu1 = cpuAt(samples, summary.ended_ms);
  return {
    fromSecs: from.elapsed_secs,
    seconds,
    requests,
    rps: requests / seconds,
    cpuUsPerReq: cpu0 !== undefined && cpu1 !== undefined ? cpuUsPerRequest(cpu1 - cpu0, requests) : undefined,
  };
}
