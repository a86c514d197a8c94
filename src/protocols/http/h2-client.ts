/**
 * The HTTP client of a VU whose `defaults.http.version` lets it speak HTTP/2 (docs/protocols/http2.md):
 * HTTP/2 where the version and the URL call for it, the HTTP/1.1 client it extends otherwise —
 * so `auto` against an http:// URL costs one character test per request.
 *
 * Per request the behaviour is HTTP/1.1's: the same headers and defaults (h2-headers.ts), cookie
 * jar, redirects (a hop to an origin that speaks HTTP/1.1 continues on HTTP/1.1, its times and
 * bytes added), decompression, whole-exchange timeout, `hosts` pinning, proxy (a CONNECT tunnel)
 * and error wording. Its sessions (h2-session.ts), one per origin, are shared with the VU's
 * `parallel` branches: their requests are streams on the same connection.
 */
import type tls from "node:tls";
import { arm, type Deadline, disarm } from "../../util/deadline-wheel.ts";
import { classifyError, type ErrorKind, type ProtocolResponse, type Timings } from "../types.ts";
import { HttpClient } from "./client.ts";
import { decodeErrorMessage } from "./client.ts";
import { decodeBody, type Decoding } from "./decompress.ts";
import { timeoutMessage } from "./errors.ts";
import { h2DialFor, type H2Dial, nodeTlsOptions } from "./h2-dial.ts";
import type { H2Exchange } from "./h2-exchange.ts";
import { buildH2Head, finishH2Head, type H2Head } from "./h2-headers.ts";
import type { H2Pool } from "./h2-session.ts";
import type { HttpClientOptions, HttpRequest, HttpVersion } from "./options.ts";
import { parseProxy, type Proxy } from "./proxy.ts";
import { isRedirect, redirectHeaders, redirectLimitMessage, redirectMethod, resolveLocation } from "./redirects.ts";
import { addRetriedAttempt, addTimings, emptyTimings } from "./timings.ts";
import { parseTarget, type Target } from "./url.ts";

const EMPTY = new Uint8Array(0);
const ALPN_AUTO = ["h2", "http/1.1"];
const ALPN_H2 = ["h2"];

/** node:http2's part (h2-transport.ts), loaded on the first HTTP/2 request. */
let transport: typeof import("./h2-transport.ts") | null = null;

/** Origins whose server chose HTTP/1.1 under ALPN (per worker: one VU's answer spares the others the probe). */
const http1Origins = new Set<string>();

/** `version: http2` on a cleartext URL: the plan's to fix (the run refuses it up front when the URL is known). */
export function cleartextHttp2Message(url: string): string {
  return `\`defaults.http.version: http2\` negotiates HTTP/2 by TLS ALPN and cannot reach ${url}: use an https:// URL, or \`http2-prior-knowledge\` for cleartext HTTP/2 (h2c)`;
}

/** Times and bytes over the attempts and redirect hops of one request. */
class H2Run implements Deadline {
  readonly timings: Timings = emptyTimings();
  bytesSent = 0;
  bytesReceived = 0;
  current: H2Exchange | null = null;
  /** a large body's decoding in progress (decompress.ts): the deadline cancels it */
  decoding: Decoding | null = null;
  deadline = 0;
  timedOut = false;

  constructor(readonly timeoutMs: number) {}

  add(ex: H2Exchange): void {
    addTimings(this.timings, ex);
    this.bytesSent += ex.bytesSent;
    this.bytesReceived += ex.receivedBytes;
  }

  onTimeout(): void {
    this.timedOut = true;
    this.current?.fail(timeoutMessage(this.timeoutMs));
    this.decoding?.cancel(timeoutMessage(this.timeoutMs));
  }

  get touched(): boolean {
    return this.bytesSent > 0 || this.timings.blocked > 0 || this.timings.duration > 0;
  }

  error(message: string, url: string, kind: ErrorKind = classifyError(message)): ProtocolResponse {
    return {
      status: 0,
      statusText: "",
      headers: [],
      body: EMPTY,
      timings: this.timings,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      protocolVersion: "HTTP/2",
      error: message,
      errorKind: kind,
      url,
    };
  }
}

/** What every VU's client of one handler shares: made once (h2Settings), so a VU costs a few fields. */
export interface H2Settings {
  readonly version: HttpVersion;
  readonly baseTls: tls.ConnectionOptions | null;
  readonly proxy: Proxy | null;
  /** a configuration problem every HTTP/2 request reports */
  readonly configError: string | null;
}

