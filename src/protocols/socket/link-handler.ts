/**
 * What the handlers of the protocols over a raw link (tcp, sse, ws: socket/handler.ts,
 * sse/handler.ts, ws/handler.ts) share: the handler info and metric names they are built with,
 * their failure rule, one Dialer (`hosts` pinning and TLS, from defaults.http), and the samples
 * every such handler (udp too) ends a request's event with.
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { HandlerInfo, ProtocolHandler } from "../handler.ts";
import type { HttpClientOptions } from "../http/options.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { Dialer } from "./link.ts";

export abstract class LinkHandler implements ProtocolHandler<undefined> {
  readonly name: string;
  readonly optionBlocks: readonly string[];
  protected readonly dialer: Dialer;

  constructor(
    info: HandlerInfo,
    readonly metrics: readonly string[],
    readonly failed: (r: ProtocolResponse) => boolean,
    http: Pick<HttpClientOptions, "hosts" | "tls">,
  ) {
    this.name = info.name;
    this.optionBlocks = info.optionBlocks;
    this.dialer = new Dialer(http);
  }

  abstract call(req: ProtocolRequest): Promise<ProtocolResponse>;
  abstract emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void;
}

/** Ends a request's event: `http_req_failed` by the handler's rule, `data_sent`, `data_received`. */
export function emitOutcome(sink: Sink, ts: TagSet, r: ProtocolResponse, failed: boolean): void {
  sink.rate("http_req_failed", ts, failed);
  sink.counter("data_sent", ts, r.bytesSent);
  sink.counter("data_received", ts, r.bytesReceived);
  sink.endEvent();
}
