/**
 * A loadr run with its memory watched: VmRSS and VmHWM read from /proc/<pid>/status every
 * 100 ms while it lasts (the VU benches and the JS module bench).
 */
import { readFileSync } from "node:fs";
import { parseLoadrSummary, procStatusBytes } from "./parse.ts";
import { run, type RunResult } from "./proc.ts";

export interface RssRun extends RunResult {
  /** highest VmRSS sampled, and the kernel's own high-water mark, in bytes */
  peakRss: number;
  hwm: number;
  samples: number;
}

export async function runSamplingRss(argv: string[], timeoutMs: number): Promise<RssRun> {
  let peakRss = 0;
  let hwm = 0;
  let samples = 0;
  let sampler: ReturnType<typeof setInterval> | undefined;
  const sample = (pid: number) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      // until the two execs the pid is still /bin/sh or taskset; count only loadr's own image
      const name = status.match(/^Name:\s+(\S+)/m)?.[1];
      if (name === "sh" || name === "dash" || name === "bash" || name === "taskset") return;
      peakRss = Math.max(peakRss, procStatusBytes(status, "VmRSS") ?? 0);
      hwm = Math.max(hwm, procStatusBytes(status, "VmHWM") ?? 0);
      samples++;
    } catch {
      // the process has exited
    }
  };
  const r = await run(argv, timeoutMs, (pid) => {
    sampler = setInterval(() => sample(pid), 100);
  });
  clearInterval(sampler);
  return { ...r, peakRss, hwm, samples };
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Peak memory of a loadr run that exports its summary to `summaryPath`, and its request count. */
export async function peakRss(argv: string[], timeoutMs: number, summaryPath: string): Promise<{ peakRssMB?: number; hwmMB?: number; requests?: number; error?: string }> {
  const r = await runSamplingRss(argv, timeoutMs);
  if (r.timedOut) return { error: "loadr did not finish in time (killed)" };
  if (r.code !== 0 && r.code !== 99) return { error: `loadr exited ${r.code}: ${r.stderr.trim().split("\n").pop() ?? ""}` };
  try {
    return { peakRssMB: mb(r.peakRss), hwmMB: mb(r.hwm), requests: parseLoadrSummary(readFileSync(summaryPath, "utf8")).requests };
  } catch (e) {
    return { error: `summary: ${(e as Error).message}` };
  }
}
