/**
 * The gRPC handler's calls (handler.ts loads this module on a run's first gRPC call, so a run
 * without gRPC never loads protobufjs or node:http2): the method from `.proto` files or server
 * reflection (descriptors.ts, reflection.ts), request messages from JSON by the proto3 JSON
 * mapping (protobufjs' protojson), every call shape as one exchange (call.ts) on the VU's
 * channel, and the response (response.ts).
 *
 * A request the plan got wrong (no `grpc:` block, a method or message that does not fit the
 * descriptors) is thrown: an invalid request. What the server says is a response: a non-OK status
 * fails the request with error_kind `grpc_status`, a transport failure with its own kind.
 */
import { classifyError, type ProtocolResponse, type ProtocolRequest, type Timings } from "../types.ts";
import { h2DialFor } from "../http/h2-dial.ts";
import { h2Settings, type H2Settings } from "../http/h2-client.ts";
import { H2Pool } from "../http/h2-session.ts";
import type { HttpClientOptions } from "../http/options.ts";
import { timeoutMessage } from "../http/errors.ts";
import type { Target } from "../http/url.ts";
import { arm, disarm } from "../../util/deadline-wheel.ts";
import { callHeaders, GrpcCall } from "./call.ts";
import { DescriptorError, findMethod, messageFromJson, protoRoot, type GrpcMethod } from "./descriptors.ts";
import { frame } from "./frames.ts";
import type { GrpcChannel } from "./handler.ts";
import { isGrpcCallOptions, type GrpcCallOptions, type GrpcSpec } from "./options.ts";
import { ReflectionError, reflectedRoot } from "./reflection.ts";
import { GrpcResponse } from "./response.ts";
import { Code, codeName } from "./status.ts";
import { grpcTarget } from "./target.ts";

const ALPN_H2 = ["h2"];

export class GrpcCaller {
  private readonly h2: H2Settings;
  /** the method of each step (its fixed options object): proto-file methods resolved once */
  private readonly methods = new WeakMap<GrpcSpec, GrpcMethod>();
  private readonly targets = new Map<string, Target>();

  constructor(private readonly http: HttpClientOptions) {
    this.h2 = h2Settings(http);
  }

  /** the channel's sessions, made on its first call (a branch uses its VU's) */
  private sessions(c: GrpcChannel): H2Pool {
    return c.parent !== null ? this.sessions(c.parent) : ((c.pool ??= new H2Pool()) as H2Pool);
  }

  async call(req: ProtocolRequest, channel: GrpcChannel): Promise<ProtocolResponse> {
    const o = req.options;
    if (!isGrpcCallOptions(o)) throw new Error("a gRPC request needs a `grpc:` block (service, method, and proto_files or reflection: true)");
    let target = this.targets.get(req.url);
    if (target === undefined) this.targets.set(req.url, (target = grpcTarget(req.url)));
    const t0 = performance.now();
    const deadline = t0 + req.timeoutMs;
    const failed = (message: string, code: number, kind = classifyError(message), call?: GrpcCall) =>
      this.response(req, target!, t0, call ?? null, code, `${codeName(code)}: ${message}`, message, kind, o, null);
    if (this.h2.configError !== null) return failed(this.h2.configError, Code.Unavailable);

    let method = this.methods.get(o.spec);
    if (method === undefined) {
      if (!o.spec.reflection) {
        // thrown: the plan's fault (loadr run refuses it up front when it can: plan-check.ts)
        method = findMethod(protoRoot(o.spec), o.spec.service, o.spec.method, "the proto files");
        this.methods.set(o.spec, method);
      } else {
        try {
          const root = await reflectedRoot(target.origin, o.spec.service, (path, frames) => this.run(channel, target!, path, frames, [], deadline, req.timeoutMs, o.spec.maxMessageBytes, false));
          method = findMethod(root, o.spec.service, o.spec.method, "the server's reflection");
        } catch (e) {
          if (e instanceof ReflectionError) return failed(e.message, e.code, e.transport ? undefined : "grpc_status");
          if (e instanceof DescriptorError) return failed(`server reflection: ${e.message}`, Code.Unimplemented, "grpc_status");
          throw e;
        }
      }
    }
    const frames = this.encode(method, o);
    const metadata = req.headers.length === 0 ? o.metadata : [...o.metadata, ...req.headers];
    const call = await this.run(channel, target, method.path, frames, metadata, deadline, req.timeoutMs, o.spec.maxMessageBytes, o.spec.gzip);
    if (call.transportError !== null) return failed(call.transportError, call.code, undefined, call);
    const text = `${codeName(call.code)}: ${call.message}`;
    if (call.code !== Code.Ok) return this.response(req, target, t0, call, call.code, text, text, "grpc_status", o, method);
    return this.response(req, target, t0, call, 0, "OK", undefined, undefined, o, method);
  }

