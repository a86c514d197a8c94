/**
 * loadr's HTTP/1.1 client: one per virtual user, owning that VU's keep-alive pool and cookie jar.
 * It never throws for transport failures: those come back as a response with status 0 and
 * `error`/`errorKind` set (docs/dev/architecture.md "Seams between modules").
 */
import type { TLSOptions } from "bun";
import { classifyError, type ProtocolResponse, type Timings } from "../types.ts";
import type { Connection, ConnectionOwner, Dial } from "./connection.ts";
import { Connection as Conn } from "./connection.ts";
import { CookieJar } from "./cookies.ts";
import { arm, type Deadline, disarm } from "../../util/deadline-wheel.ts";
import { DecodeError, decodeBody, type Decoding } from "./decompress.ts";
import { timeoutMessage } from "./errors.ts";
import { Exchange } from "./exchange.ts";
import { DEFAULT_MAX_BODY_SIZE, type HttpClientOptions, type HttpRequest } from "./options.ts";

export type { HttpClientOptions, HttpRequest, HttpTlsOptions } from "./options.ts";
import { Pool } from "./pool.ts";
import { connectRequest, parseProxy, type Proxy } from "./proxy.ts";
import { isRedirect, redirectHeaders, redirectLimitMessage, redirectMethod, resolveLocation } from "./redirects.ts";
import { buildHeadTemplate, deriveHeadTemplate, finishHead, type HeadConfig, type HeadTemplate } from "./request-head.ts";
import { pinAddress } from "./resolve.ts";
import { HttpResponse } from "./response.ts";
import { addRetriedAttempt, addTimings, emptyTimings } from "./timings.ts";
import { buildTls, tlsFor, type TlsSettings } from "./tls-options.ts";
import { parseTarget, type Target } from "./url.ts";

const EMPTY = new Uint8Array(0);
const PROXY_KEY = "proxy";

/** Per-request accumulators across redirect hops and retries. */
class Run implements Deadline {
  readonly timings: Timings = emptyTimings();
  bytesSent = 0;
  bytesReceived = 0;
  current: Exchange | null = null;
  /** the body's streaming decoding, while it runs: the timeout cancels it */
  decoding: Decoding | null = null;
  timedOut = false;
  deadline = 0;
  timeoutMs = 0;

  add(ex: Exchange): void {
    addTimings(this.timings, ex);
    this.bytesSent += ex.bytesSent;
    this.bytesReceived += ex.receivedBytes;
  }

  onTimeout(): void {
    // built only when it fires: formatting it per request was measurable
    const message = timeoutMessage(this.timeoutMs);
    this.timedOut = true;
    const d = this.decoding;
    if (d !== null) {
      d.cancel(message);
      return;
    }
    const ex = this.current;
    if (ex === null) return;
    if (ex.conn !== null) ex.conn.abort(message);
    else ex.fail(message);
  }

  /** Decoding the body took `ms`: it is part of reading the response (k6 decodes while it reads). */
  addDecodeTime(ms: number): void {
    this.timings.receiving += ms;
    this.timings.duration += ms;
  }

  error(message: string, url: string): ProtocolResponse {
    return {
      status: 0,
      statusText: "",
      headers: [],
      body: EMPTY,
      timings: this.timings,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      protocolVersion: "HTTP/1.1",
      error: message,
      errorKind: classifyError(message),
      url,
    };
  }
}

export class HttpClient implements ConnectionOwner {
  readonly keepAlive: boolean;
  private readonly pool = new Pool();
  readonly jar = new CookieJar();
  /** head templates per headers array: the first in fields, more in a WeakMap made on demand (a WeakMap is ~200 bytes per VU) */
  private firstHeadKey: object | null = null;
  private firstHead: HeadTemplate | null = null;
  private moreHeads: WeakMap<object, HeadTemplate> | null = null;
  /** dial settings per pool key; the first in a field (one origin per VU is the rule: no Map per VU) */
  private firstDial: Dial | null = null;
  private moreDials: Map<string, Dial> | null = null;
  private readonly tls: TlsSettings | null;
  private readonly proxy: Proxy | null;
  private readonly headCfg: HeadConfig;
  protected readonly maxBodySize: number;
  protected readonly keepBodies: boolean;
  /** a configuration problem reported by every request (the constructor does not throw) */
  private readonly configError: string | null;
  private closed = false;

