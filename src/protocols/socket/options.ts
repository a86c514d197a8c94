/**
 * The `socket:` block as the TCP and UDP handlers get it (rendered by the request builder,
 * src/engine/worker/flow/protocol-options.ts): the payload to write (`send_text` / `send_hex`;
 * absent: the request body), how to read, and the cap on what is read.
 */

export interface SocketCallOptions {
  /** `send_text` or `send_hex` as bytes; undefined: the request's body is the payload */
  payload?: Uint8Array;
  /** read until at least this many bytes */
  readBytes?: number;
  /** read until the peer closes (TCP) */
  readUntilClose: boolean;
  /** the read phase's own deadline; default: the request timeout */
  readTimeoutMs?: number;
  /** a read that passes this many bytes fails (`message_too_large`) */
  maxBytes: number;
}

/**
 * The default `max_message_size` of the handlers that read messages off a stream (a TCP/UDP read,
 * a WebSocket message, an SSE event): what a VU keeps in memory for one is bounded.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** What a request without a `socket:` block reads: the first chunk (TCP) or datagram (UDP). */
export const DEFAULT_SOCKET_OPTIONS: SocketCallOptions = { readUntilClose: false, maxBytes: DEFAULT_MAX_MESSAGE_BYTES };

/** `send_hex` as bytes: pairs of hex digits, whitespace allowed (the plan schema checked the text). */
export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
}
