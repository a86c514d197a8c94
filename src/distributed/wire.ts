/**
 * Metric deltas on the network between a part and its aggregator (docs/distributed.md "The
 * protocol"): the worker → coordinator shape (metrics/delta.ts) as JSON, the trends' histograms
 * packed — slot counts, never percentiles, so the aggregator adds them exactly. Decoding checks
 * every field: a frame that does not fit is refused whole, never merged in part.
 *
 * A delta's `buckets` is the base64 of every trend's non-empty slots, trend after trend in series
 * order, as unsigned LEB128 varints, two per slot: the gap since the trend's previous slot index
 * (its first slot: the index), then the count; each trend says how many slots are its own. Most
 * slots are next to each other and hold few samples, so a slot is 2–3 bytes where Float64 [index,
 * count] pairs were 16, and the aggregator decodes one string into one array per delta, not one
 * per trend (JSON parsing, decoding and the garbage they leave were most of its cost:
 * docs/benchmarks.md "Scale-out").
 */
import { MAX_INDEX } from "../metrics/hdr-layout.ts";
import type { ErrorNote, MetricsDelta, SeriesDelta, TrendDelta, WireTagSet } from "../metrics/delta.ts";

export type WireSeries = Exclude<SeriesDelta, { kind: "trend" }> | (Omit<TrendDelta, "buckets"> & { slots: number });

export interface WireDelta {
  tagSets: WireTagSet[];
  series: WireSeries[];
  errors?: ErrorNote[];
  /** every trend's slots, packed (above); absent without trends */
  buckets?: string;
}

export class WireError extends Error {}

/** Uint8Array.fromBase64 (TC39, in Bun's engine; not yet in TypeScript's lib): strict, a fresh buffer at offset 0. */
const fromBase64 = (Uint8Array as unknown as { fromBase64(s: string): Uint8Array }).fromBase64;

const NO_SLOTS = new Float64Array(0);

/** A varint holds 7 bits a byte: 8 bytes cover every safe integer (2^53 − 1). */
const MAX_VARINT_BYTES = 8;

/** Append one trend's [slot index, count] pairs (ascending indices) to `bytes` at `p` as varints (gap, count); the new end. */
function packInto(bytes: Uint8Array, p: number, b: Float64Array): number {
  let prev = -1;
  for (let j = 0; j < b.length; j++) {
    let v = b[j]!;
    if ((j & 1) === 0) {
      const index = v;
      v = index - prev - 1;
      prev = index;
    }
    for (; v >= 0x80; v = Math.floor(v / 0x80)) bytes[p++] = (v % 0x80) | 0x80;
    bytes[p++] = v;
  }
  return p;
}

/** One trend's pairs packed alone, as a delta's `buckets` with that one trend (tests, tools). */
export function packBuckets(b: Float64Array): string {
  const bytes = new Uint8Array(b.length * MAX_VARINT_BYTES);
  return Buffer.from(bytes.buffer, 0, packInto(bytes, 0, b)).toString("base64");
}

/** Every varint of `bytes`, checked (at most 8 bytes, a safe integer, none cut short); null when one is not. */
function unpackVarints(bytes: Uint8Array): Float64Array | null {
  // a varint ends at each byte below 0x80: that sizes the output
  let ends = 0;
  for (let k = 0; k < bytes.length; k++) if (bytes[k]! < 0x80) ends++;
  if (bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80) return null;
  const out = new Float64Array(ends);
  let p = 0;
  for (let j = 0; j < ends; j++) {
    let v = 0;
    let scale = 1;
    let b: number;
    let n = 0;
    do {
      b = bytes[p++]!;
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80 && ++n < MAX_VARINT_BYTES);
    if (b >= 0x80 || v > Number.MAX_SAFE_INTEGER) return null;
    out[j] = v;
  }
  return out;
}

/** One trend's (gap, count) varints → [slot index, count] pairs, in place; false when a slot is past any value a histogram can hold. */
function gapsToIndices(b: Float64Array): boolean {
  let prev = -1;
  for (let j = 0; j < b.length; j += 2) {
    prev += b[j]! + 1;
    if (prev > MAX_INDEX) return false;
    b[j] = prev;
  }
  return true;
}