export function h2Settings(opts: HttpClientOptions): H2Settings {
  const t = nodeTlsOptions(opts.tls ?? {});
  let configError = typeof t === "string" ? t : null;
  let proxy: Proxy | null = null;
  if (opts.proxy !== undefined && opts.proxy !== "") {
    const p = parseProxy(opts.proxy);
    if (typeof p === "string") configError ??= p;
    else proxy = p;
  }
  return { version: opts.version ?? "auto", baseTls: typeof t === "string" ? null : t, proxy, configError };
}

/**
 * (Its members' names must not be HttpClient's private ones: a subclass's would replace them at
 * run time, for the HTTP/1.1 path too.)
 */
export class Http2Client extends HttpClient {
  /** made on the first HTTP/2 request: a VU that never sends one carries none */
  private h2pool: H2Pool | null = null;
  private dials: Map<string, H2Dial> | null = null;
  private lastHeadKey: object | null = null;
  private lastHead: H2Head | null = null;

  constructor(
    private readonly opts: HttpClientOptions,
    private readonly h2: H2Settings,
    /** the VU this client is a `parallel` branch of: its sessions are used, and closed by it */
    private readonly parent: Http2Client | null = null,
  ) {
    super(opts);
  }

  private sessions(t: typeof import("./h2-transport.ts")): H2Pool {
    return this.parent !== null ? this.parent.sessions(t) : (this.h2pool ??= new t.H2Pool());
  }

  /** HTTP/2 or HTTP/1.1 for this URL; throws (an invalid request) for `http2` on a cleartext URL. */
  override request(req: HttpRequest): Promise<ProtocolResponse> {
    const v = this.h2.version;
    if (req.url.charCodeAt(4) === 58 /* "http:" */) {
      if (v === "auto") return super.request(req);
      if (v === "http2") throw new Error(cleartextHttp2Message(req.url));
    } else if (v === "auto" && http1Origins.size > 0) {
      const t = parseTarget(req.url);
      if (typeof t !== "string" && http1Origins.has(t.origin)) return super.request(req);
    }
    return this.requestH2(req);
  }

  override close(): void {
    super.close();
    if (this.parent === null) this.h2pool?.close();
  }

