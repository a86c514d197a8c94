/**
 * `loadr validate` reports every problem at once: when the schema rejects parts of a plan, the
 * semantic checks (references, methods, threshold metrics…) still run on the rest. The parts at
 * fault are pruned from a copy of the document — the failing value, or its container when a
 * required key is missing — until it parses (a few rounds at most); the checks run on that plan,
 * and their paths are mapped back to the document (a removed array element shifts the later ones).
 *
 * A node may be repaired once instead of pruned (the caller's `repair`: a scenario whose executor
 * settings are wrong keeps its flow, so its requests are still checked).
 *
 * What pruning cannot know is dropped rather than guessed: a finding at or above a pruned node
 * ("a test needs at least one scenario" once the only scenario was pruned), warnings after a
 * pruned node in its scenario (an extractor it pruned may be what a later `${name}` reads), and
 * findings naming a pruned definition (a `metrics:`, `variables:`, `secrets:`, `data:` or
 * `plugins:` entry).
 */
import type { Segment } from "./locate.ts";
import { inputAt as at } from "./zod-issues.ts";

/** What one parse attempt says: the parsed value, or the paths of the problems. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; paths: Segment[][] };

export interface Salvaged<T> {
  value: T;
  /** a finding on the salvaged value, back in the document's paths; undefined: drop it (it may be an echo of a pruned part) */
  mapBack(path: readonly Segment[], severity: "error" | "warning", message: string): Segment[] | undefined;
}

const MAX_ROUNDS = 12;
const DEFINITIONS = new Set(["metrics", "variables", "secrets", "data"]);

/** Prune `doc` until `attempt` accepts it; undefined when the document's root itself is at fault. */
export function salvage<T>(
  doc: unknown,
  first: Segment[][],
  attempt: (doc: unknown) => Attempt<T>,
  repair: (path: readonly Segment[], node: unknown) => unknown = () => undefined,
): Salvaged<T> | undefined {
  const copy = deepCopy(doc);
  const repaired = new Set<string>();
  const fix = (p: Segment[], node: unknown) => {
    const key = JSON.stringify(p);
    if (repaired.has(key)) return undefined;
    repaired.add(key);
    return repair(p, node);
  };
  const splices: { array: Segment[]; index: number }[] = [];
  /** pruned nodes, in the document's own paths */
  const pruned: Segment[][] = [];
  const definitions = new Set<string>();
  let paths = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sinceRound = splices.length;
    for (const original of paths) {
      const p = forward(original, splices.slice(sinceRound));
      if (p === undefined) continue; // inside an element already removed this round
      const removed = prune(copy, p, fix);
      if (removed === undefined) return undefined;
      if (removed.repaired) continue;
      const inDoc = back(removed.path, splices);
      pruned.push(inDoc);
      const name = definitionName(doc, inDoc);
      if (name !== undefined) definitions.add(name);
      if (removed.spliced) splices.push({ array: removed.path.slice(0, -1), index: removed.path[removed.path.length - 1] as number });
    }
    const r = attempt(copy);
    if (r.ok) return { value: r.value, mapBack: (path, severity, message) => keep(back(path, splices), severity, message, pruned, definitions) };
    paths = r.paths;
  }
  return undefined;
}

function keep(path: Segment[], severity: "error" | "warning", message: string, pruned: Segment[][], definitions: Set<string>): Segment[] | undefined {
  for (const p of pruned) {
    if (startsWith(path, p)) return undefined;
    if (severity === "warning" && p[0] === "scenarios" && path[0] === "scenarios" && p[1] === path[1] && after(path, p)) return undefined;
  }
  for (const name of definitions) if (message.includes(`\`${name}\``) || message.includes(`.${name}}`)) return undefined;
  return path;
}

/** Remove (or repair) the node at `path`, or, when it is absent, the nearest container that has it; undefined at the root. */
function prune(
  doc: unknown,
  path: Segment[],
  fix: (p: Segment[], node: unknown) => unknown,
): { path: Segment[]; spliced: boolean; repaired?: true } | undefined {
  for (let p = path; p.length > 0; p = p.slice(0, -1)) {
    const parent = at(doc, p.slice(0, -1));
    const key = p[p.length - 1]!;
    const node = at(doc, p);
    const replacement = node === undefined ? undefined : fix(p, node);
    if (replacement !== undefined) {
      (parent as Record<string, unknown>)[key as string] = replacement;
      return { path: p, spliced: false, repaired: true };
    }
    if (Array.isArray(parent) && typeof key === "number" && key < parent.length) {
      parent.splice(key, 1);
      return { path: p, spliced: true };
    }
    if (parent !== null && typeof parent === "object" && !Array.isArray(parent) && Object.hasOwn(parent, key)) {
      delete (parent as Record<string, unknown>)[key];
      return { path: p, spliced: false };
    }
  }
  return undefined;
}

/** A path after the given removals (undefined when it was inside a removed element). */
function forward(path: Segment[], splices: readonly { array: Segment[]; index: number }[]): Segment[] | undefined {
  let p = path;
  for (const s of splices) {
    if (!startsWith(s.array, p) || p.length <= s.array.length) continue;
    const i = p[s.array.length] as number;
    if (i === s.index) return undefined;
    if (i > s.index) p = [...p.slice(0, s.array.length), i - 1, ...p.slice(s.array.length + 1)];
  }
  return p;
}

/** A path of the pruned copy, in the document's paths: undo the removals, newest first. */
function back(path: readonly Segment[], splices: readonly { array: Segment[]; index: number }[]): Segment[] {
  let p = [...path];
  for (let k = splices.length - 1; k >= 0; k--) {
    const s = splices[k]!;
    if (!startsWith(s.array, p) || p.length <= s.array.length) continue;
    const i = p[s.array.length] as number;
    if (i >= s.index) p = [...p.slice(0, s.array.length), i + 1, ...p.slice(s.array.length + 1)];
  }
  return p;
}

/** The name a pruned definition is referred to by (`metrics.orders` → orders; `plugins[2]` → its name). */
function definitionName(doc: unknown, path: Segment[]): string | undefined {
  if (path.length >= 2 && DEFINITIONS.has(String(path[0]))) return String(path[1]);
  if (path.length >= 2 && path[0] === "plugins") {
    const name = (at(doc, path.slice(0, 2)) as { name?: unknown } | undefined)?.name;
    return typeof name === "string" ? name : undefined;
  }
  return undefined;
}

/** `a` comes after `b` in document order (indices compared as numbers). */
function after(a: readonly Segment[], b: readonly Segment[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return typeof a[i] === "number" && typeof b[i] === "number" ? (a[i] as number) > (b[i] as number) : String(a[i]) > String(b[i]);
  }
  return a.length > b.length;
}

function startsWith(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** Arrays and plain objects copied, every occurrence on its own (YAML aliases share objects: pruning one must not prune the other). */
function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)]));
  return v;
}
