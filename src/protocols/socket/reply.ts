/**
 * What a socket-level exchange (TCP, UDP) answers: status 0 always (reference §5.1), the bytes
 * read as the body, the phases, and on failure `error` with its kind; the partial data of a
 * failed read stays in the body.
 */
import { formatDuration } from "../http/errors.ts";
import { classifyError, type ErrorKind, type ProtocolResponse, type Timings } from "../types.ts";

const EMPTY = new Uint8Array(0);

export function socketReply(protocol: string, url: string, body: Uint8Array, t: Timings, sent: number, received: number, error?: string, kind?: ErrorKind): ProtocolResponse {
  const r: ProtocolResponse = {
    status: 0,
    statusText: "",
    headers: [],
    body,
    timings: t,
    bytesSent: sent,
    bytesReceived: received,
    protocolVersion: protocol,
    url,
  };
  if (error !== undefined) {
    r.error = error;
    r.errorKind = kind ?? classifyError(error);
  }
  return r;
}

/** The message of a read that passed its cap. */
export function tooLargeMessage(what: string, max: number): string {
  return `${what} passed max_message_size (${max} bytes)`;
}

/** The message of a read phase that ran out of time (reference: `read timed out after 2s`). */
export function readTimeoutMessage(ms: number): string {
  return `read timed out after ${formatDuration(ms)}`;
}

/** The bytes read, kept up to a cap (max_message_size): the body of the reply. */
export class CappedRead {
  private readonly chunks: Uint8Array[] = [];
  /** bytes kept so far */
  got = 0;

  constructor(private readonly max: number) {}

  /** Keeps `d`; false when it passed the cap (what fits under it is kept). */
  add(d: Uint8Array): boolean {
    const max = this.max;
    if (this.got + d.length > max) {
      this.chunks.push(d.subarray(0, max - this.got));
      this.got = max;
      return false;
    }
    this.chunks.push(d);
    this.got += d.length;
    return true;
  }

  body(): Uint8Array {
    return this.got === 0 ? EMPTY : joinChunks(this.chunks, this.got);
  }
}

/**
 * The phases of a write-then-read exchange into `t` (marks 0 where not reached, `end` standing
 * in for a phase cut short): sending, waiting until the first byte, receiving the rest; and the
 * duration, their sum.
 */
export function exchangePhases(t: Timings, sendStart: number, sendEnd: number, first: number, end: number): void {
  if (sendStart > 0) {
    t.sending = (sendEnd > 0 ? sendEnd : end) - sendStart;
    if (sendEnd > 0) {
      t.waiting = (first > 0 ? first : end) - sendEnd;
      if (first > 0) t.receiving = end - first;
    }
  }
  t.duration = t.sending + t.waiting + t.receiving;
}

/** The chunks as one array (no copy for one chunk). */
function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
