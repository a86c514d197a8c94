/**
 * gRPC's metric emission and failure rule (reference §2.5, §2.6, plus loadr's stream and message
 * counters): one call is grpc_reqs, grpc_req_duration, grpc_streams (+1 for a streaming call),
 * grpc_msgs_sent and grpc_msgs_received, http_req_failed, data_sent and data_received.
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { ProtocolResponse } from "../types.ts";

/** What a gRPC response (response.ts) carries beyond ProtocolResponse, for the counters. */
export interface GrpcCounts {
  msgsSent: number;
  msgsReceived: number;
  streaming: boolean;
}

/** every metric emitGrpcSamples records */
export const GRPC_METRICS: readonly string[] = [
  "grpc_reqs", "grpc_req_duration", "grpc_streams", "grpc_msgs_sent", "grpc_msgs_received", "http_req_failed", "data_sent", "data_received",
];

/** A call fails on an error, or a status that is not OK (0). */
export function grpcFailed(r: ProtocolResponse): boolean {
  return r.error !== undefined || r.status !== 0;
}

export function emitGrpcSamples(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
  sink.beginEvent();
  sink.counter("grpc_reqs", ts, 1);
  sink.trend("grpc_req_duration", ts, r.timings.duration);
  // a call the pipeline answered for the handler (refused, a hook) sent and received nothing
  const g = r as Partial<GrpcCounts>;
  if (g.msgsSent !== undefined) {
    if (g.streaming) sink.counter("grpc_streams", ts, 1);
    sink.counter("grpc_msgs_sent", ts, g.msgsSent);
    sink.counter("grpc_msgs_received", ts, g.msgsReceived!);
  }
  sink.rate("http_req_failed", ts, grpcFailed(r));
  sink.counter("data_sent", ts, r.bytesSent);
  sink.counter("data_received", ts, r.bytesReceived);
  sink.endEvent();
}
