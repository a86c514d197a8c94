/**
 * WebSocket (`ws://`, `wss://`, `protocol: ws` / `websocket`) as a protocol handler: one request
 * is one session (session.ts). Status 101 (the server's status when the upgrade is refused, 0
 * when no answer came); the body is the last message received; `extras` has `msgs_sent`,
 * `msgs_received`, `last_message` (text, or null), `close_code` and `close_reason`. Fails only
 * through `error` (reference §2.5). Stateless per VU: a session is its own connection.
 *
 * Metrics (reference §2.6): `ws_connecting` (DNS, connect, TLS and the upgrade handshake),
 * `ws_session_duration` (handshake + sending + receiving), `ws_msgs_sent`, `ws_msgs_received`,
 * `http_req_failed`, `data_sent` / `data_received` (bytes on the wire, handshake and framing
 * included).
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { HandlerInfo } from "../handler.ts";
import type { HttpClientOptions } from "../http/options.ts";
import { emitOutcome, LinkHandler } from "../socket/link-handler.ts";
import { socketTarget } from "../socket/target.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { DEFAULT_WS_OPTIONS, type WsCallOptions } from "./options.ts";
import { WsSession } from "./session.ts";

export const WS_INFO: HandlerInfo = { name: "ws", optionBlocks: ["ws"] };
export const WS_METRICS: readonly string[] = ["ws_connecting", "ws_session_duration", "ws_msgs_sent", "ws_msgs_received", "http_req_failed", "data_sent", "data_received"];

const SCHEMES = ["ws", "wss"];
const failed = (r: ProtocolResponse) => r.error !== undefined;

interface WsExtras {
  msgs_sent: number;
  msgs_received: number;
}

export class WsHandler extends LinkHandler {
  constructor(http: Pick<HttpClientOptions, "hosts" | "tls">) {
    super(WS_INFO, WS_METRICS, failed, http);
  }

  call(req: ProtocolRequest): Promise<ProtocolResponse> {
    const target = socketTarget(req.url, "ws", SCHEMES);
    const o = withFirstMessage((req.options as WsCallOptions | undefined) ?? DEFAULT_WS_OPTIONS, req.body);
    return new WsSession(req, target, o).run(this.dialer);
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    const t = r.timings;
    const x = r.extras as WsExtras | undefined;
    sink.beginEvent();
    sink.trend("ws_connecting", ts, t.blocked + t.connecting + t.tls + t.waiting);
    sink.trend("ws_session_duration", ts, t.duration);
    sink.counter("ws_msgs_sent", ts, x?.msgs_sent ?? 0);
    sink.counter("ws_msgs_received", ts, x?.msgs_received ?? 0);
    emitOutcome(sink, ts, r, failed(r));
  }
}

/**
 * The request's body is the session's first message (docs/dev/architecture.md "What the request
 * is"): the request builder sets it from the first `ws.send` frame, and a before-send hook may
 * change it. A body that is not that frame's own bytes replaces its payload (keeping its kind and
 * delay), or is sent as a text frame when the step sends none.
 */
export function withFirstMessage(o: WsCallOptions, body: Uint8Array | undefined): WsCallOptions {
  if (body === undefined) return o;
  const first = o.frames[0];
  if (first === undefined) return { ...o, frames: [{ data: body, binary: false, delayMs: 0 }] };
  if (first.data === body) return o;
  return { ...o, frames: [{ ...first, data: body }, ...o.frames.slice(1)] };
}
