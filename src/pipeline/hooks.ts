/**
 * The request hook seam (docs/dev/architecture.md "Request pipeline"): code that attaches to a
 * request's before-send, after-response and after-record phases. JavaScript `beforeRequest` /
 * `afterRequest` and WASM hook plugins will register here; today `--http-debug` (http-debug.ts)
 * and in-process tests do.
 *
 * Hooks are registered before the flows compile. Each request step decides once, when it compiles,
 * whether it runs hooks at all: with none registered the request path has no hook loop and no
 * extra promise (src/engine/worker/flow/request.ts).
 *
 * Order: higher `priority` first; equal priorities in the order they were added (for plan hooks,
 * plan order; JS module hooks will be added at priority 0).
 *
 * Scope: a `scoped` hook (a WASM hook plugin of the plan's `plugins:`) runs where the step's list
 * selects it — a request's `hooks:`, else its scenario's `plugins:`, else everywhere; the other
 * hooks run on every step.
 */
import type { ProtocolResponse } from "../protocols/types.ts";

export type HookPhase = "before-send" | "after-response" | "after-record";

/** The parts of a request a before-send hook may change, in place. */
export interface HookRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | undefined;
}

/** What every hook sees. `V` is the engine's VU (opaque here). */
export interface HookExchange<V> {
  readonly vu: V;
  /** the request's `name` tag (never changed by a hook) */
  readonly name: string;
  /** the name of the handler the request goes to (after a re-route, the new one) */
  readonly protocol: string;
  /** before-send: the request about to be sent, a copy a hook may change; later: what was sent, to read only */
  readonly request: HookRequest;
}

/** What a before-send hook may answer instead of letting the request be sent. */
export interface SyntheticResponse {
  status: number;
  statusText?: string;
  headers?: [string, string][];
  body?: Uint8Array | string;
}

export interface AnsweredExchange<V> extends HookExchange<V> {
  /** the response extractors, checks and the record see (read only) */
  readonly response: ProtocolResponse;
  /** a before-send hook answered it: nothing was sent */
  readonly synthetic: boolean;
}

export interface RecordedExchange<V> extends AnsweredExchange<V> {
  /** the request's final verdict: the handler's failure rule, a failed extraction or assertion, a failed hook */
  readonly failed: boolean;
}

interface HookBase {
  /** named in the error of a request this hook failed */
  readonly name: string;
  /** an integer; higher runs first */
  readonly priority: number;
  /** chosen by name by the step's hook list (forStep), when the step has one */
  readonly scoped?: boolean;
}

/** May change the request; may answer it (a synthetic response: no send). */
export interface BeforeSendHook<V> extends HookBase {
  readonly phase: "before-send";
  run(x: HookExchange<V>): void | SyntheticResponse | Promise<void | SyntheticResponse>;
}
export interface AfterResponseHook<V> extends HookBase {
  readonly phase: "after-response";
  run(x: AnsweredExchange<V>): void | Promise<void>;
}
export interface AfterRecordHook<V> extends HookBase {
  readonly phase: "after-record";
  run(x: RecordedExchange<V>): void | Promise<void>;
}
export type RequestHook<V = unknown> = BeforeSendHook<V> | AfterResponseHook<V> | AfterRecordHook<V>;

/** One request step's hooks, each phase in run order. */
export interface PhaseHooks<V> {
  readonly beforeSend: readonly BeforeSendHook<V>[];
  readonly afterResponse: readonly AfterResponseHook<V>[];
  readonly afterRecord: readonly AfterRecordHook<V>[];
}

export class HookError extends Error {}

/** The hooks of one worker thread. */
export class RequestHooks<V = unknown> {
  private readonly added: RequestHook<V>[] = [];

  add(hook: RequestHook<V>): void {
    if (!Number.isInteger(hook.priority)) throw new HookError(`hook \`${hook.name}\`: priority must be an integer, got ${hook.priority}`);
    this.added.push(hook);
  }

  /**
   * The hooks a request step runs, by phase; undefined when there are none (the step then
   * compiles without hooks). `only`: the step's list of scoped hooks (absent: all of them).
   */
  forStep(only?: readonly string[]): PhaseHooks<V> | undefined {
    const chosen = only === undefined ? this.added : this.added.filter((h) => !h.scoped || only.includes(h.name));
    if (chosen.length === 0) return undefined;
    // Array.prototype.sort is stable: equal priorities keep the order they were added in
    const ordered = [...chosen].sort((a, b) => b.priority - a.priority);
    const of = <P extends HookPhase>(p: P) => ordered.filter((h): h is Extract<RequestHook<V>, { phase: P }> => h.phase === p);
    return { beforeSend: of("before-send"), afterResponse: of("after-response"), afterRecord: of("after-record") };
  }
}
