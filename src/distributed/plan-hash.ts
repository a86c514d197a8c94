/**
 * A plan's fingerprint for a scale-out test: the parts and the aggregator must run the same test,
 * so a part whose plan differs is refused at the door (docs/distributed.md). It covers the plan
 * as run — after the `--env` overlay, the overrides (`--vus`, `--duration`, …) and the tag filter
 * — and the contents of the files that shape the load (data, scripts, bodies, proto files).
 * Secrets, TLS files and plugin binaries may differ per machine and are left out, as is the
 * environment (`${env.X}` is resolved on each machine).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Plan } from "../plan/schema.ts";
import { planFiles } from "../plan/plan-files.ts";

const SHAPING = new Set(["data", "script", "body", "proto"]);

export function planHash(plan: Plan, baseDir: string): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(plan));
  for (const f of planFiles(plan).files) {
    if (!SHAPING.has(f.role)) continue;
    h.update(`\0${f.role}\0${f.path}\0`);
    try {
      h.update(readFileSync(isAbsolute(f.path) ? f.path : resolve(baseDir, f.path)));
    } catch {
      h.update("(unreadable)"); // the run itself reports the file; the fingerprint only compares
    }
  }
  return h.digest("hex").slice(0, 16);
}
