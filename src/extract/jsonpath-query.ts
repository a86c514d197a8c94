/**
 * RFC 9535 JSONPath compiled once. jsonpath-rfc9535's public `query(doc, expr)` re-parses the
 * expression on every call, and these run on every response; so we parse once with its public
 * `/parser` export and evaluate the AST with the same internals `query()` uses (core/exec.js does
 * exactly this: a context with the five standard functions, then visitQuery). Those internals are
 * not in the package's `exports` map, hence the relative paths; the version is pinned (1.3.0) and
 * test/extract-jsonpath.test.ts checks our results against `query()` so an upgrade that moves
 * them fails loudly. In a package install (docs/api.md) the paths hold because package.json
 * bundles jsonpath-rfc9535 (`bundledDependencies`) into loadr's own node_modules.
 */
import parse from "jsonpath-rfc9535/parser";
import type { JsonValue } from "jsonpath-rfc9535";
import visitQuery from "../../node_modules/jsonpath-rfc9535/dist/esm/core/visitors/query.js";
import count from "../../node_modules/jsonpath-rfc9535/dist/esm/core/functions/count.js";
import length from "../../node_modules/jsonpath-rfc9535/dist/esm/core/functions/length.js";
import match from "../../node_modules/jsonpath-rfc9535/dist/esm/core/functions/match.js";
import search from "../../node_modules/jsonpath-rfc9535/dist/esm/core/functions/search.js";
import value from "../../node_modules/jsonpath-rfc9535/dist/esm/core/functions/value.js";
import { Stack } from "../../node_modules/jsonpath-rfc9535/dist/esm/utils/stack.js";
import type { Context } from "../../node_modules/jsonpath-rfc9535/dist/esm/core/types.ts";

const FUNCTIONS = { count, search, value, match, length } as Context["functions"];

export class JsonPathSyntaxError extends Error {}

export interface CompiledJsonPath {
  source: string;
  /** every node the query selects, in document order; [] when `doc` is undefined (not JSON) */
  all(doc: unknown): unknown[];
  /** the first selected node, or `undefined` when nothing is selected */
  first(doc: unknown): unknown;
}

const NOTHING = Symbol("nothing");

export function compileJsonPath(expression: string): CompiledJsonPath {
  if (typeof expression !== "string") {
    throw new JsonPathSyntaxError(`invalid JSONPath: expected a string, got ${JSON.stringify(expression)}`);
  }
  let ast: ReturnType<typeof parse>;
  try {
    ast = parse(expression);
  } catch (e) {
    throw new JsonPathSyntaxError(`invalid JSONPath ${expression}: ${(e as Error).message}`);
  }
  // The common case, a singular query of names and indexes (`$.token`, `$.items[0].name`), is
  // walked directly: no evaluation context, no callbacks, nothing allocated per response.
  const path = singularPath(ast);
  if (path !== undefined) {
    return {
      source: expression,
      all: (doc) => {
        const v = walk(doc, path);
        return v === NOTHING ? [] : [v];
      },
      first: (doc) => {
        const v = walk(doc, path);
        return v === NOTHING ? undefined : v;
      },
    };
  }
  const run = (doc: unknown, cb: (v: JsonValue) => void) => {
    // A fresh context per evaluation, as exec.js does: its cache holds regexes built from
    // match()/search() arguments, which may come from the document and must not grow forever.
    const ctx: Context = {
      cache: new Map(),
      capturePaths: false,
      functions: FUNCTIONS,
      regexp: "i-regexp",
      stack: new Stack(),
    };
    visitQuery(ctx, doc as JsonValue, doc as JsonValue, ast, cb);
  };
  return {
    source: expression,
    all(doc) {
      if (doc === undefined) return [];
      const out: unknown[] = [];
      run(doc, (v) => out.push(v));
      return out;
    },
    first(doc) {
      if (doc === undefined) return undefined;
      let found: unknown = NOTHING;
      run(doc, (v) => {
        if (found === NOTHING) found = v;
      });
      return found === NOTHING ? undefined : found;
    },
  };
}

type Ast = ReturnType<typeof parse>;

/** The keys of a query made only of single-name and single-index child segments, else undefined. */
function singularPath(ast: Ast): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  for (const seg of (ast as { segments: { type: string; node: any }[] }).segments) {
    if (seg.type !== "ChildSegment") return undefined;
    const n = seg.node;
    if (n.type === "MemberNameShorthand") out.push(String(n.value));
    else if (n.type === "BracketedSelection" && n.selectors.length === 1) {
      const sel = n.selectors[0];
      if (sel.type === "NameSelector") out.push(String(sel.value));
      else if (sel.type === "IndexSelector" && Number.isInteger(sel.value)) out.push(sel.value as number);
      else return undefined;
    } else return undefined;
  }
  return out;
}

/** RFC 9535 name/index selection: names select object members, indexes array elements (negative from the end). */
function walk(doc: unknown, path: readonly (string | number)[]): unknown {
  if (doc === undefined) return NOTHING;
  let v: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    const k = path[i]!;
    if (typeof k === "string") {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, k)) return NOTHING;
      v = (v as Record<string, unknown>)[k];
    } else {
      if (!Array.isArray(v)) return NOTHING;
      const at = k < 0 ? v.length + k : k;
      if (at < 0 || at >= v.length) return NOTHING;
      v = v[at];
    }
  }
  return v;
}
