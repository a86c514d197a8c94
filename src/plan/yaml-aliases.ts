/**
 * Where a YAML alias bomb is ("billion laughs": anchors whose aliases nest, each level
 * multiplying the one below, so a few lines stand for billions of values). The yaml package
 * refuses to expand one (toJS's maxAliasCount) but cannot say where; this finds the alias that
 * stands for the most values (the first such one in the document), for a file:line diagnostic.
 */
import { isAlias, isCollection, isPair, isScalar, visit, type Alias, type Document } from "yaml";

export interface HeavyAlias {
  alias: Alias;
  /** how many scalar values the alias stands for once expanded */
  values: number;
}

export function heaviestAlias(doc: Document): HeavyAlias | undefined {
  // an alias names the latest anchor before it: resolve every alias in one pass, in document order
  const latest = new Map<string, unknown>();
  const target = new Map<Alias, unknown>();
  const aliases: Alias[] = [];
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        target.set(node, latest.get(node.source));
        aliases.push(node);
      } else if (node.anchor) latest.set(node.anchor, node);
    },
  });

  const memo = new Map<unknown, number>();
  const busy = new Set<unknown>();
  // scalars count 1; a collection the sum of its items (keys too); an alias what it names
  const size = (node: unknown): number => {
    if (node === null || node === undefined || isScalar(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (busy.has(node)) return 1; // an alias inside its own anchor: the yaml package reports it
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

  let best: HeavyAlias | undefined;
  for (const alias of aliases) {
    const values = size(alias);
    if (best === undefined || values > best.values) best = { alias, values };
  }
  return best;
}
