/** Running the tools: bounded in time, output captured, pinned to a core when we can. */
import { cpus } from "node:os";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
  /** user + system CPU seconds the process used (its rusage: every thread, and waited-for children) */
  cpuSeconds: number;
  userSeconds: number;
  sysSeconds: number;
}

/**
 * Runs argv, kills it (by its own pid) if it outlives timeoutMs. `onStart` receives the pid,
 * e.g. to sample its memory.
 */
export async function run(argv: string[], timeoutMs: number, onStart?: (pid: number) => void): Promise<RunResult> {
  const t0 = performance.now();
  const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  onStart?.(p.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.kill("SIGKILL");
  }, timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  const cpu = p.resourceUsage()?.cpuTime;
  const userSeconds = cpu ? Number(cpu.user) / 1e6 : 0;
  const sysSeconds = cpu ? Number(cpu.system) / 1e6 : 0;
  return { code, stdout, stderr, timedOut, ms: performance.now() - t0, cpuSeconds: userSeconds + sysSeconds, userSeconds, sysSeconds };
}

/** Full path of an executable on PATH, or null. */
export function which(cmd: string): string | null {
  return Bun.which(cmd);
}

/**
 * Core pinning: the target on core 0, the load generator on core 1, so the tool and the target
 * never compete with each other. Other work on the machine is not pinned and may still share
 * either core: lib/cpu.ts measures how much did, per run. Needs taskset and at least two cores.
 */
export const pinning = {
  available: which("taskset") !== null && cpus().length >= 2,
  cores: { target: 0, load: 1 },
  target(argv: string[]): string[] {
    return this.available ? ["taskset", "-c", String(this.cores.target), ...argv] : argv;
  },
  load(argv: string[]): string[] {
    return this.available ? ["taskset", "-c", String(this.cores.load), ...argv] : argv;
  },
};

/** Wraps argv in /bin/sh to raise the open-file limit first (10,000 VUs hold 10,000 sockets). */
export function withNofile(argv: string[], n = 65536): string[] {
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  return ["/bin/sh", "-c", `ulimit -n ${n} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${quoted}`];
}

/** The open-file hard limit this process may raise its soft limit to (containers often cap it). */
export function hardNofile(): number {
  const r = Bun.spawnSync(["/bin/sh", "-c", "ulimit -Hn"]);
  const t = r.stdout.toString().trim();
  return t === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(t) || 1024;
}
