/**
 * Framing between an isolated plugin's parent and child (on a channel of their own, fd 3 of the
 * child, so nothing the plugin prints can corrupt it):
 * [u32 LE payload length][f64 LE tag][u8 kind][payload]. A request frame's payload is FfiRequest
 * JSON; an answer is the plugin's FfiResponse JSON (`result`) or the text of a transport error
 * (`error`: a result the host could not take, as in process).
 */
export const HEADER = 13;
/** the largest payload a frame carries (its length is a u32) */
export const MAX_PAYLOAD = 2 ** 32 - 1;

export const FrameKind = { Result: 0, Error: 1 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** The header of a frame whose payload follows it (written apart: a big payload is not copied). */
export function frameHeader(tag: number, payloadLength: number, kind: FrameKind = FrameKind.Result): Uint8Array {
  const h = new Uint8Array(HEADER);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, payloadLength, true);
  dv.setFloat64(4, tag, true);
  h[12] = kind;
  return h;
}

/** A whole frame in one buffer (small payloads: requests, errors). */
export function frame(tag: number, payload: Uint8Array, kind: FrameKind = FrameKind.Result): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out.set(frameHeader(tag, payload.length, kind));
  out.set(payload, HEADER);
  return out;
}

/**
 * Incremental reader: feed chunks, get whole frames. Linear in the bytes read: chunks are kept
 * as they come and a payload is assembled once, when all of it is there (joining every chunk to
 * the ones before made a 512 MiB answer quadratic). A frame `wanted` declines (its request timed
 * out) is dropped as it arrives, never held or assembled.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** index of the first unread chunk, and the offset of the first unread byte in it */
  private first = 0;
  private offset = 0;
  /** unread bytes */
  private size = 0;
  /** bytes of a declined frame's payload still to drop */
  private skipping = 0;
  private readonly header = new Uint8Array(HEADER);
  private readonly headerView = new DataView(this.header.buffer);

  constructor(private readonly wanted: (tag: number) => boolean = () => true) {}

  push(chunk: Uint8Array, onFrame: (tag: number, payload: Uint8Array, kind: FrameKind) => void): void {
    if (this.skipping > 0) {
      const drop = Math.min(this.skipping, chunk.length);
      this.skipping -= drop;
      chunk = chunk.subarray(drop);
    }
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size >= HEADER) {
      this.copy(this.header, HEADER, false);
      const len = this.headerView.getUint32(0, true);
      const tag = this.headerView.getFloat64(4, true);
      if (!this.wanted(tag)) {
        // drop what is here of it, and the rest as it comes
        this.copy(undefined, HEADER, true);
        const here = Math.min(len, this.size);
        this.copy(undefined, here, true);
        this.skipping = len - here;
        continue;
      }
      if (this.size < HEADER + len) return;
      const kind = this.header[12] as FrameKind;
      this.copy(undefined, HEADER, true);
      const payload = new Uint8Array(len);
      this.copy(payload, len, true);
      onFrame(tag, payload, kind);
    }
  }

  /** Copy the next `n` unread bytes into `into` (or skip them), consuming them when `consume`. */
  private copy(into: Uint8Array | undefined, n: number, consume: boolean): void {
    let i = this.first;
    let off = this.offset;
    let done = 0;
    while (done < n) {
      const c = this.chunks[i]!;
      const take = Math.min(n - done, c.length - off);
      if (into !== undefined) into.set(c.subarray(off, off + take), done);
      done += take;
      off += take;
      if (off === c.length) {
        i++;
        off = 0;
      }
    }
    if (!consume) return;
    this.first = i;
    this.offset = off;
    this.size -= n;
    // drop the chunks read so far once they are many (amortised: each is dropped once)
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
