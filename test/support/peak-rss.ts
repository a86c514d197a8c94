/** A child process's peak resident set (VmHWM, from /proc), sampled while it runs: call the returned function once it exited. */
import { existsSync, readFileSync } from "node:fs";

export function watchPeakRss(pid: number, everyMs = 50): () => number {
  let peakKb = 0;
  const sample = () => {
    const m = /VmHWM:\s+(\d+) kB/.exec(existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, "utf8") : "");
    if (m) peakKb = Math.max(peakKb, Number(m[1]));
  };
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    return peakKb;
  };
}
