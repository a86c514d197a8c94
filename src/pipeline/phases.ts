/**
 * Running the hooks of one phase for one request (hooks.ts has the seam; the request step calls
 * these only when it compiled with hooks). A hook may be synchronous or return a promise. A hook
 * that throws or rejects fails that request, not the VU: the phase stops there and its message
 * comes back for the request step to record (error_kind `hook`), and the flow goes on.
 */
import type { ProtocolResponse } from "../protocols/types.ts";
import type { BeforeSendHook, HookExchange, HookPhase, HookRequest, SyntheticResponse } from "./hooks.ts";

/** The tag (with value "true") on the samples of a request a before-send hook answered. */
export const SYNTHETIC_TAG = "synthetic";

export type BeforeSendOutcome = { answer: SyntheticResponse } | { failure: string } | undefined;

function failure(name: string, phase: HookPhase, e: unknown): string {
  return `hook \`${name}\` failed in ${phase}: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Before-send, in order: the first hook that answers ends the phase (later hooks do not run), as
 * does the first that fails. Synchronous hooks run without a promise; from the first hook that
 * returns one, the rest of the phase is awaited (so the caller awaits only a promise it gets).
 */
export function runBeforeSend<V>(hooks: readonly BeforeSendHook<V>[], x: HookExchange<V>, from = 0): BeforeSendOutcome | Promise<BeforeSendOutcome> {
  for (let i = from; i < hooks.length; i++) {
    const h = hooks[i]!;
    let answer: void | SyntheticResponse | Promise<void | SyntheticResponse>;
    try {
      answer = h.run(x);
    } catch (e) {
      return { failure: failure(h.name, h.phase, e) };
    }
    if (isThenable(answer)) return Promise.resolve(answer).then((a) => beforeSendAnswer(hooks, i, a) ?? runBeforeSend(hooks, x, i + 1), (e) => ({ failure: failure(h.name, h.phase, e) }));
    const out = beforeSendAnswer(hooks, i, answer);
    if (out !== undefined) return out;
  }
  return undefined;
}

/** What hook `i`'s answer means: undefined to go on with the next hook. */
function beforeSendAnswer<V>(hooks: readonly BeforeSendHook<V>[], i: number, answer: void | SyntheticResponse): BeforeSendOutcome {
  if (answer === undefined || answer === null) return undefined;
  if (typeof answer !== "object" || !Number.isInteger(answer.status))
    return { failure: `hook \`${hooks[i]!.name}\` answered before-send with something that is not a response (it needs an integer \`status\`)` };
  return { answer };
}

/**
 * After-response or after-record, in order; the message of the first hook that fails (the rest do
 * not run). As runBeforeSend: a promise only from the first hook that returns one.
 */
export function runAfter<X>(hooks: readonly { name: string; phase: HookPhase; run(x: X): void | Promise<void> }[], x: X, from = 0): string | undefined | Promise<string | undefined> {
  for (let i = from; i < hooks.length; i++) {
    const h = hooks[i]!;
    let r: void | Promise<void>;
    try {
      r = h.run(x);
    } catch (e) {
      return failure(h.name, h.phase, e);
    }
    if (isThenable(r)) return Promise.resolve(r).then(() => runAfter(hooks, x, i + 1), (e) => failure(h.name, h.phase, e));
  }
  return undefined;
}

/** A promise, also one made in another JS context (its own Promise constructor). */
function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

const encoder = new TextEncoder();
const NO_BYTES = new Uint8Array(0);

/** A before-send hook's answer as the response the rest of the pipeline sees: nothing was sent, so zero timings and bytes. */
export function syntheticResponse(req: HookRequest, s: SyntheticResponse, protocolVersion: string): ProtocolResponse {
  const body = typeof s.body === "string" ? encoder.encode(s.body) : s.body ?? NO_BYTES;
  return {
    status: s.status,
    statusText: s.statusText ?? "",
    headers: s.headers ?? [],
    body,
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0,
    bytesReceived: 0,
    protocolVersion,
    url: req.url,
  };
}

/** Did a before-send hook change the request? (headers by content: the hook got a copy of the array) */
export function requestChanged(was: { method: string; url: string; headers: [string, string][]; body?: Uint8Array | undefined }, now: HookRequest): boolean {
  if (was.method !== now.method || was.url !== now.url || was.body !== now.body) return true;
  const a = was.headers;
  const b = now.headers;
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return true;
  return false;
}
