/**
 * The FfiRequest / FfiResponse JSON of reference §6.5, field for field: the request is what a
 * reference plugin expects byte for byte in meaning; every response field has its default.
 */
import { classifyError, type ErrorKind, type ProtocolRequest, type ProtocolResponse } from "../../../protocols/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFfiRequest(c: ProtocolRequest, config: unknown): Uint8Array {
  const req: Record<string, unknown> = {
    name: c.name,
    method: c.method,
    url: c.url,
    headers: c.headers,
    body_b64: c.body && c.body.length > 0 ? Buffer.from(c.body.buffer, c.body.byteOffset, c.body.byteLength).toString("base64") : "",
    timeout_ms: Math.round(c.timeoutMs),
  };
  if (c.options !== undefined && c.options !== null) req.options = c.options;
  if (config !== undefined && config !== null && !(isEmptyObject(config))) req.config = config;
  return encoder.encode(JSON.stringify(req));
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Response bytes → ProtocolResponse; invalid JSON or base64 become a transport error (status 0). */
export function decodeFfiResponse(pluginName: string, bytes: Uint8Array, c: ProtocolRequest): ProtocolResponse {
  const bytesSent = c.body?.length ?? 0;
  let v: Record<string, unknown>;
  try {
    const parsed = JSON.parse(decoder.decode(bytes));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
    v = parsed;
  } catch (e) {
    return failure(pluginName, c, `plugin \`${pluginName}\` returned invalid response JSON: ${(e as Error).message}`, bytesSent);
  }
  const b64 = typeof v.body_b64 === "string" ? v.body_b64 : "";
  if (b64 !== "" && (b64.length % 4 !== 0 || !B64.test(b64))) {
    return failure(pluginName, c, `plugin \`${pluginName}\` returned invalid body base64`, bytesSent);
  }
  const body = b64 === "" ? new Uint8Array(0) : new Uint8Array(Buffer.from(b64, "base64"));
  const duration = typeof v.duration_ms === "number" && Number.isFinite(v.duration_ms) ? v.duration_ms : 0;
  const error = typeof v.error === "string" ? v.error : undefined;
  return {
    status: typeof v.status === "number" ? v.status : 0,
    statusText: typeof v.status_text === "string" ? v.status_text : "",
    headers: Array.isArray(v.headers) ? (v.headers.filter((h) => Array.isArray(h) && h.length === 2).map((h) => [String(h[0]), String(h[1])]) as [string, string][]) : [],
    body,
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: duration, receiving: 0, duration },
    bytesSent,
    bytesReceived: body.length,
    protocolVersion: pluginName,
    error,
    errorKind: error !== undefined ? classifyError(error) : undefined,
    url: c.url,
    extras: v.extras ?? null,
  };
}

/** A request that got no usable response (timeout, crash, bad JSON): status 0, the error set. */
export function failure(pluginName: string, c: ProtocolRequest, error: string, bytesSent = c.body?.length ?? 0, kind?: ErrorKind, elapsed = 0): ProtocolResponse {
  return {
    status: 0,
    statusText: "",
    headers: [],
    body: new Uint8Array(0),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: elapsed, receiving: 0, duration: elapsed },
    bytesSent,
    bytesReceived: 0,
    protocolVersion: pluginName,
    error,
    errorKind: kind ?? classifyError(error),
    url: c.url,
    extras: null,
  };
}
