/**
 * The `ws:` block as the WebSocket handler gets it (rendered per request by the request builder,
 * src/engine/worker/flow/protocol-options.ts): the frames to send in order, the receive rule and
 * the session's limits.
 */
import { DEFAULT_MAX_MESSAGE_BYTES } from "../socket/options.ts";

export interface WsFrame {
  /** the payload: UTF-8 text, or bytes for a binary frame */
  data: Uint8Array;
  binary: boolean;
  /** wait this long before sending it */
  delayMs: number;
}

export interface WsCallOptions {
  /** offered in Sec-WebSocket-Protocol, joined with `, ` */
  subprotocols: readonly string[];
  frames: readonly WsFrame[];
  /** stop after this many messages; default: one per frame sent (at least 1), unbounded with only receiveUntil */
  receiveCount?: number;
  /** stop at a text message containing this */
  receiveUntil?: string;
  /** the receive phase ends normally after this long */
  sessionDurationMs?: number;
  /** offer permessage-deflate (loadr's `ws.compression: deflate`) */
  deflate: boolean;
  /** a frame or message larger than this fails the session (`message_too_large`) */
  maxBytes: number;
}

export const DEFAULT_WS_OPTIONS: WsCallOptions = { subprotocols: [], frames: [], deflate: false, maxBytes: DEFAULT_MAX_MESSAGE_BYTES };