export function encodeDelta(d: MetricsDelta): WireDelta {
  let size = 0;
  for (const s of d.series) if (s.kind === "trend") size += s.buckets.length * MAX_VARINT_BYTES;
  const bytes = new Uint8Array(size);
  let p = 0;
  const series = d.series.map((s): WireSeries => {
    if (s.kind !== "trend") return s;
    const { buckets, ...rest } = s;
    p = packInto(bytes, p, buckets);
    return { ...rest, slots: buckets.length / 2 };
  });
  const out: WireDelta = { tagSets: d.tagSets, series };
  if (d.errors !== undefined) out.errors = d.errors;
  if (size > 0) out.buckets = Buffer.from(bytes.buffer, 0, p).toString("base64");
  return out;
}

const isNum = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(what: string): never {
  throw new WireError(`malformed metrics delta: ${what}`);
}

/** A delta as the aggregator merges it; throws WireError for anything that does not fit. */
export function decodeDelta(v: unknown): MetricsDelta {
  if (!isObj(v) || !Array.isArray(v.tagSets) || !Array.isArray(v.series)) fail("expected {tagSets, series}");
  const tagSets = v.tagSets.map((t, i): WireTagSet => {
    if (!isObj(t) || !isStr(t.key) || !isObj(t.tags) || !Object.values(t.tags).every(isStr)) fail(`tag set ${i}`);
    return { key: t.key, tags: t.tags as Record<string, string> };
  });
  // every trend's slots, decoded once for the delta; each trend takes its own in turn
  let packed: Uint8Array | undefined;
  if (v.buckets !== undefined) {
    if (!isStr(v.buckets)) fail("buckets");
    try {
      packed = fromBase64(v.buckets);
    } catch {
      fail("buckets are not base64");
    }
  }
  const all = packed === undefined ? NO_SLOTS : unpackVarints(packed);
  if (all === null) fail("buckets are not whole numbers in range");
  let at = 0;
  const series = v.series.map((s, i): SeriesDelta => {
    if (!isObj(s) || !isStr(s.metric) || !Number.isInteger(s.tagSet) || (s.tagSet as number) < 0 || (s.tagSet as number) >= tagSets.length) fail(`series ${i}`);
    const base = { metric: s.metric, tagSet: s.tagSet as number };
    switch (s.kind) {
      case "counter":
        if (!isNum(s.value)) fail(`counter ${s.metric}`);
        return { ...base, kind: "counter", value: s.value };
      case "rate":
        if (!isNum(s.passes) || !isNum(s.total)) fail(`rate ${s.metric}`);
        return { ...base, kind: "rate", passes: s.passes, total: s.total };
      case "gauge":
        if (!isNum(s.last) || !isNum(s.min) || !isNum(s.max) || !isNum(s.seq)) fail(`gauge ${s.metric}`);
        return { ...base, kind: "gauge", last: s.last, min: s.min, max: s.max, seq: s.seq };
      case "trend": {
        if (!isNum(s.count) || !isNum(s.sum) || !isNum(s.min) || !isNum(s.max) || !Number.isSafeInteger(s.slots) || (s.slots as number) < 0) fail(`trend ${s.metric}`);
        const end = at + 2 * (s.slots as number);
        if (end > all.length) fail(`trend ${s.metric}: more slots than the buckets hold`);
        const buckets = all.subarray(at, (at = end));
        if (!gapsToIndices(buckets)) fail(`trend ${s.metric}: a slot past 2^53 µs`);
        return { metric: s.metric, tagSet: s.tagSet as number, kind: "trend", count: s.count, sum: s.sum, min: s.min, max: s.max, buckets };
      }
      default:
        return fail(`series ${i} has kind ${JSON.stringify(s.kind)}`);
    }
  });
  if (at !== all.length) fail("buckets hold slots no trend claims");
  const out: MetricsDelta = { tagSets, series };
  if (v.errors !== undefined) {
    if (!Array.isArray(v.errors) || !v.errors.every((e) => isObj(e) && isStr(e.kind) && isStr(e.message))) fail("errors");
    out.errors = v.errors as ErrorNote[];
  }
  return out;
}