  private async requestH2(req: HttpRequest): Promise<ProtocolResponse> {
    const run = new H2Run(req.timeoutMs);
    let url = req.url;
    if (this.h2.configError !== null) return run.error(this.h2.configError, url);
    const t = transport ?? (transport = await import("./h2-transport.ts"));
    const t0 = performance.now();
    run.deadline = t0 + req.timeoutMs;
    arm(run);
    try {
      let method = req.method;
      let headers = req.headers;
      let body = req.body ?? null;
      const follow = req.followRedirects ?? this.opts.followRedirects;
      const max = req.maxRedirects ?? this.opts.maxRedirects;
      const maxBody = req.maxBodySize ?? this.maxBodySize;
      let tStart = t0;
      // each turn follows one redirect; the loop returns at the latest after `max` redirects
      for (let hop = 0; ; hop++) {
        const target = parseTarget(url);
        if (typeof target === "string") return run.error(target, url);
        const onHttp1 = () => this.continueOnHttp1(run, { method, url, headers, body: body ?? undefined, timeoutMs: run.deadline - performance.now(), followRedirects: follow, maxRedirects: max - hop });
        if (!target.secure && this.h2.version === "auto") return onHttp1();
        const head = this.head(method, url, target, headers);
        if (typeof head === "string") return run.error(head, url);
        const cookie = this.opts.cookies ? this.jar.headerFor(target.hostname, target.pathname, target.secure) : "";
        const h = finishH2Head(head, cookie, body === null ? -1 : body.length);
        let ex = await this.attempt(t, run, target, h.headers, h.bytes, body, tStart, maxBody);
        if (ex.retryable && !run.timedOut) {
          // the server never processed the stream (GOAWAY, refused): once more, on a new session
          addRetriedAttempt(run.timings, ex);
          ex = await this.attempt(t, run, target, h.headers, h.bytes, body, performance.now(), maxBody);
        }
        if (ex.http1) {
          http1Origins.add(target.origin);
          addRetriedAttempt(run.timings, ex);
          return onHttp1();
        }
        run.add(ex);
        if (ex.error !== null) return run.error(ex.error, target.href);
        if (this.opts.cookies && ex.hasSetCookie) {
          for (const [name, value] of ex.headers) if (name === "set-cookie") this.jar.setFromHeader(value, target.hostname, target.pathname);
        }
        if (follow && isRedirect(ex.status)) {
          const location = ex.headers.find(([n]) => n === "location")?.[1];
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
        return await this.h2Response(run, ex, target, maxBody);
      }
    } finally {
      disarm(run);
    }
  }

  /** One attempt: a session (dialled if need be) and a stream on it; settles on the response, an error or the deadline. */
  private async attempt(t: typeof import("./h2-transport.ts"), run: H2Run, target: Target, headers: import("node:http2").OutgoingHttpHeaders, headBytes: number, body: Uint8Array | null, tStart: number, maxBody: number): Promise<H2Exchange> {
    const ex = new t.H2Exchange(tStart, maxBody, this.keepBodies);
    run.current = ex;
    const dial = this.h2Dial(target);
    ex.tls = dial.tls !== null;
    this.sessions(t).acquire(dial, target.origin, ex, this.h2.version === "auto").then(
      (got) => {
        ex.dialled(got.dialled);
        if ("http1" in got) ex.fallBack();
        else ex.send(got.session, headers, headBytes, body);
      },
      (e: Error) => ex.fail(e.message),
    );
    await ex.promise;
    run.current = null;
    return ex;
  }

  /** The rest of the request on HTTP/1.1, the HTTP/2 hops before it counted in. */
  private async continueOnHttp1(run: H2Run, req: HttpRequest): Promise<ProtocolResponse> {
    disarm(run);
    if (req.timeoutMs <= 0) return run.error(timeoutMessage(run.timeoutMs), req.url);
    const res = await super.request(req);
    if (!run.touched) return res;
    const t = run.timings;
    const r = res.timings;
    const timings: Timings = {
      blocked: t.blocked + r.blocked,
      connecting: t.connecting + r.connecting,
      tls: t.tls + r.tls,
      sending: t.sending + r.sending,
      waiting: t.waiting + r.waiting,
      receiving: t.receiving + r.receiving,
      duration: t.duration + r.duration,
    };
    // reads through to the HTTP/1.1 response (its lazily read headers and body included)
    return Object.create(res, {
      timings: { value: timings, enumerable: true },
      bytesSent: { value: run.bytesSent + res.bytesSent, enumerable: true },
      bytesReceived: { value: run.bytesReceived + res.bytesReceived, enumerable: true },
    }) as ProtocolResponse;
  }

  /** The response with its body content-decoded as HTTP/1.1's is (capped at `maxBody`, a large one streamed; the time counts as receiving). */
  private async h2Response(run: H2Run, ex: H2Exchange, target: Target, maxBody: number): Promise<ProtocolResponse> {
    let body = ex.rawBody;
    if (this.opts.compression && ex.contentEncoding !== "" && this.keepBodies) {
      const t0 = performance.now();
      try {
        const d = decodeBody(body, ex.contentEncoding, maxBody);
        if (d instanceof Uint8Array) body = d;
        else {
          run.decoding = d;
          body = await d.promise;
        }
      } catch (e) {
        return run.error(decodeErrorMessage(e, ex), target.href);
      } finally {
        run.decoding = null;
        const ms = performance.now() - t0;
        run.timings.receiving += ms;
        run.timings.duration += ms;
      }
    }
    return {
      status: ex.status,
      statusText: ex.statusText,
      headers: ex.headers,
      body,
      timings: run.timings,
      bytesSent: run.bytesSent,
      bytesReceived: run.bytesReceived,
      protocolVersion: "HTTP/2",
      url: target.href,
    };
  }

  /** The header block for (headers array, method, URL), rebuilt only when one of them changed. */
  private head(method: string, url: string, target: Target, headers: [string, string][]): H2Head | string {
    const last = this.lastHead;
    if (last !== null && this.lastHeadKey === headers && last.method === method && last.url === url) return last;
    const h = buildH2Head(method, url, target, headers, this.opts.compression);
    if (typeof h === "string") return h;
    this.lastHeadKey = headers;
    this.lastHead = h;
    return h;
  }

  private h2Dial(target: Target): H2Dial {
    const dials = (this.dials ??= new Map());
    let d = dials.get(target.origin);
    if (d === undefined) {
      const alpn = !target.secure ? null : this.h2.version === "auto" ? ALPN_AUTO : ALPN_H2;
      d = h2DialFor(target, this.opts.hosts ?? {}, this.h2.proxy, this.h2.baseTls!, this.opts.tls?.serverName, alpn);
      dials.set(target.origin, d);
    }
    return d;
  }
}
