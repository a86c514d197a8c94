/**
 * The echo target's WebSocket endpoints: `/ws` echoes every text and binary message back (the
 * text `ping-close` makes it close with 1000 "bye"; `ping-me` makes it send a ping and answer
 * the pong with the text `pong received`; `close-4000` closes with 4000 "custom"); `/ws/ack`
 * answers every message with `{"type":"ack","ok":true}`, as the reference's example harness does.
 * Both choose the first subprotocol the client offers, and accept permessage-deflate.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";

/** Text frame that makes the WebSocket echo close the connection instead of echoing. */
export const WS_CLOSE_COMMAND = "ping-close";

const ACK = '{"type":"ack","ok":true}';

export interface WsData {
  ack: boolean;
}

export const websocket: WebSocketHandler<WsData> = {
  perMessageDeflate: true,
  message(ws: ServerWebSocket<WsData>, message: string | Buffer) {
    // `true`: compressed when the client negotiated permessage-deflate (ignored otherwise)
    if (ws.data.ack) {
      ws.send(ACK, true);
      return;
    }
    if (message === WS_CLOSE_COMMAND) ws.close(1000, "bye");
    else if (message === "close-4000") ws.close(4000, "custom");
    else if (message === "ping-me") ws.ping("are you there");
    else ws.send(message, true); // a string goes back as a text frame, a Buffer as a binary frame
  },
  pong(ws: ServerWebSocket<WsData>) {
    if (!ws.data.ack) ws.send("pong received", true);
  },
};

/** Upgrades `req` (choosing the first offered subprotocol), or answers 426. */
export function upgrade(req: Request, srv: Server<WsData>, ack: boolean): Response | undefined {
  const offered = req.headers.get("sec-websocket-protocol");
  const first = offered?.split(",")[0]?.trim();
  const headers = first ? { "Sec-WebSocket-Protocol": first } : undefined;
  if (srv.upgrade(req, { data: { ack }, headers })) return undefined;
  return new Response("expected a WebSocket upgrade", { status: 426 });
}
