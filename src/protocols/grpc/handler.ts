/**
 * gRPC as a protocol handler (../handler.ts; docs/protocols/grpc.md): `grpc://` (cleartext h2c),
 * `grpcs://` (TLS, ALPN h2), or `http(s)://` with `protocol: grpc`; host and port required.
 * The calls are caller.ts's, loaded on the first one: a run without gRPC never loads protobufjs.
 *
 * Each VU's state is its channel: an HTTP/2 session per server (the pool HTTP/2 requests use),
 * shared with its `parallel` branches, closed when the VU retires. TLS settings, `hosts` pinning
 * and the proxy are `defaults.http`'s.
 */
import type { RouteProblem, StepView } from "../../plan/protocol-check.ts";
import type { PerVuState, ProtocolHandler } from "../handler.ts";
import type { H2Pool } from "../http/h2-session.ts";
import type { HttpClientOptions } from "../http/options.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import type { GrpcCaller } from "./caller.ts";
import { emitGrpcSamples, grpcFailed, GRPC_METRICS } from "./metrics.ts";

/** The plan check (plan-check.ts), loaded for a plan that has a gRPC step: it parses proto files. */
function checkStep(step: StepView): RouteProblem | undefined {
  return (require("./plan-check.ts") as typeof import("./plan-check.ts")).checkGrpcStep(step);
}

/** How the router knows gRPC before any handler exists. */
export const GRPC_INFO = { name: "grpc", optionBlocks: ["grpc"] as readonly string[], checkStep };

/** A VU's channel: its HTTP/2 sessions, one per server, made on its first call; a branch uses its VU's. */
export interface GrpcChannel {
  pool: H2Pool | null;
  readonly parent: GrpcChannel | null;
}

export class GrpcHandler implements ProtocolHandler<GrpcChannel> {
  readonly name = GRPC_INFO.name;
  readonly optionBlocks = GRPC_INFO.optionBlocks;
  readonly checkStep = GRPC_INFO.checkStep;
  readonly metrics = GRPC_METRICS;
  readonly emit = emitGrpcSamples;
  readonly failed = grpcFailed;
  readonly perVu: PerVuState<GrpcChannel> = {
    open: () => ({ pool: null, parent: null }),
    branch: (parent) => ({ pool: null, parent }),
    close: (c) => c.pool?.close(),
  };
  private caller: GrpcCaller | null = null;

  constructor(private readonly http: HttpClientOptions) {}

  call(req: ProtocolRequest, channel: GrpcChannel): Promise<ProtocolResponse> {
    return this.caller !== null ? this.caller.call(req, channel) : this.firstCall(req, channel);
  }

  private async firstCall(req: ProtocolRequest, channel: GrpcChannel): Promise<ProtocolResponse> {
    const { GrpcCaller } = await import("./caller.ts");
    this.caller ??= new GrpcCaller(this.http);
    return this.caller.call(req, channel);
  }
}
