/**
 * `k6/http`: requests from a module, sent by the VU's own HTTP state (its keep-alive pool and
 * cookie jar, the ones its YAML requests use) and recorded as any HTTP request is (the HTTP
 * handler's samples; tags: the scenario's, `group`, `name` — the URL unless `params.name` or
 * `params.tags.name` — `method`, `status`, `proto`, and `params.tags`).
 *
 * Bodies as k6 sends them: a string or bytes as given; a plain object form-encoded
 * (`application/x-www-form-urlencoded`). Relative URLs join `defaults.http.base_url`;
 * `defaults.http.headers` come first, `params.headers` replace them by name.
 */
import { httpRoute } from "../../../../protocols/builtins.ts";
import { lossyText } from "../../../../protocols/lossy-text.ts";
import { errorResponse, type ProtocolRequest, type ProtocolResponse } from "../../../../protocols/types.ts";
import { RequestTagCache } from "../../../../pipeline/request-tags.ts";
import { encodePairs, joinBaseUrl } from "../../../../util/url-encode.ts";
import { parseDuration } from "../../../../plan/duration.ts";
import type { ScenarioRuntime } from "../../scenario-runtime.ts";
import type { ModuleInstance } from "./instance.ts";

const encoder = new TextEncoder();
const NO_PARAMS: NonNullable<Params> = {};

/** Per scenario: the tag caches of its JS requests, by method and `params.tags`. */
const tagCaches = new WeakMap<ScenarioRuntime, Map<string, RequestTagCache>>();

function tagCache(rt: ScenarioRuntime, method: string, tags: Record<string, string> | undefined): RequestTagCache {
  let m = tagCaches.get(rt);
  if (m === undefined) tagCaches.set(rt, (m = new Map()));
  const key = tags === undefined ? method : method + "\0" + JSON.stringify(tags);
  let c = m.get(key);
  if (c === undefined) m.set(key, (c = new RequestTagCache(rt.run.sink, tags ? { ...rt.baseTags, ...tags } : rt.baseTags, method, "http")));
  return c;
}

/** A response as k6 scripts read it (and the reference's field names beside k6's). */
export class JsResponse {
  private text: string | undefined;
  private parsed: unknown;
  private headerObject: Record<string, string> | undefined;

  constructor(
    private readonly res: ProtocolResponse,
    readonly request: { method: string; url: string },
    private readonly realmJson: JSON,
  ) {}

  get status(): number {
    return this.res.status;
  }
  get status_text(): string {
    return this.res.statusText;
  }
  get url(): string {
    return this.res.url ?? this.request.url;
  }
  get proto(): string {
    return this.res.protocolVersion;
  }
  get protocol(): string {
    return this.res.protocolVersion;
  }
  get error(): string {
    return this.res.error ?? "";
  }
  get error_code(): number {
    return this.res.error === undefined ? 0 : 1000;
  }
  get body(): string {
    return (this.text ??= lossyText(this.res.body));
  }
  get duration_ms(): number {
    return this.res.timings.duration;
  }
  get timings(): Record<string, number> {
    const t = this.res.timings;
    return { duration: t.duration, blocked: t.blocked, connecting: t.connecting, tls_handshaking: t.tls, sending: t.sending, waiting: t.waiting, receiving: t.receiving };
  }
  /** names as received; lookups in any case (`res.headers["content-type"]`) */
  get headers(): Record<string, string> {
    if (this.headerObject !== undefined) return this.headerObject;
    const h: Record<string, string> = {};
    for (const [k, v] of this.res.headers) h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
    return (this.headerObject = new Proxy(h, {
      get: (t, k) => {
        if (typeof k !== "string") return undefined;
        if (k in t) return t[k];
        const lower = k.toLowerCase();
        for (const name of Object.keys(t)) if (name.toLowerCase() === lower) return t[name];
        return undefined;
      },
    }));
  }
  /** the body as JSON (parsed once); with a selector `a.b.0`, that value */
  json(selector?: unknown): unknown {
    if (this.parsed === undefined) this.parsed = this.realmJson.parse(this.body);
    if (selector === undefined || selector === null || selector === "") return this.parsed;
    let v: unknown = this.parsed;
    for (const part of String(selector).split(".")) v = v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[part];
    return v;
  }
}

/** A module request: what the handler sends, and the tag cache its samples are recorded with. */
interface JsRequest extends ProtocolRequest {
  tags: RequestTagCache;
}

type Params = { headers?: Record<string, unknown>; timeout?: unknown; tags?: Record<string, unknown>; name?: unknown; redirects?: unknown } | undefined;

