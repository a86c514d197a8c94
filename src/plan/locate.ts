/**
 * Dotted path → line/column in the source, using the `yaml` Document's node ranges. When the
 * path does not exist (a missing key), the deepest existing ancestor is reported, so the user
 * still lands on the right mapping.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export type Segment = string | number;
export interface Position {
  line: number;
  column: number;
}

interface Found {
  /** Offset of the deepest node reached (key of a pair, or a sequence item). */
  offset: number;
  /** Whether every segment was found. */
  complete: boolean;
  /** Offsets of the final pair's key and value when complete. */
  keyOffset?: number;
  valueOffset?: number;
  valueIsCollection?: boolean;
}

function walk(root: Node | null | undefined, path: readonly Segment[]): Found | undefined {
  let node: unknown = root;
  if (!node || !(node as Node).range) return undefined;
  let offset = (node as Node).range![0];
  let keyOffset: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return { offset, complete: false };
      const k = pair.key as Node | null;
      keyOffset = k?.range?.[0];
      offset = keyOffset ?? offset;
      node = pair.value;
      if (node === null || node === undefined) return { offset, complete: true, keyOffset, valueOffset: keyOffset };
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) return { offset, complete: false };
      keyOffset = undefined;
      node = item;
      offset = item.range[0];
    } else {
      return { offset, complete: false };
    }
  }
  const n = node as Node;
  return {
    offset,
    complete: true,
    keyOffset,
    valueOffset: n.range?.[0] ?? offset,
    valueIsCollection: isMap(n) || isSeq(n),
  };
}

/**
 * Where to point for `path`. `at: "key"` points at the key itself (unknown fields, extra step
 * keys); otherwise a scalar value is pointed at directly and a mapping/sequence at its key, which
 * is where a reader looks for "this scenario" or "this list".
 */
export function locate(
  doc: Document.Parsed,
  lc: LineCounter,
  path: readonly Segment[],
  at: "key" | "value" = "value",
  prefixes: readonly (readonly Segment[])[] = [[]],
): Position | undefined {
  let best: Found | undefined;
  for (const pre of prefixes) {
    const f = walk(doc.contents as Node, [...pre, ...path]);
    if (f?.complete) {
      best = f;
      break;
    }
    if (!best && f && pre.length === 0) best = f;
  }
  if (!best) return undefined;
  let offset = best.offset;
  if (best.complete) {
    if (at === "key") offset = best.keyOffset ?? best.offset;
    else offset = best.valueIsCollection ? best.keyOffset ?? best.valueOffset ?? best.offset : best.valueOffset ?? best.offset;
  }
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}
