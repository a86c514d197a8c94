/**
 * How much CPU other work took while a tool ran. The bench machine is shared (CI, other test
 * suites), and a tool that had to share its core measures low; this makes that visible instead
 * of silently skewing a row. All figures from /proc (Linux); null elsewhere.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times; 100 on every Linux we run on. */
const TICKS = 100;

/** Busy CPU seconds so far: the whole machine and each core. */
export interface CpuTimes {
  all: number;
  /** indexed by core number */
  cores: number[];
}

/**
 * Busy seconds of a /proc/stat text: user, nice, system, irq, softirq. Idle and iowait are not
 * busy; steal is time the hypervisor gave to someone else, and guest time is already inside user.
 */
export function parseProcStat(text: string): CpuTimes {
  const busy = (line: string) => {
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice
    return ((v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0)) / TICKS;
  };
  const out: CpuTimes = { all: 0, cores: [] };
  for (const line of text.split("\n")) {
    const m = /^cpu(\d*)\s/.exec(line);
    if (!m) continue;
    if (m[1] === "") out.all = busy(line);
    else out.cores[Number(m[1])] = busy(line);
  }
  return out;
}

export function cpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync("/proc/stat", "utf8"));
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
 * user+system CPU seconds of each thread of this process by thread name, digits at the end
 * dropped ("Bun Pool 0" and "Bun Pool 1" count together): how much of a run's CPU went to JIT
 * compiler, GC and allocator threads rather than the JS thread (named as the process, "bun").
 * Threads that ended are not counted.
 */
export function threadCpuSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\s*\d+$/, "");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / TICKS);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * Other work during one run, in cores (0 = none; 0.5 = half a core went to something else).
 * `machine`: everything but the tool and the target. With pinning, also per core: `loadCore` is
 * what shared the tool's own core (it measures low by about that share) and `targetCore` what
 * shared the target's (where the target is the ceiling, every tool measures low).
 */
export interface Contention {
  machine: number | null;
  loadCore?: number | null;
  targetCore?: number | null;
}

export function contention(o: {
  before: CpuTimes | null;
  after: CpuTimes | null;
  /** CPU seconds of the tool (all its threads; pinned runs: all on the load core) */
  toolSeconds: number;
  /** CPU seconds of the target in the window (pinned: all on the target core) */
  targetSeconds: number;
  wallSeconds: number;
  /** the cores tool and target were pinned to, when they were */
  cores?: { load: number; target: number };
}): Contention {
  const { before, after, wallSeconds: w } = o;
  if (!before || !after || w <= 0) return { machine: null };
  const share = (busy: number | undefined, own: number) => (busy === undefined ? null : Math.max(0, (busy - own) / w));
  const out: Contention = { machine: share(after.all - before.all, o.toolSeconds + o.targetSeconds) };
  if (o.cores) {
    const d = (c: number) => (after.cores[c] !== undefined && before.cores[c] !== undefined ? after.cores[c]! - before.cores[c]! : undefined);
    out.loadCore = share(d(o.cores.load), o.toolSeconds);
    out.targetCore = share(d(o.cores.target), o.targetSeconds);
  }
  return out;
}

/**
 * Above this much other work (cores) on the tool's or the target's core — machine-wide when not
 * pinned — a run is marked contended: its requests/s says more about the machine than the tool.
 * Quiet-machine runs of this bench measured 0.00–0.01.
 */
export const CONTENDED_CORES = 0.1;

export function isContended(c: Contention | undefined): boolean {
  if (!c) return false;
  const over = (v: number | null | undefined) => v !== null && v !== undefined && v > CONTENDED_CORES;
  return c.loadCore !== undefined || c.targetCore !== undefined ? over(c.loadCore) || over(c.targetCore) : over(c.machine);
}
