/**
 * The module's `beforeRequest(req)` and `afterRequest(res)` as request hooks (src/pipeline/hooks.ts,
 * priority 0), registered only when the module exports them, so a plan without them compiles
 * its requests without hooks.
 *
 * `beforeRequest` sees `{name, method, url, headers: {name: value}, body}` (body as text) and may
 * change it in place or return an object: its url, method, headers and body are applied — the
 * request is sent as changed (a changed URL may even go to another handler). `afterRequest` sees
 * the response as k6 scripts read it (k6-http.ts). A hook that throws or times out fails that
 * request (error_kind `hook`) and is counted in `vu_exceptions` {site: hook}.
 */
import type { AfterResponseHook, BeforeSendHook, HookRequest } from "../../../../pipeline/hooks.ts";
import { lossyText } from "../../../../protocols/lossy-text.ts";
import type { Vu } from "../../vu.ts";
import { recordJsException } from "../eval.ts";
import { moduleOf } from "./calls.ts";
import { isThenable } from "./instance.ts";
import { JsResponse } from "./k6-http.ts";

const encoder = new TextEncoder();

/** The request a `beforeRequest` sees; its body is decoded only if the script reads it. */
class ScriptRequest {
  headers: Record<string, string> = {};
  private text: string | undefined;
  private bodyChanged = false;
  constructor(
    readonly name: string,
    public method: string,
    public url: string,
    private readonly bytes: Uint8Array | undefined,
  ) {}
  get body(): string {
    return (this.text ??= this.bytes === undefined ? "" : lossyText(this.bytes));
  }
  set body(v: string) {
    this.text = String(v);
    this.bodyChanged = true;
  }
  get changedBody(): Uint8Array | undefined {
    return this.bodyChanged ? encoder.encode(this.text!) : this.bytes;
  }
}

/**
 * Apply what a beforeRequest left or returned. The headers come out as the same array as last
 * time when their content is the same, so the HTTP client reuses the request head it built for
 * them (it caches heads by the array's identity): a hook that adds the same header to every
 * request costs no head rebuild, and no array either (the script's header object is compared
 * with the last array in place).
 */
function apply(req: HookRequest, seen: ScriptRequest, result: unknown, last: { headers: [string, string][] | undefined }): void {
  const r = result !== null && typeof result === "object" ? (result as Record<string, unknown>) : seen;
  if (typeof r.method === "string") req.method = r.method.toUpperCase();
  if (typeof r.url === "string") req.url = r.url;
  const h = r.headers;
  if (h !== null && typeof h === "object") {
    const given = h as Record<string, unknown>;
    const prev = last.headers;
    let out: [string, string][];
    if (h === seen.headers) {
      if (prev !== undefined && sameHeaders(prev, given)) out = prev;
      else {
        out = [];
        for (const k in given) out.push([k, String(given[k])]);
      }
    } else {
      out = req.headers;
      for (const k in given) {
        const v = String(given[k]);
        const lower = k.toLowerCase();
        const i = out.findIndex(([n]) => n.toLowerCase() === lower);
        if (i >= 0) out[i] = [k, v];
        else out.push([k, v]);
      }
      if (prev !== undefined && samePairs(prev, out)) out = prev;
    }
    last.headers = out;
    req.headers = out;
  }
  if (r === seen) req.body = seen.changedBody;
  else if (typeof r.body === "string") req.body = encoder.encode(r.body);
}

/** The script's header object has exactly these pairs, in this order. */
function sameHeaders(pairs: [string, string][], h: Record<string, unknown>): boolean {
  let i = 0;
  for (const k in h) {
    const p = pairs[i++];
    if (p === undefined || p[0] !== k || p[1] !== String(h[k])) return false;
  }
  return i === pairs.length;
}

function samePairs(a: [string, string][], b: [string, string][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/** A hook's failure: counted as a JS exception, then failing the request as the hook contract says. */
function failed(vu: Vu, e: unknown, fn: string): never {
  if (!(e instanceof Error && (e as { crossesJs?: boolean }).crossesJs)) recordJsException(vu, "hook", e, fn);
  throw e;
}

export function moduleHooks(exports: Readonly<Record<string, { fn: boolean }>>): (BeforeSendHook<Vu> | AfterResponseHook<Vu>)[] {
  const hooks: (BeforeSendHook<Vu> | AfterResponseHook<Vu>)[] = [];
  if (exports.beforeRequest?.fn) {
    const last: { headers: [string, string][] | undefined } = { headers: undefined };
    hooks.push({
      name: "beforeRequest",
      phase: "before-send",
      priority: 0,
      run(x) {
        const vu = x.vu;
        try {
          const inst = moduleOf(vu);
          const req = x.request;
          const seen = new ScriptRequest(x.name, req.method, req.url, req.body);
          const given = req.headers;
          for (let i = 0; i < given.length; i++) seen.headers[given[i]![0]] = given[i]![1];
          const r = inst.call1(inst.fn("beforeRequest")!, seen);
          if (!isThenable(r)) return void apply(req, seen, r, last);
          return inst.value(r).then(
            (v) => void apply(req, seen, v, last),
            (e) => failed(vu, e, "beforeRequest"),
          );
        } catch (e) {
          failed(vu, e, "beforeRequest");
        }
      },
    });
  }
  if (exports.afterRequest?.fn)
    hooks.push({
      name: "afterRequest",
      phase: "after-response",
      priority: 0,
      run(x) {
        const vu = x.vu;
        try {
          const inst = moduleOf(vu);
          const r = inst.call1(inst.fn("afterRequest")!, new JsResponse(x.response, x.request, inst.json));
          if (isThenable(r)) return inst.value(r).then(() => undefined, (e) => failed(vu, e, "afterRequest"));
        } catch (e) {
          failed(vu, e, "afterRequest");
        }
      },
    });
  return hooks;
}
