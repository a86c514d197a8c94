/**
 * The option blocks of the built-in stream protocols, compiled once per step into what their
 * handlers get as `ProtocolRequest.options` (src/protocols/ws/options.ts, sse/options.ts,
 * socket/options.ts), and the GraphQL envelope, which is the request's body (reference §1.8):
 * `{"query", "variables", "operationName"}` with `Content-Type: application/json`; the query is not
 * templated, the variables' string leaves are (typed, §1.11).
 */
import { compileJsonTemplate, compileTemplate, renderJsonTemplate } from "../../../plan/template.ts";
import type { RequestStep } from "../../../plan/schema.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, hexBytes, type SocketCallOptions } from "../../../protocols/socket/options.ts";
import type { SseCallOptions } from "../../../protocols/sse/options.ts";
import type { WsCallOptions, WsFrame } from "../../../protocols/ws/options.ts";
import { compileRender } from "../render.ts";
import type { Vu } from "../vu.ts";

export interface CompiledOptions {
  render: (vu: Vu) => unknown;
  /** the same object for every request: the request can be built once */
  static: boolean;
  /** the request's body when the step gives none: what before-send hooks see and may change
   *  (a WebSocket session's first message) */
  body?: (rendered: unknown) => Uint8Array | undefined;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const JSON_TYPE = "application/json";

/** The handler options of a `ws:`, `sse:` or `socket:` block, or undefined when the step has none of them. */
export function compileStreamOptions(spec: RequestStep): CompiledOptions | undefined {
  if (spec.ws !== undefined) return compileWs(spec.ws);
  if (spec.sse !== undefined) {
    const s = spec.sse;
    const o: SseCallOptions = { events: s.events, until: s.until || undefined, durationMs: s.duration, maxBytes: s.max_message_size ?? DEFAULT_MAX_MESSAGE_BYTES };
    return { render: () => o, static: true };
  }
  if (spec.socket !== undefined) return compileSocket(spec.socket);
  return undefined;
}

function compileWs(w: NonNullable<RequestStep["ws"]>): CompiledOptions {
  const frames = (w.send ?? []).map((m) => {
    const text = typeof m === "string" ? m : m.text;
    const delayMs = typeof m === "string" ? 0 : (m.delay ?? 0);
    if (text !== undefined) {
      const t = compileTemplate(text);
      if (t.kind === "static") {
        const f: WsFrame = { data: encoder.encode(t.text), binary: false, delayMs };
        return () => f;
      }
      const r = compileRender(t);
      return (vu: Vu): WsFrame => ({ data: encoder.encode(r(vu)), binary: false, delayMs });
    }
    // the schema checked the base64; a frame with neither key is an empty text frame (as the reference's)
    const b64 = typeof m === "string" ? undefined : m.binary_base64;
    const f: WsFrame = b64 !== undefined ? { data: new Uint8Array(Buffer.from(b64.trim(), "base64")), binary: true, delayMs } : { data: EMPTY, binary: false, delayMs };
    return () => f;
  });
  const fixed = {
    subprotocols: w.subprotocols ?? [],
    receiveCount: w.receive_count,
    receiveUntil: w.receive_until,
    sessionDurationMs: w.session_duration,
    deflate: w.compression === "deflate",
    maxBytes: w.max_message_size ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
  const dynamic = (w.send ?? []).some((m) => (typeof m === "string" ? m : m.text)?.includes("${"));
  if (!dynamic) {
    const o: WsCallOptions = { ...fixed, frames: frames.map((f) => f(undefined as never)) };
    return { render: () => o, static: true, body: firstMessage };
  }
  return { render: (vu): WsCallOptions => ({ ...fixed, frames: frames.map((f) => f(vu)) }), static: false, body: firstMessage };
}

const firstMessage = (o: unknown) => (o as WsCallOptions).frames[0]?.data;

function compileSocket(s: NonNullable<RequestStep["socket"]>): CompiledOptions {
  const fixed: SocketCallOptions = {
    readBytes: s.read_bytes,
    readUntilClose: s.read_until_close === true,
    readTimeoutMs: s.read_timeout,
    maxBytes: s.max_message_size ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
  if (s.send_hex !== undefined) fixed.payload = hexBytes(s.send_hex);
  if (s.send_text === undefined) return { render: () => fixed, static: true };
  const t = compileTemplate(s.send_text);
  if (t.kind === "static") {
    const o = { ...fixed, payload: encoder.encode(t.text) };
    return { render: () => o, static: true };
  }
  const r = compileRender(t);
  return { render: (vu): SocketCallOptions => ({ ...fixed, payload: encoder.encode(r(vu)) }), static: false };
}

/** The GraphQL envelope as the request body, when the step has a `graphql:` block. */
export function compileGraphqlBody(spec: RequestStep): { body: (vu: Vu) => Uint8Array; contentType: string; static: boolean } | undefined {
  const g = spec.graphql;
  if (g === undefined) return undefined;
  const vars = g.variables !== undefined ? compileJsonTemplate(g.variables) : undefined;
  const envelope = (variables: unknown) => {
    const o: Record<string, unknown> = { query: g.query };
    if (g.variables !== undefined) o.variables = variables;
    if (g.operation_name !== undefined) o.operationName = g.operation_name;
    return encoder.encode(JSON.stringify(o));
  };
  if (vars === undefined || vars.kind === "static") {
    const bytes = envelope(vars?.kind === "static" ? vars.value : undefined);
    return { body: () => bytes, contentType: JSON_TYPE, static: true };
  }
  return { body: (vu) => envelope(renderJsonTemplate(vars, vu.resolve)), contentType: JSON_TYPE, static: false };
}
