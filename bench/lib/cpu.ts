/**
 * How much CPU other work took while a tool ran. The bench machine is shared (CI, other test
 * suites), and a tool that had to share its core measures low; this makes that visible instead
 * of silently skewing a row. All figures from /proc (Linux); null elsewhere.
 */
import { readFileSync } from "node:fs";

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times; 100 on every Linux we run on. */
const TICKS = 100;

/** Busy CPU seconds of the whole machine so far (all cores; idle and iowait excluded). */
export function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busy = cpu.reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    return busy / TICKS;
  } catch {
    return null;
  }
}

/** user+system CPU seconds of a process and its direct children (nginx master + worker). */
export function treeCpuSeconds(pid: number): number {
  const own = (p: number | string): number => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) / TICKS; // fields 14 and 15: utime, stime
    } catch {
      return 0;
    }
  };
  let total = own(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) total += own(child);
  } catch {
    // no children file: count the process alone
  }
  return total;
}

/**
 * Foreign CPU in a window: machine busy time minus what the tool and the target used, as a share
 * of one core. ~0 = the run had the machine to itself.
 */
export function foreignCpuShare(o: {
  busyBefore: number | null;
  busyAfter: number | null;
  targetBefore: number;
  targetAfter: number;
  toolSeconds: number;
  wallSeconds: number;
}): number | null {
  if (o.busyBefore === null || o.busyAfter === null || o.wallSeconds <= 0) return null;
  const other = o.busyAfter - o.busyBefore - (o.targetAfter - o.targetBefore) - o.toolSeconds;
  return Math.max(0, other / o.wallSeconds);
}
