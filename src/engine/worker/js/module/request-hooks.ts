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
import { JsResponse } from "./k6-http.ts";

const encoder = new TextEncoder();
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";

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

function apply(req: HookRequest, seen: ScriptRequest, result: unknown): void {
  const r = result !== null && typeof result === "object" ? (result as Record<string, unknown>) : seen;
  if (typeof r.method === "string") req.method = r.method.toUpperCase();
  if (typeof r.url === "string") req.url = r.url;
  const h = r.headers;
  if (h !== null && typeof h === "object") {
    if (h === seen.headers) req.headers = Object.entries(h).map(([k, v]) => [k, String(v)]);
    else
      for (const [k, v] of Object.entries(h)) {
        const lower = k.toLowerCase();
        const i = req.headers.findIndex(([n]) => n.toLowerCase() === lower);
        if (i >= 0) req.headers[i] = [k, String(v)];
        else req.headers.push([k, String(v)]);
      }
  }
  if (r === seen) req.body = seen.changedBody;
  else if (typeof r.body === "string") req.body = encoder.encode(r.body);
}

/** A hook's failure: counted as a JS exception, then failing the request as the hook contract says. */
function failed(vu: Vu, e: unknown, fn: string): never {
  if (!(e instanceof Error && (e as { crossesJs?: boolean }).crossesJs)) recordJsException(vu, "hook", e, fn);
  throw e;
}

export function moduleHooks(exports: Readonly<Record<string, { fn: boolean }>>): (BeforeSendHook<Vu> | AfterResponseHook<Vu>)[] {
  const hooks: (BeforeSendHook<Vu> | AfterResponseHook<Vu>)[] = [];
  if (exports.beforeRequest?.fn)
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
          for (const [k, v] of req.headers) seen.headers[k] = v;
          const r = inst.call(inst.fn("beforeRequest")!, [seen]);
          if (!isThenable(r)) return void apply(req, seen, r);
          return Promise.resolve(r).then(
            (v) => void apply(req, seen, v),
            (e) => failed(vu, e, "beforeRequest"),
          );
        } catch (e) {
          failed(vu, e, "beforeRequest");
        }
      },
    });
  if (exports.afterRequest?.fn)
    hooks.push({
      name: "afterRequest",
      phase: "after-response",
      priority: 0,
      run(x) {
        const vu = x.vu;
        try {
          const inst = moduleOf(vu);
          const r = inst.call(inst.fn("afterRequest")!, [new JsResponse(x.response, x.request, inst.json)]);
          if (isThenable(r)) return Promise.resolve(r).then(() => undefined, (e) => failed(vu, e, "afterRequest"));
        } catch (e) {
          failed(vu, e, "afterRequest");
        }
      },
    });
  return hooks;
}
