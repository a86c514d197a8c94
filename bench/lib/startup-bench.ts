/** Bench 3: wall time of `loadr --version` (process start to exit), with hyperfine when present. */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseHyperfine, startupFromSamples, type StartupFigures } from "./parse.ts";
import { findTool } from "./prereqs.ts";
import { run } from "./proc.ts";

export const STARTUP_TARGET_MS = 50;
const RUNS = 20;
const WARMUP = 3;

export interface StartupResult extends Partial<StartupFigures> {
  status: "ok" | "failed";
  method?: string;
  error?: string;
  ok?: boolean;
}

export async function startupBench(o: { loadr: string; tmp: string }): Promise<StartupResult> {
  if (!existsSync(o.loadr)) return { status: "failed", error: `${relative(process.cwd(), o.loadr)} does not exist — run \`bun run build\` first` };
  const hyperfine = findTool("hyperfine");
  let figures: StartupFigures;
  let method: string;
  if (hyperfine) {
    const out = join(o.tmp, "startup.json");
    // -N: no intermediate shell, so the shell's own start-up is not counted
    const r = await run([hyperfine, "-N", "--warmup", String(WARMUP), "--runs", String(RUNS), "--export-json", out, `${o.loadr} --version`], 120_000);
    if (r.code !== 0) return { status: "failed", error: `hyperfine exited ${r.code}: ${r.stderr.trim().split("\n").pop()}` };
    figures = parseHyperfine(readFileSync(out, "utf8"));
    method = `hyperfine -N, ${WARMUP} warm-up + ${RUNS} runs`;
  } else {
    const ms: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const t0 = performance.now();
      const p = Bun.spawnSync([o.loadr, "--version"], { stdout: "ignore", stderr: "ignore" });
      const t = performance.now() - t0;
      if (!p.success) return { status: "failed", error: `${o.loadr} --version exited ${p.exitCode}` };
      if (i >= WARMUP) ms.push(t);
    }
    figures = startupFromSamples(ms);
    method = `spawn loop, ${WARMUP} warm-up + ${RUNS} runs`;
  }
  return { status: "ok", method, ...figures, ok: figures.meanMs < STARTUP_TARGET_MS };
}