  constructor(private readonly o: HttpClientOptions) {
    this.keepAlive = o.keepAlive;
    let configError: string | null = null;
    const tls = buildTls(o.tls ?? {});
    if (typeof tls === "string") configError = tls;
    this.tls = typeof tls === "string" ? null : tls;
    let proxy: Proxy | null = null;
    if (o.proxy !== undefined && o.proxy !== "") {
      const p = parseProxy(o.proxy);
      if (typeof p === "string") configError ??= p;
      else proxy = p;
    }
    this.proxy = proxy;
    this.configError = configError;
    this.headCfg = { keepAlive: o.keepAlive, compression: o.compression, proxyAuthorization: proxy?.authorization ?? null };
    this.maxBodySize = o.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
    this.keepBodies = o.discardBodies !== true;
  }

  async request(req: HttpRequest): Promise<ProtocolResponse> {
    const run = new Run();
    let url = req.url;
    if (this.configError !== null) return run.error(this.configError, url);
    if (this.closed) return run.error("client closed", url);
    run.timeoutMs = req.timeoutMs;
    const t0 = performance.now();
    run.deadline = t0 + req.timeoutMs;
    arm(run);
    try {
      let method = req.method;
      let headers = req.headers;
      let body = req.body ?? null;
      const follow = req.followRedirects ?? this.o.followRedirects;
      const max = req.maxRedirects ?? this.o.maxRedirects;
      const maxBody = req.maxBodySize ?? this.maxBodySize;
      let tStart = t0;
      // each turn follows one redirect; the loop returns at the latest after `max` redirects
      for (let hop = 0; ; hop++) {
        const target = parseTarget(url);
        if (typeof target === "string") return run.error(target, url);
        let ex = this.exchange(method, url, target, headers, body, tStart, maxBody);
        if (typeof ex === "string") return run.error(ex, url);
        run.current = ex;
        this.dispatch(ex, target, false);
        await ex.promise;
        if (ex.retryable && !run.timedOut) {
          // a pooled connection the server had already closed: once more on a fresh connection
          addRetriedAttempt(run.timings, ex);
          const retry = this.exchange(method, url, target, headers, body, performance.now(), maxBody);
          if (typeof retry === "string") return run.error(retry, url);
          ex = retry;
          run.current = ex;
          this.dispatch(ex, target, true);
          await ex.promise;
        }
        run.current = null;
        run.add(ex);
        if (ex.error !== null) return run.error(ex.error, target.href);
        if (this.o.cookies && ex.hasSetCookie) this.storeCookies(ex, target);
        if (follow && isRedirect(ex.status)) {
          const location = headerValue(ex.headers, "location");
          const next = location === undefined ? null : resolveLocation(target.href, location);
          if (next !== null) {
            if (hop >= max) return run.error(redirectLimitMessage(max), target.href);
            const m = redirectMethod(ex.status, method);
            const nextTarget = parseTarget(next);
            const crossOrigin = typeof nextTarget === "string" || nextTarget.origin !== target.origin;
            headers = redirectHeaders(headers, !m.keepBody, crossOrigin);
            if (!m.keepBody) body = null;
            method = m.method;
            url = next;
            tStart = performance.now();
            continue;
          }
        }
        // the body is left unread (unsliced) unless it must be decoded here
        if (!this.o.compression || ex.contentEncoding === "" || !this.keepBodies) {
          return new HttpResponse(ex, null, run.timings, run.bytesSent, run.bytesReceived, target.href);
        }
        const r = this.decoded(run, ex, target, maxBody);
        // a promise only for a body decoding as a stream: the deadline stays armed until it ends
        return r instanceof Promise ? await r : r;
      }
    } finally {
      disarm(run);
    }
  }

  /** Closes every connection; later requests fail with "client closed". */
  close(): void {
    this.closed = true;
    this.pool.closeAll("client closed");
  }

  // ConnectionOwner
  release(c: Connection): void {
    if (this.closed) c.abort("client closed");
    else this.pool.put(c);
  }

  forget(c: Connection): void {
    this.pool.forget(c);
  }

  /** The response with its body content-decoded (decompress.ts): at once when it is small, else when its stream ends. */
  private decoded(run: Run, ex: Exchange, target: Target, maxBody: number): ProtocolResponse | Promise<ProtocolResponse> {
    const t0 = performance.now();
    let d: Uint8Array | Decoding;
    try {
      d = decodeBody(ex.rawBody, ex.contentEncoding, maxBody);
    } catch (e) {
      run.addDecodeTime(performance.now() - t0);
      return run.error(decodeErrorMessage(e, ex), target.href);
    }
    if (d instanceof Uint8Array) {
      run.addDecodeTime(performance.now() - t0);
      return new HttpResponse(ex, d, run.timings, run.bytesSent, run.bytesReceived, target.href);
    }
    run.decoding = d;
    return d.promise.then(
      (bytes) => {
        run.decoding = null;
        run.addDecodeTime(performance.now() - t0);
        return new HttpResponse(ex, bytes, run.timings, run.bytesSent, run.bytesReceived, target.href);
      },
      (e: unknown) => {
        run.decoding = null;
        run.addDecodeTime(performance.now() - t0);
        return run.error(decodeErrorMessage(e, ex), target.href);
      },
    );
  }

