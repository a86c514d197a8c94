/**
 * The protocol handler seam: everything the request pipeline needs from a protocol, and nothing
 * about how it moves bytes. HTTP/1.1 (http/handler.ts) is one implementation; a native protocol
 * plugin is another, through its adapter (src/plugins/host/native/protocol-handler.ts). The
 * router (router.ts) lists the handlers that exist and picks one per request step when the flow
 * compiles. test/protocol-handlers.test.ts runs one contract suite against every implementation.
 *
 * The rules every handler keeps:
 * - `call()` answers a transport failure (refused, reset, timeout, a bad answer) with a response
 *   whose `error` is set — its timings and bytes still count — and throws only for a request it
 *   cannot send at all (an invalid request). The pipeline turns such a throw into an error
 *   response with zero timings and error_kind `invalid_request`.
 * - `call()` may return a promise (I/O, or a native call run off the JS thread) or, when it
 *   finished synchronously, the response itself.
 * - `emit()` records the request's samples and only the metric names listed in `metrics`.
 * - `failed()` is the handler's failure rule: it decides `http_req_failed` and the VU's "last
 *   request failed" (which drives `retry`).
 */
import type { Sink, TagSet } from "../metrics/sink.ts";
import type { RouteProblem, StepView } from "../plan/protocol-check.ts";
import type { ProtocolRequest, ProtocolResponse } from "./types.ts";

/** What the router and the plan check need of a handler: its name and the option blocks it reads. */
export interface HandlerInfo {
  /** the `proto` tag and the `protocol:` name (a plugin's info name) */
  readonly name: string;
  /**
   * The request-step option blocks this handler reads (`ws`, `grpc`, `graphql`, `socket`, `sse`,
   * `sql`); a step carrying a block its handler does not read is refused at `loadr run`
   * (src/plan/protocol-check.ts). `plugin:` is every handler's to ignore.
   */
  readonly optionBlocks: readonly string[];
  /**
   * A request step routed to this handler that the plan alone shows it cannot send (HTTP:
   * `version: http2` on an http:// URL; gRPC: a proto that does not parse, a method or message
   * that does not fit it): `loadr run` refuses the plan before any load, `loadr validate` warns.
   */
  checkStep?(step: StepView): RouteProblem | undefined;
}

/**
 * State a handler keeps per VU (HTTP: the keep-alive pool and the cookie jar). Opened on the VU's
 * first request to this handler, closed when the VU retires, is interrupted at a ramp-down or is
 * cancelled; a `parallel` branch gets its own, made from its parent's.
 */
export interface PerVuState<S> {
  open(): S;
  /** the state of a parallel branch of a VU whose state is `parent` (HTTP: fresh connections, a copy of the cookies) */
  branch(parent: S): S;
  close(state: S): void;
}

export interface ProtocolHandler<S = unknown> extends HandlerInfo {
  /** every metric name `emit()` may record */
  readonly metrics: readonly string[];
  /** per-VU state; absent for a stateless handler, whose `call()` then gets undefined */
  readonly perVu?: PerVuState<S>;
  call(req: ProtocolRequest, state: S): ProtocolResponse | Promise<ProtocolResponse>;
  /** record one request's samples under `ts` (the request's tags, status and error_kind included) */
  emit(sink: Sink, ts: TagSet, res: ProtocolResponse): void;
  failed(res: ProtocolResponse): boolean;
}
