/**
 * Raw TCP (`tcp://host:port`) and UDP (`udp://host:port`) as protocol handlers (reference §5.1):
 * one exchange per request (tcp.ts, udp.ts), the payload from `socket.send_text` / `send_hex` or
 * else the request body, status always 0, failing only through `error` (reference §2.5).
 * Stateless per VU: every exchange has its own connection or socket.
 *
 * Metrics: `tcp_reqs` / `udp_reqs`, `tcp_req_duration` / `udp_req_duration` (sending + waiting
 * + receiving), `tcp_connecting` (the TCP connect), `http_req_failed`, `data_sent`,
 * `data_received` (exact bytes on the wire).
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { HandlerInfo, ProtocolHandler } from "../handler.ts";
import type { HttpClientOptions } from "../http/options.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { Dialer } from "./link.ts";
import { DEFAULT_SOCKET_OPTIONS, type SocketCallOptions } from "./options.ts";
import { socketTarget } from "./target.ts";
import { TcpExchange } from "./tcp.ts";
import { UdpExchange } from "./udp.ts";

export const TCP_INFO: HandlerInfo = { name: "tcp", optionBlocks: ["socket"] };
export const UDP_INFO: HandlerInfo = { name: "udp", optionBlocks: ["socket"] };

export const TCP_METRICS: readonly string[] = ["tcp_reqs", "tcp_req_duration", "tcp_connecting", "http_req_failed", "data_sent", "data_received"];
export const UDP_METRICS: readonly string[] = ["udp_reqs", "udp_req_duration", "http_req_failed", "data_sent", "data_received"];

const EMPTY = new Uint8Array(0);
const failed = (r: ProtocolResponse) => r.error !== undefined;

function payloadOf(req: ProtocolRequest, o: SocketCallOptions): Uint8Array {
  return o.payload ?? req.body ?? EMPTY;
}

export class TcpHandler implements ProtocolHandler<undefined> {
  readonly name = TCP_INFO.name;
  readonly optionBlocks = TCP_INFO.optionBlocks;
  readonly metrics = TCP_METRICS;
  readonly failed = failed;
  private readonly dialer: Dialer;

  constructor(http: Pick<HttpClientOptions, "hosts" | "tls">) {
    this.dialer = new Dialer(http);
  }

  call(req: ProtocolRequest): Promise<ProtocolResponse> {
    const target = socketTarget(req.url, "tcp", ["tcp"]);
    const o = (req.options as SocketCallOptions | undefined) ?? DEFAULT_SOCKET_OPTIONS;
    return new TcpExchange(req.url, payloadOf(req, o), o, req.timeoutMs).run(this.dialer, target);
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    sink.beginEvent();
    sink.counter("tcp_reqs", ts, 1);
    sink.trend("tcp_req_duration", ts, r.timings.duration);
    sink.trend("tcp_connecting", ts, r.timings.connecting);
    sink.rate("http_req_failed", ts, failed(r));
    sink.counter("data_sent", ts, r.bytesSent);
    sink.counter("data_received", ts, r.bytesReceived);
    sink.endEvent();
  }
}

export class UdpHandler implements ProtocolHandler<undefined> {
  readonly name = UDP_INFO.name;
  readonly optionBlocks = UDP_INFO.optionBlocks;
  readonly metrics = UDP_METRICS;
  readonly failed = failed;

  constructor(private readonly http: Pick<HttpClientOptions, "hosts">) {}

  call(req: ProtocolRequest): Promise<ProtocolResponse> {
    const target = socketTarget(req.url, "udp", ["udp"]);
    const o = (req.options as SocketCallOptions | undefined) ?? DEFAULT_SOCKET_OPTIONS;
    return new UdpExchange(req.url, payloadOf(req, o), o, req.timeoutMs).run(this.http.hosts, target);
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    sink.beginEvent();
    sink.counter("udp_reqs", ts, 1);
    sink.trend("udp_req_duration", ts, r.timings.duration);
    sink.rate("http_req_failed", ts, failed(r));
    sink.counter("data_sent", ts, r.bytesSent);
    sink.counter("data_received", ts, r.bytesReceived);
    sink.endEvent();
  }
}
