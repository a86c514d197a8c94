/**
 * Runs a plan through dist/loadr and times it, optionally sending a signal partway: the hostile
 * suites assert that a run ends by its deadline (or within graceful_stop + 5 s of a signal) with
 * its summary written. A run still going at `killAfterMs` is killed and reported as such.
 */
import { join } from "node:path";
import { loadrArgv, readJsonIfThere, requireBinary, scratch, spawnPiped } from "./cli.ts";

export interface TimedRun {
  code: number | null;
  /** the process had to be killed at killAfterMs */
  killed: boolean;
  stdout: string;
  stderr: string;
  /** from spawn to exit */
  elapsedMs: number;
  /** from the signal to exit (when one was sent) */
  afterSignalMs: number | undefined;
  dir: string;
  summary: any;
}

export interface TimedRunOptions {
  files?: Record<string, string>;
  args?: string[];
  /** send `signal` once stderr contains this text (or at signalAfterMs) */
  signalWhen?: string;
  signalAfterMs?: number;
  signal?: "SIGTERM" | "SIGINT";
  killAfterMs?: number;
  /** a shell line run before loadr, e.g. `ulimit -n 512` */
  shellPrefix?: string;
  command?: "run" | "validate";
}

export async function timedRun(plan: string, o: TimedRunOptions = {}): Promise<TimedRun> {
  requireBinary();
  const dir = scratch({ ...o.files, "plan.yaml": plan });
  const command = o.command ?? "run";
  const args = [command, join(dir, "plan.yaml"), ...(command === "run" ? ["--summary-export", join(dir, "s.json")] : []), ...(o.args ?? [])];
  const argv = loadrArgv(args, o.shellPrefix);
  const t0 = performance.now();
  const proc = spawnPiped(argv, dir);
  let stderr = "";
  let signalledAt: number | undefined;
  const signal = () => {
    if (signalledAt !== undefined || proc.exitCode !== null) return;
    signalledAt = performance.now();
    proc.kill(o.signal ?? "SIGTERM");
  };
  const errDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) {
      stderr += dec.decode(chunk);
      if (o.signalWhen !== undefined && stderr.includes(o.signalWhen)) signal();
    }
  })();
  const outDone = new Response(proc.stdout).text();
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (o.signalAfterMs !== undefined) timers.push(setTimeout(signal, o.signalAfterMs));
  let killed = false;
  timers.push(
    setTimeout(() => {
      killed = true;
      proc.kill("SIGKILL");
    }, o.killAfterMs ?? 60_000),
  );
  const code = await proc.exited;
  const end = performance.now();
  for (const t of timers) clearTimeout(t);
  const [stdout] = await Promise.all([outDone, errDone]);
  return {
    code: killed ? null : code,
    killed,
    stdout,
    stderr,
    elapsedMs: end - t0,
    afterSignalMs: signalledAt === undefined ? undefined : end - signalledAt,
    dir,
    summary: readJsonIfThere(join(dir, "s.json")),
  };
}

/** The sum of a metric's `agg.sum` over the summary's series (a counter's total). */
export function total(summary: any, metric: string): number {
  return ((summary?.snapshot?.series ?? []) as { metric: string; agg: { sum: number | null } }[])
    .filter((s) => s.metric === metric)
    .reduce((n, s) => n + (s.agg.sum ?? 0), 0);
}

/**
 * A ramp to 100,000 VUs in 0 s held for `hold`: each VU's start costs 300 empty loop passes
 * before it waits, so starting them all takes seconds of the worker's time (and no sockets).
 */
export function rampTo100k(hold: string): string {
  return `
scenarios:
  s:
    executor: ramping-vus
    stages: [{ duration: 0s, target: 100000 }, { duration: ${hold}, target: 100000 }]
    graceful_stop: 1s
    flow:
      - repeat: { times: 300, steps: [] }
      - think_time: { type: constant, duration: 1h }
`;
}
