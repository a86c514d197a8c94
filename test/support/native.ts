/** Helpers for the native-plugin tests: compile C fixtures, read summary metrics. */
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const EXAMPLES = join(ROOT, "plugins/examples");
export const DIST_PLUGINS = join(ROOT, "dist/plugins");

/** cc -shared a C file into `out` (with extra flags); throws with the compiler's message. */
export function buildC(src: string, out: string, flags: string[] = [], cc = "cc"): string {
  const r = Bun.spawnSync([cc, "-O1", "-fPIC", "-shared", "-fvisibility=hidden", "-o", out, src, ...flags], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cc} ${src}: ${r.stderr.toString()}`);
  return out;
}

export interface SummaryLike {
  metrics: { metric: string; agg: { count: number; sum: number; rate: number | null } }[];
  checks: { name: string; passes: number; fails: number }[];
  snapshot: { series: { metric: string; tags: Record<string, string>; agg: { count: number; sum: number; rate: number | null } }[] };
}

export function metric(s: SummaryLike, name: string) {
  return s.metrics.find((m) => m.metric === name)?.agg;
}
