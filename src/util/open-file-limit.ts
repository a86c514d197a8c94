/**
 * This process's open-file limit (RLIMIT_NOFILE, the soft one), from /proc/self/limits, else
 * from `ulimit -n` in a child shell (which inherits it); undefined when unlimited or unknown.
 * Bun raises its soft limit to the hard one at start (measured on 1.4.4: under `ulimit -Sn 1024`
 * with a hard limit of 20000 this process reads 20000), so this is what the run's sockets get.
 */
import { readFileSync } from "node:fs";

export function openFileLimit(): number | undefined {
  let text: string | undefined;
  try {
    text = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
  } catch {
    const r = Bun.spawnSync(["sh", "-c", "ulimit -n"], { stdout: "pipe", stderr: "ignore" });
    if (r.exitCode === 0) text = r.stdout.toString().trim();
  }
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
