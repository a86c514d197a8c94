/**
 * gRPC's message framing over HTTP/2 DATA (the gRPC over HTTP/2 protocol): each message is a
 * 1-byte compressed flag, a 4-byte big-endian length and the (possibly compressed) protobuf bytes.
 * Shared by the client (call.ts) and the echo target's service (src/services/echo/grpc-service.ts).
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** One message framed; gzip-compressed when `gzip` is set (the call's `grpc-encoding: gzip`). */
export function frame(message: Uint8Array, gzip: boolean): Buffer {
  const body = gzip ? gzipSync(message) : message;
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = gzip ? 1 : 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, 5);
  return out;
}

/** Reads messages out of DATA chunks as they arrive; a message split across chunks is joined. */
export class FrameReader {
  private buf: Buffer | null = null;
  /** wire bytes read (frames included) */
  bytes = 0;

  constructor(
    /** the largest message accepted (after decompression); larger ones are an error */
    private readonly maxMessage: number,
  ) {}

  /**
   * Feeds one chunk; calls `onMessage` per complete message (decompressed when its flag says so,
   * and told whether it was compressed),
   * `encoding` being the call's grpc-encoding. Returns an error message for a message it cannot
   * accept, or null.
   */
  push(chunk: Buffer, encoding: string, onMessage: (m: Uint8Array, compressed: boolean) => void): string | null {
    this.bytes += chunk.length;
    let b = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    let at = 0;
    while (b.length - at >= 5) {
      const compressed = b[at]!;
      const len = b.readUInt32BE(at + 1);
      if (len > this.maxMessage && compressed === 0) return tooLarge(len, this.maxMessage);
      if (b.length - at - 5 < len) break;
      let m: Uint8Array = b.subarray(at + 5, at + 5 + len);
      at += 5 + len;
      if (compressed === 1) {
        if (encoding !== "gzip") return `a compressed message with grpc-encoding \`${encoding || "identity"}\`, which loadr cannot read`;
        try {
          m = gunzipSync(m, { maxOutputLength: this.maxMessage + 1 });
        } catch (e) {
          return (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? tooLarge(this.maxMessage + 1, this.maxMessage) : `a compressed message that does not decompress: ${(e as Error).message}`;
        }
        if (m.length > this.maxMessage) return tooLarge(m.length, this.maxMessage);
      }
      onMessage(m, compressed === 1);
    }
    this.buf = at === b.length ? null : b.subarray(at);
    return null;
  }

  /** bytes of a message begun and not finished (the stream ended in the middle of one) */
  get pending(): number {
    return this.buf?.length ?? 0;
  }
}

function tooLarge(len: number, max: number): string {
  return `received message larger than max (${len} vs. ${max})`;
}
