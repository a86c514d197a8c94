/**
 * WASM hook plugins as request hooks (src/pipeline/hooks.ts, docs/dev/architecture.md "The hook
 * contract"): each phase a plugin runs in becomes one hook at the entry's priority —
 * on-request → before-send, on-response → after-response, on-log → after-record (after the
 * request's metrics). They are `scoped`: a scenario's `plugins:` list and a request's `hooks:`
 * list choose among them (the worker set-up passes those lists to the flow compiler).
 *
 * What a plugin returns is checked before it touches the request: a method that is not an HTTP
 * token, a URL that does not parse, a header name that is not a token or a value with CR, LF or
 * NUL, a synthetic status outside 100–599 — each fails the request (error_kind `hook`) and
 * counts one `plugin_errors{error: invalid}`; a failed call (trap, timeout, capability…) fails
 * it the same way, counted by its own kind. A `fail` from on-response fails the request with the
 * plugin's reason and is not a plugin error.
 */
import type { AfterRecordHook, AfterResponseHook, BeforeSendHook, HookRequest, RequestHook, SyntheticResponse } from "../../../pipeline/hooks.ts";
import type { ProtocolResponse } from "../../../protocols/types.ts";
import type { Vu } from "../../../engine/worker/vu.ts";
import type { MeteredPlugin } from "./host.ts";
import type { WitHeaders, WitRequest, WitRequestAction } from "./hook-types.ts";

const NO_BYTES = new Uint8Array(0);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** The hooks of one plugin, one per phase it runs in. */
export function wasmHooks(p: MeteredPlugin): RequestHook<Vu>[] {
  const spec = p.runtime.spec;
  if (spec.hook === undefined) return [];
  const { phases, priority } = spec.hook;
  const name = p.name;
  const out: RequestHook<Vu>[] = [];
  if (phases.includes("on-request"))
    out.push({
      name,
      priority,
      scoped: true,
      phase: "before-send",
      run(x) {
        const r = p.onRequest(x.vu, witRequest(x.name, x.protocol, x.request));
        if (!r.ok) throw new Error(r.error);
        return apply(p, r.value, x.request);
      },
    } satisfies BeforeSendHook<Vu>);
  if (phases.includes("on-response"))
    out.push({
      name,
      priority,
      scoped: true,
      phase: "after-response",
      run(x) {
        const r = p.onResponse(x.vu, witRequest(x.name, x.protocol, x.request), {
          status: clampStatus(x.response.status),
          headers: x.response.headers,
          body: x.response.body,
          durationMs: x.response.timings.duration,
          error: x.response.error,
          synthetic: x.synthetic,
        });
        if (!r.ok) throw new Error(r.error);
        for (const [k, v] of r.value.setVars) x.vu.vars.set(k, v);
        if (r.value.fail !== undefined) throw new Error(r.value.fail);
      },
    } satisfies AfterResponseHook<Vu>);
  if (phases.includes("on-log"))
    out.push({
      name,
      priority,
      scoped: true,
      phase: "after-record",
      run(x) {
        const res: ProtocolResponse = x.response;
        const r = p.onLog(x.vu, {
          name: x.name,
          protocol: x.protocol,
          method: x.request.method,
          url: x.request.url,
          status: clampStatus(res.status),
          durationMs: res.timings.duration,
          waitingMs: res.timings.waiting,
          bytesSent: BigInt(res.bytesSent),
          bytesReceived: BigInt(res.bytesReceived),
          failed: x.failed,
          error: res.error,
          synthetic: x.synthetic,
        });
        if (!r.ok) throw new Error(r.error);
      },
    } satisfies AfterRecordHook<Vu>);
  return out;
}

function witRequest(name: string, protocol: string, r: HookRequest): WitRequest {
  return { name, protocol, method: r.method, url: r.url, headers: r.headers, body: r.body ?? NO_BYTES };
}

const clampStatus = (s: number) => (Number.isInteger(s) && s >= 0 && s <= 0xffff ? s : 0);

/** Applies an on-request action to the hook's copy of the request; a synthetic answer is returned. */
function apply(p: MeteredPlugin, a: WitRequestAction, req: HookRequest): SyntheticResponse | undefined {
  if (a.tag === "proceed") return undefined;
  const invalid = (what: string) => new Error(p.invalid("on-request", `an invalid request: ${what}`));
  if (a.tag === "respond") {
    const { status, headers, body } = a.val;
    if (status < 100 || status > 599) throw invalid(`status ${status} in its answer (use 100–599)`);
    checkHeaders(headers, invalid);
    return { status, headers, body };
  }
  const c = a.val;
  if (c.method !== undefined && !TOKEN.test(c.method)) throw invalid(`method \`${c.method.slice(0, 40)}\` is not an HTTP token`);
  if (c.url !== undefined && !URL.canParse(c.url)) throw invalid(`URL \`${c.url.slice(0, 200)}\` does not parse`);
  checkHeaders(c.setHeaders, invalid);
  for (const n of c.removeHeaders) if (!TOKEN.test(n)) throw invalid(`header name \`${n.slice(0, 40)}\` is not a token`);
  if (c.method !== undefined) req.method = c.method;
  if (c.url !== undefined) req.url = c.url;
  if (c.removeHeaders.length > 0 || c.setHeaders.length > 0) {
    // a few names each time: a list beats building a Set per request
    const drop: string[] = [];
    for (const n of c.removeHeaders) drop.push(n.toLowerCase());
    for (const [n] of c.setHeaders) drop.push(n.toLowerCase());
    const kept: [string, string][] = [];
    for (const h of req.headers) if (!drop.includes(h[0].toLowerCase())) kept.push(h);
    for (const h of c.setHeaders) kept.push(h);
    req.headers = kept;
  }
  if (c.body !== undefined) req.body = c.body;
  return undefined;
}

function checkHeaders(headers: WitHeaders, invalid: (what: string) => Error): void {
  for (const [k, v] of headers) {
    if (!TOKEN.test(k)) throw invalid(`header name \`${k.slice(0, 40)}\` is not a token`);
    if (BAD_VALUE.test(v)) throw invalid(`header \`${k}\` has CR, LF or NUL in its value`);
  }
}
