/**
 * WebSocket framing (RFC 6455 §5) for the client side: frames we send are masked; frames the
 * server sends are parsed incrementally from socket chunks, fragments reassembled, control frames
 * handed over as they come, and with permessage-deflate (RFC 7692, no context takeover either
 * way) compressed messages inflated. Every rule a server can break is a protocol error with a
 * message that says which; a frame or message larger than the cap stops the read at once, before
 * its bytes are buffered.
 */
import { isUtf8 } from "node:buffer";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import type { WsFrame } from "./options.ts";

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** What the reader found; the session decides what each means. */
export interface FrameEvents {
  /**
   * a whole data message (fragments joined, inflated): bytes `start` to `end` of `buf`, passed
   * without a view made per message (most are never kept); text is valid UTF-8
   */
  message(binary: boolean, buf: Buffer, start: number, end: number): void;
  ping(data: Uint8Array): void;
  /** the server's close frame: its code (none when the frame was empty) and reason */
  serverClose(code: number | undefined, reason: string): void;
}

/** the four bytes a sync-flushed deflate block ends with, left off on the wire (RFC 7692 §7.2.1) */
const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** The bytes a masked client frame with an `n`-byte payload takes on the wire. */
function frameSize(n: number): number {
  return (n < 126 ? 2 : n < 65536 ? 4 : 10) + 4 + n;
}

/**
 * Writes a masked client frame (FIN set) into `out` at `at`; returns where it ends. `rsv1` marks
 * a compressed message. `out` has frameSize(payload.length) bytes from `at`.
 */
function putFrame(out: Buffer, at: number, opcode: number, payload: Uint8Array, rsv1: boolean): number {
  const n = payload.length;
  out[at] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (n < 126) {
    out[at + 1] = 0x80 | n;
    at += 2;
  } else if (n < 65536) {
    out[at + 1] = 0x80 | 126;
    out.writeUInt16BE(n, at + 2);
    at += 4;
  } else {
    out[at + 1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), at + 2);
    out.writeUInt32BE(n >>> 0, at + 6);
    at += 10;
  }
  // the masking key only keeps intermediaries from reading the bytes as HTTP (RFC 6455 §10.3):
  // Math.random is unpredictable enough for that and costs no system call per frame
  const key = (Math.random() * 0x100000000) >>> 0;
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  out[at] = k0;
  out[at + 1] = k1;
  out[at + 2] = k2;
  out[at + 3] = k3;
  at += 4;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out[at + i] = payload[i]! ^ k0;
    out[at + i + 1] = payload[i + 1]! ^ k1;
    out[at + i + 2] = payload[i + 2]! ^ k2;
    out[at + i + 3] = payload[i + 3]! ^ k3;
  }
  if (i < n) out[at + i] = payload[i]! ^ k0;
  if (i + 1 < n) out[at + i + 1] = payload[i + 1]! ^ k1;
  if (i + 2 < n) out[at + i + 2] = payload[i + 2]! ^ k2;
  return at + n;
}

/** A masked client frame (FIN set): `rsv1` marks a compressed message. */
export function encodeFrame(opcode: number, payload: Uint8Array, rsv1 = false): Buffer {
  const out = Buffer.allocUnsafe(frameSize(payload.length));
  putFrame(out, 0, opcode, payload, rsv1);
  return out;
}

/** A message's payload as it goes out: raw deflate without the sync-flush tail (RFC 7692 §7.2.1). */
function deflated(payload: Uint8Array): Buffer {
  const z = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return z.subarray(0, z.length - 4);
}

/**
 * The data frames of `frames[from]` up to `frames[to]` (excluded), back to back in one buffer, so
 * that messages sent together cost one write (one system call, not one per message); compressed
 * when the session negotiated permessage-deflate.
 */
