/**
 * Interned tag sets. A series is keyed by (metric, full tag set); interning makes the tag-set half
 * of that key an object identity, so the hot path never builds or hashes a string per sample.
 */
import { OVERFLOW_VALUE } from "./series-limit.ts";

export type Tags = Readonly<Record<string, string>>;

/** The canonical, order-independent key of a tag set: JSON of the sorted [k, v, k, v...] list. */
export function canonicalTagKey(tags: Record<string, string>): string {
  const keys = Object.keys(tags).sort();
  const flat: string[] = new Array(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    flat[2 * i] = k;
    flat[2 * i + 1] = tags[k]!;
  }
  return JSON.stringify(flat);
}

/** A copy of `tags` whose keys are in sorted order (JSON output is then stable, like a BTreeMap). */
export function sortedTags(tags: Record<string, string>): Tags {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k]!;
  return Object.freeze(out);
}

/**
 * Compare two tag maps the way Rust compares `BTreeMap<String, String>`: pair by pair in key
 * order (key, then value), a prefix sorts first. Used to order snapshot series.
 */
export function compareTags(a: Tags, b: Tags): number {
  const ak = Object.keys(a).sort();
  const bk = Object.keys(b).sort();
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(ak[i]!, bk[i]!) || cmp(a[ak[i]!]!, b[bk[i]!]!);
    if (c !== 0) return c;
  }
  return ak.length - bk.length;
}

/** Byte-wise string order (Rust `str` order), not locale order. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class TagSet {
  /**
   * Per-sink series of this tag set, indexed by metric id (see sink.ts). Lives here so a sample
   * costs one array index once the metric is known. Internal to the metrics module.
   */
  readonly cells: unknown[] = [];
  /** Cache for `TagInterner.extend` (base set + one more tag), created on first use. */
  children: Map<string, TagSet> | undefined;
  /** some tag's value is OVERFLOW_VALUE (series-limit.ts): callers do not cache it by their own keys */
  readonly overflow: boolean;

  constructor(
    /** unique within its interner, dense from 0 */
    readonly id: number,
    /** canonicalTagKey() of `tags` */
    readonly key: string,
    /** the tags, keys sorted, frozen */
    readonly tags: Tags,
  ) {
    this.overflow = Object.values(tags).includes(OVERFLOW_VALUE);
  }
}

export class TagInterner {
  private readonly byKey = new Map<string, TagSet>();
  private readonly list: TagSet[] = [];

  /** `overflowOf`: a tag set not seen before with its capped tags' values replaced (series-limit.ts), so capped values add no tag sets */
  constructor(private readonly overflowOf: (tags: Tags) => Tags = (t) => t) {}

  /** The one TagSet for these tags (same tags in any key order → the same object). */
  intern(tags: Record<string, string>): TagSet {
    const key = canonicalTagKey(tags);
    let set = this.byKey.get(key);
    if (set === undefined) {
      const capped = this.overflowOf(tags);
      if (capped !== tags) return this.intern(capped);
      set = new TagSet(this.list.length, key, sortedTags(tags));
      this.byKey.set(key, set);
      this.list.push(set);
    }
    return set;
  }

  /**
   * `base` plus (or overriding) one tag, cached on `base`: the per-request tags (e.g. `status`)
   * then cost one small Map lookup instead of a sort and a JSON key.
   */
  extend(base: TagSet, key: string, value: string): TagSet {
    const ck = key + "\u0000" + value;
    let children = base.children;
    if (children === undefined) children = base.children = new Map();
    let set = children.get(ck);
    if (set === undefined) {
      set = this.intern({ ...base.tags, [key]: value });
      // a capped value (replaced by the overflow value) never repeats: caching each would grow without end
      if (set.tags[key] === value) children.set(ck, set);
    }
    return set;
  }

  /** Every tag set interned so far. */
  all(): readonly TagSet[] {
    return this.list;
  }

  byId(id: number): TagSet | undefined {
    return this.list[id];
  }

  get size(): number {
    return this.list.length;
  }
}
