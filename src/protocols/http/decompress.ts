/**
 * Content-Encoding decoding (gzip / x-gzip / deflate as zlib or raw / br), only when the response
 * says so, with the request's max_body_size as a cap on the decoded bytes.
 *
 * A body that decodes to at most SYNC_MAX bytes — nearly every compressed response of a load test
 * — decodes synchronously, as it always did: a few µs and no promise. One that decodes to more (or
 * arrived larger than SYNC_MAX) is decoded as a stream on zlib's thread pool instead, so the
 * worker's other VUs keep running: its output is counted as it comes and the decoding stops at the
 * cap, or when the request's timeout cancels it (client.ts). A 2 MB gzip of 2 GiB of zeros thus
 * costs at most max_body_size of memory and the request's timeout of time.
 */
import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from "node:zlib";
import type { Transform } from "node:stream";
import { bodyTooLargeMessage } from "./errors.ts";

/** decoded bytes up to which a body is decoded synchronously */
export const SYNC_MAX = 1024 * 1024;
/** the streaming decoders' output piece: fewer, larger callbacks than zlib's 16 KiB */
const STREAM_CHUNK = 256 * 1024;
/** zlib's code when a synchronous call's output would pass maxOutputLength */
const TOO_LARGE_CODE = "ERR_BUFFER_TOO_LARGE";
/**
 * Deflate's largest expansion (a 258-byte match in two bits): gzip or deflate input this much
 * smaller than the limit cannot pass it, so it is decoded without `maxOutputLength`, whose
 * option handling costs ~0.4 µs per call in Bun 1.4.4 (+7 % on a 250-byte gzip; brotli has no
 * such bound).
 */
const DEFLATE_MAX_RATIO = 1032;

/** A content coding that was applied; decoding undoes them in reverse order. */
type Coding = "gzip" | "deflate" | "br";

/** A decoding failure the client reports as is: a bound passed (max_body_size, the timeout). */
export class DecodeError extends Error {}

/**
 * Decodes `body` according to a Content-Encoding value, to at most `maxBytes` bytes: the decoded
 * bytes, or a Decoding under way when they may be more than SYNC_MAX. Unknown codings (and
 * `identity`) leave the bytes as they are. Throws a DecodeError past `maxBytes` (synchronously),
 * and zlib's error on corrupt data.
 */
export function decodeBody(body: Uint8Array, contentEncoding: string, maxBytes: number): Uint8Array | Decoding {
  if (body.length === 0) return body;
  const codings = appliedCodings(contentEncoding);
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const c = codings[i]!;
    if (c === null) return out; // unknown coding: hand back what we have
    const syncMax = Math.min(maxBytes, SYNC_MAX);
    if (out.length > syncMax) return new Decoding(out, codings.slice(0, i + 1), maxBytes);
    try {
      out = decodeSync(c, out, syncMax);
    } catch (e) {
      if ((e as { code?: string }).code !== TOO_LARGE_CODE) throw e;
      if (maxBytes <= SYNC_MAX) throw new DecodeError(bodyTooLargeMessage(`its ${c} decoding`, maxBytes));
      return new Decoding(out, codings.slice(0, i + 1), maxBytes);
    }
  }
  return out;
}

/** The codings of a Content-Encoding value in the order they were applied; null for an unknown one, identity left out. */
function appliedCodings(contentEncoding: string): (Coding | null)[] {
  const out: (Coding | null)[] = [];
  for (const part of contentEncoding.toLowerCase().split(",")) {
    const c = part.trim();
    if (c === "gzip" || c === "x-gzip") out.push("gzip");
    else if (c === "deflate" || c === "br") out.push(c);
    else if (c !== "identity" && c !== "") out.push(null);
  }
  return out;
}

function decodeSync(c: Coding, b: Uint8Array, max: number): Uint8Array {
  if (c !== "br" && b.length * DEFLATE_MAX_RATIO <= max) {
    if (c === "gzip") return gunzipSync(b);
    return zlibWrapped(b) ? inflateSync(b) : inflateRawSync(b);
  }
  const o = { maxOutputLength: max };
  if (c === "gzip") return gunzipSync(b, o);
  if (c === "br") return brotliDecompressSync(b, o);
  return zlibWrapped(b) ? inflateSync(b, o) : inflateRawSync(b, o);
}

/** "deflate" is meant to be zlib-wrapped (RFC 9110) but some servers send raw deflate: accept both. */
function zlibWrapped(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

function decoder(c: Coding, b: Uint8Array): Transform {
  const o: ZlibOptions = { chunkSize: STREAM_CHUNK };
  if (c === "gzip") return createGunzip(o);
  if (c === "br") return createBrotliDecompress(o);
  return zlibWrapped(b) ? createInflate(o) : createInflateRaw(o);
}

/**
 * A streaming decoding of `codings` (in the order they were applied) over `body`: `promise`
 * resolves to the decoded bytes, or rejects with a DecodeError past `maxBytes` or with the message
 * `cancel()` was given, or with zlib's error on corrupt data.
 */
export class Decoding {
  readonly promise: Promise<Uint8Array>;
  private stream: Transform | null = null;
  private settled = false;
  private fail!: (e: Error) => void;

  constructor(body: Uint8Array, codings: (Coding | null)[], maxBytes: number) {
    this.promise = new Promise<Uint8Array>((resolve, reject) => {
      this.fail = (e) => {
        if (this.settled) return;
        this.settled = true;
        this.stream?.destroy();
        this.stream = null;
        reject(e);
      };
      const next = (i: number, input: Uint8Array): void => {
        const c = i < 0 ? null : codings[i]!;
        if (c === null) {
          // every coding undone, or an unknown one reached: what we have is the body
          this.settled = true;
          this.stream = null;
          resolve(input);
          return;
        }
        this.one(c, input, maxBytes, (out) => next(i - 1, out));
      };
      next(codings.length - 1, body);
    });
  }

  /** Stops the decoding: the promise rejects with `message` as it is (the request's timeout). */
  cancel(message: string): void {
    this.fail(new DecodeError(message));
  }

  private one(c: Coding, input: Uint8Array, maxBytes: number, done: (out: Uint8Array) => void): void {
    if (this.settled) return;
    const s = decoder(c, input);
    this.stream = s;
    const parts: Buffer[] = [];
    let n = 0;
    s.on("data", (d: Buffer) => {
      if (this.settled) return;
      n += d.length;
      if (n > maxBytes) this.fail(new DecodeError(bodyTooLargeMessage(`its ${c} decoding`, maxBytes)));
      else parts.push(d);
    });
    s.on("error", (e: Error) => this.fail(e));
    s.on("end", () => {
      if (!this.settled) done(parts.length === 1 ? parts[0]! : Buffer.concat(parts, n));
    });
    s.end(input);
  }
}
