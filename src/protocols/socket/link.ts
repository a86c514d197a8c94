/**
 * One client connection for the protocols that hold a raw stream — WebSocket, SSE, TCP: `hosts`
 * pinning and DNS, connect, the TLS handshake with the plan's TLS options (wss://, sses://), then
 * the bytes, handed to the session that owns the link (a subclass). The marks give the k6 phases
 * before the first byte is written: blocked (DNS), connecting, tls.
 *
 * All links share one handlers object (Bun's recommended pattern: no closures per socket); the
 * link travels as `socket.data`. The request deadline is the session's (util/deadline-wheel.ts).
 */
import type { Socket, SocketHandler, TLSOptions } from "bun";
import { socketErrorMessage } from "../http/errors.ts";
import type { HttpClientOptions } from "../http/options.ts";
import { pinAddress, resolveHost } from "../http/resolve.ts";
import { buildTls, tlsFor, type TlsSettings } from "../http/tls-options.ts";
import type { Timings } from "../types.ts";

/** Where a link connects: the URL's host and port; `secure` for TLS. */
export interface Endpoint {
  hostname: string;
  port: number;
  secure: boolean;
}

/** How links of one handler reach their endpoints: `hosts` pinning and TLS, from defaults.http. */
export class Dialer {
  /** built on the first TLS connection: a plan without wss:// or sses:// never needs it */
  private tls: TlsSettings | string | undefined;

  constructor(private readonly http: Pick<HttpClientOptions, "hosts" | "tls">) {}

  /** The address and TLS options for `ep`, or the message of an unusable TLS configuration. */
  route(ep: Endpoint): { host: string; port: number; tls: TLSOptions | null; verify: boolean } | string {
    const a = pinAddress(this.http.hosts, ep.hostname, ep.port);
    if (!ep.secure) return { host: a.host, port: a.port, tls: null, verify: false };
    const tls = (this.tls ??= buildTls(this.http.tls));
    if (typeof tls === "string") return tls;
    return { host: a.host, port: a.port, tls: tlsFor(tls, this.http.tls, ep.hostname), verify: tls.verify };
  }
}

type Sock = Socket<Link>;

const HANDLERS: SocketHandler<Link> = {
  open(s) {
    s.data.onOpen(s);
  },
  handshake(s, ok, err) {
    s.data.onHandshake(ok, err);
  },
  data(s, d) {
    s.data.onBytes(d);
  },
  drain(s) {
    s.data.onDrain();
  },
  end(s) {
    s.data.onPeerEnd(null);
  },
  close(s, err) {
    s.data.onPeerEnd(err ?? null);
  },
  error(s, err) {
    s.data.onPeerEnd(err);
  },
  connectError(s, err) {
    s.data.onPeerEnd(err);
  },
};

function ignore(): void {}

export abstract class Link {
  /** performance.now() marks: the call began, connect started, TCP connected, TLS done */
  tStart = 0;
  tConnStart = 0;
  tConnected = 0;
  tTlsDone = 0;
  /** bytes written and read on the wire (handshakes and framing included) */
  bytesSent = 0;
  bytesReceived = 0;
  /** the link no longer delivers anything (ended, failed or closed by us) */
  finished = false;
  protected socket: Sock | null = null;
  private pending: Buffer | null = null;
  private tls = false;
  private verify = false;
  private where = "";

  /** Connected (and TLS done): the session may write. */
  protected abstract ready(): void;
  /** Bytes from the peer. */
  protected abstract received(d: Buffer): void;
  /** The peer ended the stream (`error` null: a clean FIN) or the transport failed; once, unless the session finished first. */
  protected abstract ended(error: string | null): void;

  /** Resolve and connect; `ep` already routed by a Dialer. */
  protected connect(ep: { host: string; port: number; tls: TLSOptions | null; verify: boolean }): void {
    this.tStart = performance.now();
    this.tls = ep.tls !== null;
    this.verify = ep.verify;
    this.where = `${ep.host}:${ep.port}`;
    let ip: string | Promise<string>;
    try {
      ip = resolveHost(ep.host);
    } catch (e) {
      this.fail(`dns error: failed to resolve ${ep.host}: ${(e as Error).message}`);
      return;
    }
    const go = (addr: string) => {
      if (this.finished) return;
      this.tConnStart = performance.now();
      Bun.connect<Link>({ hostname: addr, port: ep.port, data: this, socket: HANDLERS, tls: ep.tls ?? undefined }).catch(ignore);
    };
    if (typeof ip === "string") go(ip);
    else ip.then(go, (e: Error) => this.fail(e.message));
  }

