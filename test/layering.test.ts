/**
 * The layering of src/ (docs/dev/architecture.md), checked from the imports themselves: every
 * relative `import … from`, `export … from` and `import()` of every source file.
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

/** "<file> -> <target>" for every relative import, both below src/ */
const edges: { from: string; to: string }[] = [];
for (const file of new Glob("**/*.ts").scanSync(SRC)) {
  const text = readFileSync(join(SRC, file), "utf8");
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g))
    edges.push({ from: file, to: relative(SRC, resolve(dirname(join(SRC, file)), m[1]!)) });
}
const top = (path: string) => (path.includes("/") ? path.slice(0, path.indexOf("/")) : path);
const offending = (from: (part: string) => boolean, to: (part: string) => boolean) =>
  edges.filter((e) => from(top(e.from)) && to(top(e.to))).map((e) => `${e.from} -> ${e.to}`);

describe("layering", () => {
  test("the imports were found (the check sees the tree)", () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.from === "run/session.ts" && e.to === "engine/coordinator/coordinator.ts")).toBe(true);
  });

  test("nothing below the composition roots imports plugins/, run/ or cli/", () => {
    const lower = ["engine", "pipeline", "protocols", "extract", "checks", "services", "metrics", "plan", "util", "outputs", "control", "ui", "report", "distributed"];
    expect(offending((p) => lower.includes(p), (p) => ["plugins", "run", "cli"].includes(p))).toEqual([]);
  });

  test("only run/ and cli/ import plugins/ (plugins/ loads, adapts and registers into the parts' registries)", () => {
    expect(offending((p) => !["plugins", "run", "cli"].includes(p), (p) => p === "plugins")).toEqual([]);
  });

  test("plan/ imports only util/; metrics/ only plan/ and util/", () => {
    expect(offending((p) => p === "plan", (p) => !["plan", "util"].includes(p))).toEqual([]);
    expect(offending((p) => p === "metrics", (p) => !["metrics", "plan", "util"].includes(p))).toEqual([]);
  });

  test("the coordinator does not know where the worker entry is: the run session tells it", () => {
    expect(offending((p) => p === "engine", (p) => p === "run")).toEqual([]);
    expect(readFileSync(join(SRC, "engine/coordinator/coordinator.ts"), "utf8")).not.toContain("worker-thread");
  });
});