export function httpModule(inst: ModuleInstance): Record<string, unknown> {
  const vu = inst.vu;
  const defaults = inst.rt.http;
  const routed = httpRoute(vu.rt.run.protocols);
  const handler = routed.handler;
  const sink = vu.rt.run.sink;

  // the tag cache of this VU's requests without `params.tags`, for their last method: no lookup per request
  let plainMethod = "";
  let plainTags: RequestTagCache | undefined;

  const build = (method: string, url: unknown, body: unknown, params: Params): JsRequest => {
    const p = params ?? NO_PARAMS;
    const u = joinBaseUrl(defaults.baseUrl, String(url));
    const given = p.headers;
    let bytes: Uint8Array | undefined;
    let contentType: string | undefined;
    if (body === undefined || body === null) bytes = undefined;
    else if (typeof body === "string") bytes = encoder.encode(body);
    else if (body instanceof Uint8Array) bytes = body;
    else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    else if (body instanceof ArrayBuffer || Object.prototype.toString.call(body) === "[object ArrayBuffer]") bytes = new Uint8Array(body as ArrayBuffer);
    else if (typeof body === "object") {
      bytes = encoder.encode(encodePairs(Object.entries(body).map(([k, v]) => [k, String(v)])));
      contentType = "application/x-www-form-urlencoded";
    } else bytes = encoder.encode(String(body));
    const headers = given == null && contentType === undefined ? defaults.headers : inst.rt.headers(given ?? {}, contentType);
    let tags: RequestTagCache;
    let name = u;
    const t = p.tags;
    if (t === undefined || t === null) {
      if (method !== plainMethod || plainTags === undefined) (plainTags = tagCache(vu.rt, method, undefined)), (plainMethod = method);
      tags = plainTags;
    } else {
      const user: Record<string, string> = {};
      let n = 0;
      for (const k of Object.keys(t)) if (k !== "name") (user[k] = String(t[k])), n++;
      if (t.name !== undefined) name = String(t.name);
      tags = tagCache(vu.rt, method, n > 0 ? user : undefined);
    }
    if (p.name !== undefined && t?.name === undefined) name = String(p.name);
    const redirects = p.redirects === undefined ? undefined : Number(p.redirects);
    return {
      name,
      method,
      url: u,
      headers,
      body: bytes,
      timeoutMs: p.timeout === undefined ? defaults.timeoutMs : timeoutOf(p.timeout, defaults.timeoutMs),
      followRedirects: redirects === undefined ? defaults.followRedirects : redirects > 0,
      maxRedirects: redirects ?? defaults.maxRedirects,
      tags,
    };
  };

  /**
   * The request sent by the VU's HTTP state, recorded, as the script's response — resuming the
   * script only if its call is still current (instance.ts resume): a promise of the script's own
   * realm (its await takes it without a thenable job), no async frame.
   */
  const send = (req: JsRequest): Promise<JsResponse> => {
    const gen = inst.gen;
    let sent: Promise<ProtocolResponse>;
    try {
      sent = Promise.resolve(handler.call(req, vu.state(routed)));
    } catch (e) {
      sent = Promise.resolve(errorResponse(req, handler.name, `invalid request: ${(e as Error).message}`, "invalid_request"));
    }
    const p = inst.newPromise<JsResponse>();
    const resolve = inst.resolveNew;
    const reject = inst.rejectNew;
    sent.then((res) => {
      if (gen === inst.gen && !vu.cancelled) {
        handler.emit(sink, req.tags.get(vu.group, req.name, res.status, res.errorKind), res);
        if (res.error !== undefined) sink.noteError(res.errorKind ?? "error", res.error);
      }
      inst.resume(gen, resolve, reject, new JsResponse(res, req, inst.json));
    }, reject);
    return p;
  };

  const request = (method: unknown, url: unknown, body?: unknown, params?: Params): Promise<JsResponse> => {
    inst.live();
    return send(build(typeof method === "string" && method === method.toUpperCase() ? method : String(method).toUpperCase(), url, body, params));
  };

  /** requests at once: an array (or object) of `[method, url, body, params]`, `{method, url, body, params}` or URLs */
  const batch = (requests: unknown): Promise<unknown> => {
    inst.live();
    const one = (r: unknown) => {
      if (typeof r === "string") return build("GET", r, undefined, undefined);
      if (Array.isArray(r)) return build(String(r[0]).toUpperCase(), r[1], r[2], r[3] as Params);
      const o = r as { method?: unknown; url: unknown; body?: unknown; params?: Params };
      return build(String(o.method ?? "GET").toUpperCase(), o.url, o.body, o.params);
    };
    if (Array.isArray(requests)) return Promise.all(requests.map((r) => one(r)).map(send));
    const entries = Object.entries(requests as Record<string, unknown>);
    return Promise.all(entries.map(([, r]) => one(r)).map(send)).then((rs) => Object.fromEntries(rs.map((r, i) => [entries[i]![0], r])));
  };

  const api = {
    request,
    get: (url: unknown, params?: Params) => request("GET", url, undefined, params),
    head: (url: unknown, params?: Params) => request("HEAD", url, undefined, params),
    options: (url: unknown, body?: unknown, params?: Params) => request("OPTIONS", url, body, params),
    post: (url: unknown, body?: unknown, params?: Params) => request("POST", url, body, params),
    put: (url: unknown, body?: unknown, params?: Params) => request("PUT", url, body, params),
    patch: (url: unknown, body?: unknown, params?: Params) => request("PATCH", url, body, params),
    del: (url: unknown, body?: unknown, params?: Params) => request("DELETE", url, body, params),
    batch,
    /** k6's promise form: the same request, not awaited by the transform */
    asyncRequest: (method: unknown, url: unknown, body?: unknown, params?: Params) => request(method, url, body, params),
  };
  return { ...api, default: api };
}

/** `params.timeout`: ms as a number, or a duration string (`"10s"`). */
function timeoutOf(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "number") return v;
  try {
    return parseDuration(String(v));
  } catch {
    return fallback;
  }
}
