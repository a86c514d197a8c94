/**
 * What a socket-level exchange (TCP, UDP) answers: status 0 always (reference §5.1), the bytes
 * read as the body, the phases, and on failure `error` with its kind; the partial data of a
 * failed read stays in the body.
 */
import { formatDuration } from "../http/errors.ts";
import { classifyError, type ErrorKind, type ProtocolResponse, type Timings } from "../types.ts";

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

/** The chunks as one array (no copy for one chunk). */
export function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