  /** The connect-time phases into `t`: blocked (until connect started), connecting, tls. */
  protected connectTimings(t: Timings): void {
    const end = performance.now();
    t.blocked = (this.tConnStart > 0 ? this.tConnStart : end) - this.tStart;
    if (this.tConnStart > 0) t.connecting = (this.tConnected > 0 ? this.tConnected : end) - this.tConnStart;
    if (this.tls && this.tConnected > 0) t.tls = (this.tTlsDone > 0 ? this.tTlsDone : end) - this.tConnected;
  }

  /** Writes all of `b`: what the kernel does not take at once waits for `drain`, in order. */
  protected write(b: Uint8Array | string): void {
    const s = this.socket;
    if (s === null || this.finished) return;
    const bytes = typeof b === "string" ? Buffer.from(b) : b;
    this.bytesSent += bytes.length;
    if (this.pending !== null) {
      this.pending = Buffer.concat([this.pending, bytes]);
      return;
    }
    const w = s.write(bytes);
    if (w < bytes.length) this.pending = Buffer.from(bytes.subarray(Math.max(w, 0)));
  }

  /** Nothing written is still waiting for the kernel. */
  protected get flushed(): boolean {
    return this.pending === null;
  }

  onDrain(): void {
    const s = this.socket;
    const p = this.pending;
    if (s === null || p === null) return;
    const w = s.write(p);
    this.pending = w >= p.length ? null : p.subarray(Math.max(w, 0));
    if (this.pending === null) this.drained();
  }

  /** Everything written has gone to the kernel (only called after a write had to wait). */
  protected drained(): void {}

  /** Ends the link from our side: gracefully (FIN after what was written) or at once. */
  close(graceful: boolean): void {
    this.finished = true;
    const s = this.socket;
    this.socket = null;
    if (s !== null) {
      if (graceful) s.end();
      else s.terminate();
    }
  }

  /** The transport failed: the link closes at once and the session hears it (ended(message)). */
  protected fail(message: string): void {
    if (this.finished) return;
    this.close(false);
    this.ended(message);
  }

  onOpen(s: Sock): void {
    if (this.finished) {
      s.terminate();
      return;
    }
    this.socket = s;
    this.tConnected = performance.now();
    s.setNoDelay(true);
    if (!this.tls) this.ready();
  }

  onHandshake(ok: boolean, err: Error | null): void {
    if (this.finished) return;
    this.tTlsDone = performance.now();
    if (err !== null && err !== undefined) {
      const code = (err as { code?: string }).code;
      // certificate problems are ignored with insecure_skip_verify; protocol failures never are
      if (this.verify || code === "EPROTO" || err.message.startsWith("error:")) {
        // OpenSSL's "DNS:host" altname text would make classifyError() file this under dns
        this.fail(`tls handshake failed: ${err.message.replace(/\bDNS:/g, "name ")}`);
        return;
      }
    } else if (!ok && this.verify) {
      this.fail("tls handshake failed: certificate rejected");
      return;
    }
    this.ready();
  }

  onBytes(d: Buffer): void {
    if (this.finished) return;
    this.bytesReceived += d.length;
    this.received(d);
  }

  onPeerEnd(err: Error | null): void {
    if (this.finished) return;
    if (err !== null) {
      this.fail(this.tls && this.tTlsDone === 0 && this.tConnected > 0 ? `tls handshake failed: ${err.message}` : socketErrorMessage(err, this.where));
      return;
    }
    if (this.tls && this.tTlsDone === 0 && this.tConnected > 0) {
      this.fail("tls handshake failed: connection closed by the peer");
      return;
    }
    this.finished = true;
    const s = this.socket;
    this.socket = null;
    s?.end();
    this.ended(null);
  }
}
