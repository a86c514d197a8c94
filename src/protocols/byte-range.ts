/**
 * Bytes `bytes[from, to)` of a buffer the protocol already holds (a socket chunk): readers that copy
 * them elsewhere (the WASM plugin call) copy from here, so no view or copy of the range is made first
 * — a subarray of a fresh socket chunk makes JSC give the chunk an ArrayBuffer of its own (~150 ns).
 */
export interface ByteRange {
  readonly bytes: Buffer;
  readonly from: number;
  readonly to: number;
}

/** A call's bytes: whole, or a range of a buffer (ByteRange). */
export type Bytes = Uint8Array | ByteRange;

/** The bytes as one Uint8Array (a copy of a range): for readers that need an array. */
export function wholeBytes(b: Bytes): Uint8Array {
  if (b instanceof Uint8Array) return b;
  return Uint8Array.prototype.slice.call(b.bytes, b.from, b.to);
}

export function bytesLength(b: Bytes): number {
  return b instanceof Uint8Array ? b.length : b.to - b.from;
}
