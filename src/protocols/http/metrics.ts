/**
 * HTTP's metric emission and failure rule (reference §2.5, §2.6): one exchange is http_reqs, the
 * seven timing trends, http_req_failed and data_sent/data_received, all under the one tag set the
 * pipeline hands over (src/pipeline/request-tags.ts caches it, so no tag object is built per request).
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { ProtocolResponse } from "../types.ts";

/** every metric emitHttpSamples records */
export const HTTP_METRICS: readonly string[] = [
  "http_reqs", "http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
  "http_req_sending", "http_req_waiting", "http_req_receiving", "http_req_failed", "data_sent", "data_received",
];

/** HTTP's failure rule (§2.5): a transport error, or status >= 400. */
export function httpFailed(r: ProtocolResponse): boolean {
  return r.error !== undefined || r.status >= 400;
}

export function emitHttpSamples(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
  const t = r.timings;
  sink.beginEvent();
  sink.counter("http_reqs", ts, 1);
  sink.trend("http_req_duration", ts, t.duration);
  sink.trend("http_req_blocked", ts, t.blocked);
  sink.trend("http_req_connecting", ts, t.connecting);
  sink.trend("http_req_tls_handshaking", ts, t.tls);
  sink.trend("http_req_sending", ts, t.sending);
  sink.trend("http_req_waiting", ts, t.waiting);
  sink.trend("http_req_receiving", ts, t.receiving);
  sink.rate("http_req_failed", ts, httpFailed(r));
  sink.counter("data_sent", ts, r.bytesSent);
  sink.counter("data_received", ts, r.bytesReceived);
  sink.endEvent();
}
