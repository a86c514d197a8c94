import type { IndexMode } from "./specs.ts";

const MODES: ReadonlySet<string> = new Set(["first", "last", "random", "all"]);

/** Validate `index` at compile time so run() never sees a bad mode. */
export function checkIndexMode(index: unknown): IndexMode {
  if (index === undefined) return "first";
  if (typeof index !== "string" || !MODES.has(index)) {
    throw new Error(`invalid index ${JSON.stringify(index)}: expected one of first, last, random, all`);
  }
  return index as IndexMode;
}

/**
 * The reference's `index` rule over a non-empty list of matches: first (default), last, random
 * (uniform, from the caller's generator), all (the list itself, a JSON array).
 */
export function pick(matches: unknown[], index: IndexMode, random: () => number): unknown {
  switch (index) {
    case "first":
      return matches[0];
    case "last":
      return matches[matches.length - 1];
    case "random":
      // min() guards a generator that returns exactly 1.
      return matches[Math.min(matches.length - 1, Math.floor(random() * matches.length))];
    case "all":
      return matches;
  }
}