  private exchange(
    method: string,
    url: string,
    target: Target,
    headers: [string, string][],
    body: Uint8Array | null,
    tStart: number,
    maxBody: number,
  ): Exchange | string {
    let tpl = headers === this.firstHeadKey ? this.firstHead : this.moreHeads?.get(headers);
    if (tpl == null || tpl.method !== method || tpl.url !== url) {
      // a new array that starts as the first template's (a hook's copy with a header added): that
      // template's prefix and its own lines, kept for this request only (no WeakMap entry each)
      const first = this.firstHead;
      const derived = first !== null && headers !== this.firstHeadKey && first.method === method && first.url === url ? deriveHeadTemplate(first, headers) : undefined;
      if (typeof derived === "string") return derived;
      if (derived !== undefined) tpl = derived;
      else {
        const built = buildHeadTemplate(method, url, target, headers, this.proxy !== null && !target.secure, this.headCfg);
        if (typeof built === "string") return built;
        tpl = built;
        if (this.firstHeadKey === null || this.firstHeadKey === headers) {
          this.firstHeadKey = headers;
          this.firstHead = tpl;
        } else (this.moreHeads ??= new WeakMap()).set(headers, tpl);
      }
    }
    const cookie = this.o.cookies ? this.jar.headerFor(target.hostname, target.pathname, target.secure) : "";
    const head = finishHead(tpl, cookie, body === null ? -1 : body.length);
    // past the template's prefix (bytes counted once) the head is ASCII but for cookies: the
    // request's own (its extra bytes known) and the jar's (counted when there are any)
    const headBytes = cookie === "" ? tpl.prefixBytes + (head.length - tpl.prefix.length) + tpl.userCookieExtraBytes : Buffer.byteLength(head);
    return new Exchange(head, headBytes, body, method === "HEAD", tpl.close, tStart, maxBody, this.keepBodies);
  }

  private dispatch(ex: Exchange, target: Target, fresh: boolean): void {
    const dial = this.dialFor(target);
    if (!fresh && this.keepAlive) {
      const c = this.pool.take(dial.key);
      if (c !== undefined) {
        ex.reused = true;
        c.send(ex);
        return;
      }
    }
    const c = new Conn(dial, this);
    this.pool.add(c);
    c.open(ex);
  }

  private dialFor(target: Target): Dial {
    const proxy = this.proxy;
    const key = proxy !== null && !target.secure ? PROXY_KEY : target.origin;
    const first = this.firstDial;
    if (first !== null && first.key === key) return first;
    const cached = this.moreDials?.get(key);
    if (cached !== undefined) return cached;
    const hosts = this.o.hosts ?? {};
    let tls: TLSOptions | null = null;
    if (target.secure) tls = tlsFor(this.tls!, this.o.tls ?? {}, target.hostname);
    let dial: Dial;
    if (proxy === null) {
      const a = pinAddress(hosts, target.hostname, target.port);
      dial = { key, host: a.host, port: a.port, tls, verify: this.tls!.verify, tunnel: null };
    } else {
      // pinning applies to the host we actually connect to: the proxy
      const a = pinAddress(hosts, proxy.host, proxy.port);
      const tunnel = target.secure ? connectRequest(`${target.host}:${target.port}`, proxy.authorization) : null;
      dial = { key, host: a.host, port: a.port, tls, verify: this.tls!.verify, tunnel };
    }
    if (first === null) this.firstDial = dial;
    else (this.moreDials ??= new Map()).set(key, dial);
    return dial;
  }

  private storeCookies(ex: Exchange, target: Target): void {
    const h = ex.headers;
    for (let i = 0; i < h.length; i++) {
      const [name, value] = h[i]!;
      if (name.length === 10 && name.toLowerCase() === "set-cookie") this.jar.setFromHeader(value, target.hostname, target.pathname);
    }
  }
}

/** A bound passed (the cap, the timeout) says so as it is; corrupt data says which coding failed. */
/** A decoding failure as the request's error: a cap or a timeout says so itself; zlib's errors name the coding. */
export function decodeErrorMessage(e: unknown, ex: { contentEncoding: string }): string {
  if (e instanceof DecodeError) return e.message;
  return `error decoding response body (${ex.contentEncoding}): ${(e as Error).message}`;
}

function headerValue(headers: [string, string][], lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0].length === lowerName.length && h[0].toLowerCase() === lowerName) return h[1];
  }
  return undefined;
}