export function dataFrames(frames: readonly WsFrame[], from: number, to: number, deflate: boolean): Buffer {
  const payloads = deflate ? frames.slice(from, to).map((f) => deflated(f.data)) : undefined;
  let size = 0;
  for (let i = from; i < to; i++) size += frameSize(payloads === undefined ? frames[i]!.data.length : payloads[i - from]!.length);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    const f = frames[i]!;
    at = putFrame(out, at, f.binary ? OP_BINARY : OP_TEXT, payloads === undefined ? f.data : payloads[i - from]!, deflate);
  }
  return out;
}

/** A close frame with `code` (and no reason). */
export function closeFrame(code: number): Buffer {
  const p = Buffer.allocUnsafe(2);
  p.writeUInt16BE(code, 0);
  return encodeFrame(OP_CLOSE, p);
}

/** Close codes a peer may send (RFC 6455 §7.4): 1000–1003, 1007–1014, and 3000–4999 for applications. */
function validCloseCode(c: number): boolean {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/**
 * Whether bytes `start` to `end` of `b` are valid UTF-8. Short all-ASCII text, most messages, is
 * checked here, without the view isUtf8 needs (making one cost more than the check).
 */
function validUtf8(b: Buffer, start: number, end: number): boolean {
  if (end - start <= 256) {
    let i = start;
    while (i < end && b[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(b.subarray(start, end));
}

export class FrameReader {
  /** set when the server broke the protocol or passed the cap: the reader takes nothing more */
  error = "";
  tooLarge = false;
  /** the chunks of a frame that has not arrived whole, and how many bytes it takes to go on */
  private rest: Buffer[] = [];
  private restBytes = 0;
  private need = 0;
  /** the fragments of a message in progress (opcode, compressed) */
  private fragOp = -1;
  private fragDeflated = false;
  private frags: Uint8Array[] = [];
  private fragBytes = 0;

  constructor(
    private readonly events: FrameEvents,
    private readonly maxBytes: number,
    private readonly deflate: boolean,
  ) {}

  /** A frame is partly read (the connection closing now ends it mid-frame). */
  get midFrame(): boolean {
    return this.restBytes > 0 || this.fragOp >= 0;
  }

  /** Feeds a socket chunk; false once an error is set. */
  feed(chunk: Buffer): boolean {
    let buf = chunk;
    if (this.restBytes > 0) {
      // a large frame arrives in many chunks: join them once, when all of it is here
      this.rest.push(chunk);
      this.restBytes += chunk.length;
      if (this.restBytes < this.need) return true;
      buf = Buffer.concat(this.rest, this.restBytes);
      this.rest = [];
      this.restBytes = 0;
    }
    let pos = 0;
    const n = buf.length;
    this.need = 0;
    while (pos < n) {
      if (n - pos < 2) {
        this.need = 2;
        break;
      }
      const b0 = buf[pos]!;
      const b1 = buf[pos + 1]!;
      let len = b1 & 0x7f;
      let at = pos + 2;
      if (len === 126) {
        if (n - pos < 4) {
          this.need = 4;
          break;
        }
        len = buf.readUInt16BE(pos + 2);
        at = pos + 4;
      } else if (len === 127) {
        if (n - pos < 10) {
          this.need = 10;
          break;
        }
        const hi = buf.readUInt32BE(pos + 2);
        if (hi >= 0x200000) return this.fail(`a frame declares ${hi} × 2^32 bytes, beyond what the protocol allows`);
        len = hi * 2 ** 32 + buf.readUInt32BE(pos + 6);
        at = pos + 10;
      }
      const op = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      const rsv1 = (b0 & 0x40) !== 0;
      if ((b0 & 0x30) !== 0) return this.fail("a frame has the reserved bits RSV2/RSV3 set");
      if ((b1 & 0x80) !== 0) return this.fail("the server sent a masked frame (RFC 6455 §5.1: server frames are never masked)");
      if (op >= OP_CLOSE) {
        if (op > OP_PONG) return this.fail(`a frame has the reserved opcode 0x${op.toString(16)}`);
        if (!fin || len > 125) return this.fail("a control frame is fragmented or longer than 125 bytes");
        if (rsv1) return this.fail("a control frame has RSV1 set");
      } else if (op !== OP_CONT && op !== OP_TEXT && op !== OP_BINARY) {
        return this.fail(`a frame has the reserved opcode 0x${op.toString(16)}`);
      } else if (rsv1 && (!this.deflate || op === OP_CONT)) {
        return this.fail(this.deflate ? "a continuation frame has RSV1 set" : "a frame has RSV1 set without permessage-deflate");
      }
      if (len > this.maxBytes || (op < OP_CLOSE && this.fragBytes + len > this.maxBytes)) return this.big();
      if (n - at < len) {
        this.need = at - pos + len;
        break;
      }
      pos = at + len;
      if (!this.frame(op, fin, rsv1, buf, at, pos)) return false;
    }
    if (pos < n) {
      this.rest = [buf.subarray(pos)];
      this.restBytes = n - pos;
    }
    return true;
  }

  /** One frame, its payload bytes `start` to `end` of `buf`. */
  private frame(op: number, fin: boolean, rsv1: boolean, buf: Buffer, start: number, end: number): boolean {
    if (op === OP_TEXT || op === OP_BINARY) {
      // a whole message in one frame, the common case
      if (this.fragOp >= 0) return this.fail("a new message began before the fragmented one ended");
      if (fin) return this.complete(op, rsv1, buf, start, end);
    }
    const payload = buf.subarray(start, end);
    switch (op) {
      case OP_PING:
        this.events.ping(payload);
        return true;
      case OP_PONG:
        return true;
      case OP_CLOSE: {
        if (payload.length === 1) return this.fail("a close frame with a 1-byte payload");
        if (payload.length === 0) {
          this.events.serverClose(undefined, "");
          return true;
        }
        const code = (payload[0]! << 8) | payload[1]!;
        if (!validCloseCode(code)) return this.fail(`a close frame with the invalid code ${code}`);
        const reason = payload.subarray(2);
        if (!isUtf8(reason)) return this.fail("a close frame's reason is not valid UTF-8");
        this.events.serverClose(code, Buffer.from(reason).toString("utf8"));
        return true;
      }
      case OP_CONT:
        if (this.fragOp < 0) return this.fail("a continuation frame with no message to continue");
        this.frags.push(payload);
        this.fragBytes += payload.length;
        if (!fin) return true;
        return this.completeFrags();
      default:
        // the first fragment of a message
        this.fragOp = op;
        this.fragDeflated = rsv1;
        this.frags = [payload];
        this.fragBytes = payload.length;
        return true;
    }
  }

  /** The last fragment arrived: the message is its fragments joined. */
  private completeFrags(): boolean {
    const op = this.fragOp;
    const deflated = this.fragDeflated;
    const all = Buffer.concat(this.frags, this.fragBytes);
    this.fragOp = -1;
    this.frags = [];
    this.fragBytes = 0;
    return this.complete(op, deflated, all, 0, all.length);
  }

  /** A whole message, bytes `start` to `end` of `buf`: inflated, its text checked, handed over. */
  private complete(op: number, deflated: boolean, buf: Buffer, start: number, end: number): boolean {
    if (deflated) {
      try {
        buf = inflateRawSync(Buffer.concat([buf.subarray(start, end), DEFLATE_TAIL]), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: this.maxBytes });
      } catch (e) {
        if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return this.big();
        return this.fail(`a compressed message does not inflate: ${(e as Error).message}`);
      }
      start = 0;
      end = buf.length;
    }
    if (op === OP_TEXT && !validUtf8(buf, start, end)) return this.fail("a text message is not valid UTF-8");
    this.events.message(op === OP_BINARY, buf, start, end);
    return true;
  }

  private fail(message: string): false {
    this.error = `invalid WebSocket frame: ${message}`;
    this.rest = [];
    this.restBytes = 0;
    return false;
  }

  private big(): false {
    this.tooLarge = true;
    this.error = `a WebSocket message passed max_message_size (${this.maxBytes} bytes)`;
    this.rest = [];
    this.restBytes = 0;
    return false;
  }
}
