/**
 * Metric deltas on the network between a part and its aggregator (docs/distributed.md): the
 * worker → coordinator shape (metrics/delta.ts) as JSON, each trend's histogram buckets packed —
 * slot counts, never percentiles, so the aggregator adds them exactly. Decoding checks every
 * field: a frame that does not fit is refused whole, never merged in part.
 *
 * A trend's `buckets` is the base64 of its non-empty slots as unsigned LEB128 varints, two per
 * slot: the gap since the previous slot's index (the first slot: its index), then the count.
 * Most slots are next to each other and hold few samples, so a slot is 2–3 bytes, where the
 * [index, count] Float64Array pairs were 16 (and JSON-parsing and decoding them was most of the
 * aggregator's cost: docs/benchmarks.md "Scale-out").
 */
import { MAX_INDEX } from "../metrics/hdr-layout.ts";
import type { ErrorNote, MetricsDelta, SeriesDelta, WireTagSet } from "../metrics/delta.ts";

export type WireSeries = Exclude<SeriesDelta, { kind: "trend" }> | (Omit<Extract<SeriesDelta, { kind: "trend" }>, "buckets"> & { buckets: string });

export interface WireDelta {
  tagSets: WireTagSet[];
  series: WireSeries[];
  errors?: ErrorNote[];
}

export class WireError extends Error {}

/** Uint8Array.fromBase64 (TC39, in Bun's engine; not yet in TypeScript's lib): strict, a fresh buffer at offset 0. */
const fromBase64 = (Uint8Array as unknown as { fromBase64(s: string): Uint8Array }).fromBase64;

/** A varint holds 7 bits a byte: 8 bytes cover every safe integer (2^53 − 1). */
const MAX_VARINT_BYTES = 8;

/** [slot index, count] pairs (ascending indices) → varints (gap, count) → base64. */
export function packBuckets(b: Float64Array): string {
  const bytes = new Uint8Array(b.length * MAX_VARINT_BYTES);
  let p = 0;
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
  return Buffer.from(bytes.buffer, 0, p).toString("base64");
}

/** packBuckets() undone, every varint checked; null when the bytes are not (gap, count) pairs of whole numbers in range. */
function unpackBuckets(bytes: Uint8Array): Float64Array | null {
  // a varint ends at each byte below 0x80: that sizes the output
  let ends = 0;
  for (let k = 0; k < bytes.length; k++) if (bytes[k]! < 0x80) ends++;
  if ((ends & 1) !== 0 || (bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80)) return null;
  const out = new Float64Array(ends);
  let p = 0;
  let prev = -1;
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
    if ((j & 1) === 0) {
      v += prev + 1;
      if (v > MAX_INDEX) return null; // a slot past any value a histogram can hold
      prev = v;
    }
    out[j] = v;
  }
  return out;
}

export function encodeDelta(d: MetricsDelta): WireDelta {
  const series = d.series.map((s): WireSeries => (s.kind === "trend" ? { ...s, buckets: packBuckets(s.buckets) } : s));
  return d.errors === undefined ? { tagSets: d.tagSets, series } : { tagSets: d.tagSets, series, errors: d.errors };
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
        if (!isNum(s.count) || !isNum(s.sum) || !isNum(s.min) || !isNum(s.max) || !isStr(s.buckets)) fail(`trend ${s.metric}`);
        let bytes: Uint8Array;
        try {
          bytes = fromBase64(s.buckets);
        } catch {
          fail(`trend ${s.metric}: buckets are not base64`);
        }
        const buckets = unpackBuckets(bytes);
        if (buckets === null) fail(`trend ${s.metric}: buckets are not (slot, count) pairs of whole numbers in range`);
        return { ...base, kind: "trend", count: s.count, sum: s.sum, min: s.min, max: s.max, buckets };
      }
      default:
        return fail(`series ${i} has kind ${JSON.stringify(s.kind)}`);
    }
  });
  const out: MetricsDelta = { tagSets, series };
  if (v.errors !== undefined) {
    if (!Array.isArray(v.errors) || !v.errors.every((e) => isObj(e) && isStr(e.kind) && isStr(e.message))) fail("errors");
    out.errors = v.errors as ErrorNote[];
  }
  return out;
}
