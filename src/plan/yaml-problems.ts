/**
 * What in a YAML document cannot become a plan, and where, for a file:line diagnostic instead of
 * an internal error: a value that is not JSON's (an explicit `!!binary`, `!!set`, `!!omap`,
 * `!!timestamp` tag builds bytes, a Set, a Map or a Date), and aliases that go wrong: an alias with no anchor before it, an alias inside its own anchor (a cycle, which would
 * make the plan an endless structure), a merge key (`<<`) whose source is not a mapping, and an
 * alias bomb ("billion laughs": anchors whose aliases nest, each level multiplying the one
 * below, so a few lines stand for billions of values). The yaml package refuses a bomb (toJS's
 * maxAliasCount) and a bad merge but cannot say where; a cycle it builds without complaint.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node } from "yaml";

export interface AliasProblem {
  /** the node to point at */
  node: Node;
  message: string;
}

/** The aliases of a document in order, each with the anchored node it names (undefined: none before it). */
function resolveAliases(doc: Document): { aliases: Alias[]; target: Map<Alias, unknown>; cycle?: Alias } {
  // an alias names the latest anchor before it: resolve every alias in one pass, in document order
  const latest = new Map<string, unknown>();
  const target = new Map<Alias, unknown>();
  const aliases: Alias[] = [];
  let cycle: Alias | undefined;
  visit(doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const t = latest.get(node.source);
        target.set(node, t);
        aliases.push(node);
        if (cycle === undefined && t !== undefined && path.includes(t as never)) cycle = node;
      } else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  return { aliases, target, cycle };
}

/** A problem the document's aliases have before its values are built (a cycle), or undefined. */
export function aliasCycle(doc: Document): AliasProblem | undefined {
  const { cycle } = resolveAliases(doc);
  return cycle && { node: cycle, message: `YAML alias \`*${cycle.source}\` is inside its own anchor \`&${cycle.source}\`: the value would contain itself` };
}

/** Why building the document's values failed (`e`, thrown by the yaml package), and where. */
export function aliasProblem(doc: Document, e: Error, maxAliasCount: number): AliasProblem | undefined {
  const { aliases, target } = resolveAliases(doc);
  if (/alias count/i.test(e.message)) {
    const heavy = heaviestAlias(aliases, target);
    if (heavy === undefined) return undefined;
    return {
      node: heavy.alias,
      message: `YAML aliases expand too far: \`*${heavy.alias.source}\` stands for ${heavy.values.toLocaleString("en-US")} values once nested aliases are expanded (at most ${maxAliasCount.toLocaleString("en-US")} alias uses); write the repeated part out or nest fewer aliases`,
    };
  }
  const unresolved = aliases.find((a) => target.get(a) === undefined);
  if (unresolved !== undefined) return { node: unresolved, message: `YAML alias \`*${unresolved.source}\` names no anchor before it (write \`&${unresolved.source}\` on an earlier value)` };
  if (/merge/i.test(e.message)) {
    let bad: Node | undefined;
    visit(doc, {
      Pair(_key, pair) {
        // a merge key's value is the symbol <<; its source text is `<<`
        if (bad !== undefined || !isScalar(pair.key) || pair.key.source !== "<<" || typeof pair.key.value !== "symbol") return;
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        const wrong = sources.find((s) => !isMap(isAlias(s) ? target.get(s) : s));
        if (wrong !== undefined) bad = isScalar(wrong) || isAlias(wrong) ? wrong : pair.key;
      },
    });
    if (bad !== undefined) return { node: bad, message: "YAML merge key `<<` takes a mapping, an alias of one, or a list of those" };
  }
  return undefined;
}

function heaviestAlias(aliases: Alias[], target: Map<Alias, unknown>): { alias: Alias; values: number } | undefined {
  const memo = new Map<unknown, number>();
  const busy = new Set<unknown>();
  // scalars count 1; a collection the sum of its items (keys too); an alias what it names
  const size = (node: unknown): number => {
    if (node === null || node === undefined || isScalar(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (busy.has(node)) return 1; // a cycle: refused before values are built (aliasCycle)
    busy.add(node);
    let n = 0;
    if (isAlias(node)) n = size(target.get(node));
    else if (isPair(node)) n = size(node.key) + size(node.value);
    else if (isCollection(node)) for (const item of node.items) n += size(item);
    else n = 1;
    busy.delete(node);
    memo.set(node, n);
    return n;
  };
  let best: { alias: Alias; values: number } | undefined;
  for (const alias of aliases) {
    const values = size(alias);
    if (best === undefined || values > best.values) best = { alias, values };
  }
  return best;
}

/** The first value of `v` that is not JSON's (string, number, boolean, null, array, plain mapping), with its path. */
export function nonJsonValue(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; what: string } | undefined {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const odd = nonJsonValue(v[i], [...path, i]);
      if (odd !== undefined) return odd;
    }
    return undefined;
  }
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      for (const [k, x] of Object.entries(v)) {
        const odd = nonJsonValue(x, [...path, k]);
        if (odd !== undefined) return odd;
      }
      return undefined;
    }
    const what = v instanceof Uint8Array ? "binary data (`!!binary`)" : v instanceof Set ? "a set (`!!set`)" : v instanceof Map ? "an ordered map (`!!omap`, `!!pairs`)" : v instanceof Date ? "a timestamp (`!!timestamp`)" : "a tagged value";
    return { path, what };
  }
  return { path, what: `a ${typeof v}` };
}