  /** The framed request messages; throws (an invalid request) for a message that does not fit its type. */
  private encode(method: GrpcMethod, o: GrpcCallOptions): Buffer[] {
    const msgs = o.messages.length === 0 ? [{}] : o.messages;
    if (!method.clientStreaming && msgs.length > 1)
      throw new Error(`\`${o.spec.method}\` takes one request message, got ${msgs.length} in \`messages\`: use \`message\``);
    return msgs.map((json, i) => {
      const bytes = method.input.encode(messageFromJson(method.input, json, msgs.length > 1 ? ` (messages[${i}])` : "")).finish();
      if (bytes.length > o.spec.maxMessageBytes) throw new Error(`message${msgs.length > 1 ? `s[${i}]` : ""} is ${bytes.length} bytes, above max_message_size (${o.spec.maxMessageBytes})`);
      return frame(bytes, o.spec.gzip);
    });
  }

  /** One call on the VU's channel to `target`, bounded by `deadline`. */
  private async run(channel: GrpcChannel, target: Target, path: string, frames: Buffer[], metadata: [string, string][], deadline: number, timeoutMs: number, maxMessage: number, gzip: boolean): Promise<GrpcCall> {
    const remaining = deadline - performance.now();
    const call = new GrpcCall(performance.now(), maxMessage);
    const timeout = { deadline, onTimeout: () => call.failTransport(timeoutMessage(timeoutMs), Code.DeadlineExceeded) };
    arm(timeout);
    const dial = h2DialFor(target, this.http.hosts ?? {}, this.h2.proxy, this.h2.baseTls!, this.http.tls?.serverName, target.secure ? ALPN_H2 : null);
    const headers = callHeaders(target.authority, target.secure, path, remaining, gzip, metadata);
    const attempt = (c: GrpcCall) =>
      this.sessions(channel).acquire(dial, target.origin, c, false).then(
        (got) => {
          c.dialled(got.dialled);
          if ("session" in got) c.send(got.session, headers, frames);
        },
        (e: Error) => c.failTransport(e.message),
      );
    void attempt(call);
    await call.promise;
    disarm(timeout);
    if (call.retryable && performance.now() < deadline) {
      // the server never processed the stream (GOAWAY, refused): once more, on a new session
      const again = new GrpcCall(performance.now(), maxMessage);
      const t2 = { deadline, onTimeout: () => again.failTransport(timeoutMessage(timeoutMs), Code.DeadlineExceeded) };
      arm(t2);
      void attempt(again);
      await again.promise;
      disarm(t2);
      return again;
    }
    return call;
  }

  private response(
    req: ProtocolRequest,
    target: Target,
    t0: number,
    call: GrpcCall | null,
    status: number,
    statusText: string,
    error: string | undefined,
    kind: ReturnType<typeof classifyError> | "grpc_status" | undefined,
    o: GrpcCallOptions,
    method: GrpcMethod | null,
  ): GrpcResponse {
    const end = call?.tEnd ?? performance.now();
    const total = end - t0;
    // reference §5.1: a call's time is all waiting
    const timings: Timings = {
      blocked: 0,
      connecting: call !== null && call.tConnStart > 0 ? call.tConnected - call.tConnStart : 0,
      tls: call !== null && call.tTlsDone > 0 ? call.tTlsDone - call.tConnected : 0,
      sending: 0,
      waiting: total,
      receiving: 0,
      duration: total,
    };
    const streaming = method !== null && (method.clientStreaming || method.serverStreaming);
    return new GrpcResponse(
      status,
      statusText,
      call?.headers ?? [],
      call?.answers ?? [],
      method?.output ?? null,
      timings,
      call?.bytesSent ?? 0,
      call?.bytesReceived ?? 0,
      target.href,
      call === null || method === null ? 0 : Math.max(1, o.messages.length),
      streaming,
      error,
      kind,
    );
  }
}
