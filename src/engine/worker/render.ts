/**
 * Templates as the engine renders them: compiled once per worker into a function of the VU, with
 * every `${...}` name already turned into its accessor (names.ts). Same result and the same
 * UnresolvedError as plan/template.ts's renderTemplate with `vu.resolve`, without a lookup by
 * expression text per part per request.
 *
 * A dynamic template also remembers what it rendered for recent values (shared by the worker's
 * VUs): the same values give back the same string object. A URL that rotates through a few CSV
 * values or carries an extracted token then reaches the HTTP client as a string it has seen
 * before — already flat and hashed, so the client's URL and head caches hit without re-hashing a
 * freshly concatenated string (the largest single cost of a templated URL in the flow bench).
 */
import { stringifyValue, UnresolvedError, type Template } from "../../plan/template.ts";
import { nameAccessor, type NameAccessor } from "./name-resolution.ts";
import type { Vu } from "./vu.ts";

export type RenderFn = (vu: Vu) => string;

/** remembered renders per template; past it the memory starts over (a simple bound, no LRU) */
const MEMO_MAX = 256;
/** renders after which a template whose values rarely repeat stops remembering */
const MEMO_TRIAL = 4096;

type Value = string | number | boolean | null;
interface Memo {
  /** the values after the first (the first is the map key) */
  rest: Value[];
  out: string;
}

export function compileRender(t: Template): RenderFn {
  if (t.kind === "static") {
    const text = t.text;
    return () => text;
  }
  // literals and accessors in template order; the expressions kept beside for UnresolvedError
  const parts: (string | NameAccessor)[] = [];
  const exprs: string[] = [];
  for (const p of t.parts) {
    if (typeof p === "string") {
      parts.push(p);
      exprs.push("");
    } else {
      parts.push(nameAccessor(p.expr));
      exprs.push(p.expr);
    }
  }
  const n = parts.length;
  // `js:` values are computed afresh by design (often random): nothing to remember
  let memo: Map<Value, Memo> | null = t.parts.some((p) => typeof p !== "string" && p.expr.startsWith("js:")) ? null : new Map();
  let renders = 0;
  let hits = 0;
  // this render's values (non-primitives already as their text); rendering is synchronous, so
  // one array serves every call
  const values: unknown[] = new Array(n).fill(undefined);

  const concat = (): string => {
    let out = "";
    for (let i = 0; i < n; i++) {
      const p = parts[i]!;
      if (typeof p === "string") out += p;
      else {
        const v = values[i];
        out += typeof v === "string" ? v : stringifyValue(v);
      }
    }
    return out;
  };

  return (vu) => {
    // every accessor runs exactly once per render, in order, whatever the memo finds
    let primitive = true;
    let key: Value | undefined;
    for (let i = 0; i < n; i++) {
      const p = parts[i]!;
      if (typeof p === "string") continue;
      const v = p(vu);
      if (v === undefined) throw new UnresolvedError(exprs[i]!);
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        if (key === undefined) key = v;
        values[i] = v;
      } else {
        // Anything else (object, array, bigint...) becomes text here, when its name is reached,
        // as renderTemplate does: a later part (a `js:` one) may mutate the object before the
        // concatenation, and a value that cannot be stringified must fail the render before
        // later names run (a `data.` name would fetch this iteration's row). Such a render is
        // not remembered.
        values[i] = stringifyValue(v);
        primitive = false;
      }
    }
    if (memo === null || !primitive) return concat();
    if (++renders === MEMO_TRIAL && hits * 2 < renders) {
      memo = null;
      return concat();
    }
    const m = memo.get(key!);
    if (m !== undefined && sameRest(m.rest)) {
      hits++;
      return m.out;
    }
    const out = concat();
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key!, { rest: restValues(), out });
    return out;
  };

  /** the values after the first dynamic part, in order */
  function restValues(): Value[] {
    const rest: Value[] = [];
    let first = true;
    for (let i = 0; i < n; i++) {
      if (typeof parts[i] === "string") continue;
      if (first) first = false;
      else rest.push(values[i] as Value);
    }
    return rest;
  }

  function sameRest(rest: Value[]): boolean {
    let j = -1;
    for (let i = 0; i < n; i++) {
      if (typeof parts[i] === "string") continue;
      if (j >= 0 && rest[j] !== values[i]) return false;
      j++;
    }
    return true;
  }
}
