/** Framing between an isolated plugin's parent and child: [u32 LE length][f64 LE tag][payload]. */
export function frame(tag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, payload.length, true);
  dv.setFloat64(4, tag, true);
  out.set(payload, 12);
  return out;
}

/** Incremental reader: feed chunks, get whole frames. */
export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  push(chunk: Uint8Array, onFrame: (tag: number, payload: Uint8Array) => void): void {
    if (this.buf.length === 0) this.buf = chunk;
    else {
      const b = new Uint8Array(this.buf.length + chunk.length);
      b.set(this.buf);
      b.set(chunk, this.buf.length);
      this.buf = b;
    }
    let off = 0;
    while (this.buf.length - off >= 12) {
      const dv = new DataView(this.buf.buffer, this.buf.byteOffset + off, 12);
      const len = dv.getUint32(0, true);
      if (this.buf.length - off < 12 + len) break;
      const tag = dv.getFloat64(4, true);
      onFrame(tag, this.buf.slice(off + 12, off + 12 + len));
      off += 12 + len;
    }
    this.buf = off === this.buf.length ? new Uint8Array(0) : this.buf.slice(off);
  }
}
