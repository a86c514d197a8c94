/**
 * The memory guard (`--max-memory`): a run whose process passes its memory bound is stopped by
 * loadr, with its summary and one line saying why, instead of being killed by the kernel with
 * nothing. Workers are threads of this process, so the process's resident set is the whole
 * run's. Default: a share of the machine's memory (the cgroup's limit in a container).
 *
 * Past the bound the run stops as on Ctrl-C (workers flush what they measured); should the run
 * not end within STOP_GRACE_MS, or memory keep growing past the bound by a quarter, the workers
 * are terminated (their last second of results may be lost, the rest is kept).
 *
 * How often it samples follows the headroom: the next sample comes before the process could
 * reach the bound growing at FAST_GROWTH_BYTES_PER_MS, between MIN_POLL_MS (near or past the
 * bound) and MAX_POLL_MS (far below it, the usual case). A sample costs ~15 µs plus a wake-up;
 * 20 wake-ups a second in every process showed in a profile of four scale-out parts sharing one
 * core (`bun --cpu-prof-md` of a part's main thread: `rss` 7 % of its samples), one a second
 * does not. A run still passes the bound by what it allocates until the guard acts.
 */
import { totalmem } from "node:os";
import { parseBytes } from "../plan/size.ts";

/** The default bound's share of the machine's memory. */
export const DEFAULT_MEMORY_SHARE = 0.8;
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 1000;
/** faster than a process fills memory in practice (a loopback body arrives at ~2–4 GB/s) */
const FAST_GROWTH_BYTES_PER_MS = 4 * 2 ** 20;
const STOP_GRACE_MS = 2000;
const KILL_FACTOR = 1.25;

/** The memory this process may use: the cgroup's limit when there is one, else the machine's. */
export function machineMemory(): number {
  const constrained = (process as { constrainedMemory?: () => number }).constrainedMemory?.() ?? 0;
  const total = totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}

/** The default bound, in bytes. */
export function defaultMemoryLimit(): number {
  return Math.floor(machineMemory() * DEFAULT_MEMORY_SHARE);
}

/**
 * `--max-memory`: a size (`4GB`, `512MB`), a share of the machine's memory (`50%`), or `off`.
 * Returns bytes, 0 for off. Throws with what to write instead.
 */
export function parseMemoryLimit(v: string): number {
  const s = v.trim().toLowerCase();
  if (s === "off" || s === "0") return 0;
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) {
    const share = Number(pct[1]) / 100;
    if (share <= 0 || share > 1) throw new Error(`a share must be above 0% and at most 100%, got \`${v}\``);
    return Math.floor(machineMemory() * share);
  }
  try {
    return parseBytes(v);
  } catch (e) {
    throw new Error(`${(e as Error).message.replace(/ \(try .*\)$/, "")} (try e.g. \`4GB\`, \`512MB\`, \`50%\` or \`off\`)`);
  }
}

const gb = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

export interface GuardedRun {
  /** stop gracefully, with the reason the summary shows */
  stop(reason: string): void;
  /** terminate the workers now */
  kill(): void;
}

/** Watch the process's memory while the run goes; returns the function that stops watching. */
export function guardMemory(limit: number, run: GuardedRun, rss: () => number = () => process.memoryUsage.rss()): () => void {
  if (!(limit > 0)) return () => {};
  let stoppedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (used: number) => {
    const ms = stoppedAt === 0 ? Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, (limit - used) / FAST_GROWTH_BYTES_PER_MS)) : MIN_POLL_MS;
    timer = setTimeout(sample, ms);
  };
  const sample = () => {
    let used: number;
    try {
      used = rss();
    } catch {
      return next(limit); // it reads /proc: with every file descriptor in use (EMFILE) there is no sample this time, the next one soon
    }
    if (stoppedAt === 0) {
      if (used <= limit) return next(used);
      stoppedAt = performance.now();
      run.stop(`memory: the process used ${gb(used)}, past --max-memory ${gb(limit)} (raise it, or lower the load or what it keeps: VUs, body sizes, series)`);
    } else if (used > limit * KILL_FACTOR || performance.now() - stoppedAt > STOP_GRACE_MS) {
      return run.kill();
    }
    next(used);
  };
  next(0);
  return () => clearTimeout(timer);
}
