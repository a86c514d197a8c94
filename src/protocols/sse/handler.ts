/**
 * Server-Sent Events (`sse://` → http, `sses://` → https, or `protocol: sse` on an http(s) URL)
 * as a protocol handler: one request is one stream (stream.ts), GET only. The status is the
 * HTTP status; the body is the last event's data; `extras` has `events_received`, `last_event`
 * (`{type, data, id}`), `events` (the first 100), `first_event_ms` and `retry`. Fails through
 * `error` or a status ≥ 400. Stateless per VU: a stream is its own connection.
 *
 * Metrics: the reference's `plugin_*` family for SSE (`plugin_reqs`, `plugin_req_duration`),
 * plus `sse_events` (events received) and `sse_time_to_first_event`, `http_req_failed`,
 * `data_sent` / `data_received` (bytes on the wire).
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { HandlerInfo, ProtocolHandler } from "../handler.ts";
import type { HttpClientOptions } from "../http/options.ts";
import { Dialer } from "../socket/link.ts";
import { socketTarget } from "../socket/target.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { DEFAULT_SSE_OPTIONS, type SseCallOptions } from "./options.ts";
import { type SseExtras, SseStream } from "./stream.ts";

export const SSE_INFO: HandlerInfo = { name: "sse", optionBlocks: ["sse"] };
export const SSE_METRICS: readonly string[] = ["plugin_reqs", "plugin_req_duration", "sse_events", "sse_time_to_first_event", "http_req_failed", "data_sent", "data_received"];

const SCHEMES = ["sse", "sses", "http", "https"];
const failed = (r: ProtocolResponse) => r.error !== undefined || r.status >= 400;

export class SseHandler implements ProtocolHandler<undefined> {
  readonly name = SSE_INFO.name;
  readonly optionBlocks = SSE_INFO.optionBlocks;
  readonly metrics = SSE_METRICS;
  readonly failed = failed;
  private readonly dialer: Dialer;

  constructor(http: Pick<HttpClientOptions, "hosts" | "tls">) {
    this.dialer = new Dialer(http);
  }

  call(req: ProtocolRequest): Promise<ProtocolResponse> {
    if (req.method !== "GET") throw new Error(`sse requires GET, got \`${req.method}\``);
    const target = socketTarget(req.url, "sse", SCHEMES);
    const o = (req.options as SseCallOptions | undefined) ?? DEFAULT_SSE_OPTIONS;
    return new SseStream(req, target, o).run(this.dialer);
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    const x = r.extras as SseExtras | undefined;
    sink.beginEvent();
    sink.counter("plugin_reqs", ts, 1);
    sink.trend("plugin_req_duration", ts, r.timings.duration);
    sink.counter("sse_events", ts, x?.events_received ?? 0);
    if (x?.first_event_ms != null) sink.trend("sse_time_to_first_event", ts, x.first_event_ms);
    sink.rate("http_req_failed", ts, failed(r));
    sink.counter("data_sent", ts, r.bytesSent);
    sink.counter("data_received", ts, r.bytesReceived);
    sink.endEvent();
  }
}
