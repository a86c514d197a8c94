/**
 * One TCP (optionally TLS, optionally tunnelled through a CONNECT proxy) connection and its
 * single in-flight exchange slot. All connections share one handlers object (Bun's recommended
 * pattern: no closures per socket); the Connection travels as `socket.data`.
 */
import type { Socket, SocketHandler, TLSOptions } from "bun";
import { closeSync, openSync } from "node:fs";
import { CLOSED_EARLY, socketErrorMessage, tooManyOpenFilesMessage } from "./errors.ts";
import type { Exchange } from "./exchange.ts";
import { resolveHost } from "./resolve.ts";
import { Feed, ResponseParser } from "./response-parser.ts";

/** Where and how to connect; one per pool key, shared by its connections. */
export interface Dial {
  /** pool key */
  key: string;
  /** address to connect to (after `hosts` pinning; a name still goes through DNS) */
  host: string;
  port: number;
  /** TLS to the origin: directly, or inside the tunnel when `tunnel` is set */
  tls: TLSOptions | null;
  /** check the handshake's authorization error (false = insecure_skip_verify) */
  verify: boolean;
  /** the CONNECT request to send first, for https through a proxy */
  tunnel: string | null;
}

export interface ConnectionOwner {
  readonly keepAlive: boolean;
  /** a finished exchange left the connection reusable */
  release(c: Connection): void;
  /** the connection is gone */
  forget(c: Connection): void;
}

const enum Phase {
  Connecting,
  Tunnel,
  Handshake,
  Ready,
  Closed,
}

type Sock = Socket<Connection>;

const HANDLERS: SocketHandler<Connection> = {
  open(s) {
    s.data.onOpen(s);
  },
  handshake(s, ok, err) {
    s.data.onHandshake(s, ok, err);
  },
  data(s, d) {
    s.data.onData(s, d);
  },
  drain(s) {
    s.data.onDrain(s);
  },
  end(s) {
    s.data.onEof(s, null);
  },
  close(s, err) {
    s.data.onEof(s, err ?? null);
  },
  error(s, err) {
    s.data.onError(s, err);
  },
  connectError(s, err) {
    s.data.onConnectError(err);
  },
};

const MAX_CONNECT_RESPONSE = 16 * 1024;

function ignore(): void {}

export class Connection {
  idle = false;
  private socket: Sock | null = null;
  /** the TCP socket under a tunnelled TLS socket; its own events are not ours to handle */
  private rawSocket: Sock | null = null;
  private phase = Phase.Connecting;
  private ex: Exchange | null = null;
  private readonly parser = new ResponseParser();
  private tunnelBuf: Buffer | null = null;
  private pendingWrite: Uint8Array | null = null;
  private readonly where: string;

  constructor(
    readonly dial: Dial,
    private readonly owner: ConnectionOwner,
  ) {
    this.where = `${dial.host}:${dial.port}`;
  }

  isIdle(): boolean {
    return this.idle && this.phase === Phase.Ready;
  }

  /** Resolves, connects and then sends `ex`. */
  open(ex: Exchange): void {
    this.ex = ex;
    ex.conn = this;
    ex.tls = this.dial.tls !== null;
    let ip: string | Promise<string>;
    try {
      ip = resolveHost(this.dial.host);
    } catch (e) {
      this.fail(`dns error: failed to resolve ${this.dial.host}: ${(e as Error).message}`);
      return;
    }
    if (typeof ip === "string") this.connect(ip);
    else ip.then((a) => this.connect(a), (e: Error) => this.fail(e.message));
  }

  private connect(ip: string): void {
    if (this.phase === Phase.Closed) return; // timed out or closed during DNS
    const ex = this.ex;
    if (ex !== null) ex.tConnStart = performance.now();
    const d = this.dial;
    Bun.connect<Connection>({
      hostname: ip,
      port: d.port,
      data: this,
      socket: HANDLERS,
      tls: d.tunnel === null && d.tls !== null ? d.tls : undefined,
    }).catch(ignore); // failures arrive through connectError
  }

  /** Sends `ex` on this (open) connection. */
  send(ex: Exchange): void {
    const s = this.socket!;
    this.ex = ex;
    ex.conn = this;
    this.idle = false;
    this.parser.reset(ex.isHead, ex.maxBody, ex.keepBody);
    ex.tSendStart = performance.now();
    const body = ex.body;
    let n: number;
    let total: number;
    if (body === null) {
      total = ex.headBytes;
      n = s.write(ex.head);
    } else {
      // one buffer, one write: separate head and body writes cost a syscall and often a packet
      total = ex.headBytes + body.length;
      const buf = Buffer.allocUnsafe(total);
      buf.write(ex.head, 0, "utf8");
      buf.set(body, ex.headBytes);
      n = s.write(buf);
      if (n >= 0 && n < total) this.pendingWrite = buf.subarray(n);
    }
    if (n === total) {
      ex.tSendEnd = performance.now();
      return;
    }
    if (n < 0) {
      this.fail(CLOSED_EARLY, ex.reused);
      return;
    }
    if (body === null) this.pendingWrite = Buffer.from(ex.head, "utf8").subarray(n);
  }

  /** Ends the connection and its exchange, if any, with `message` (timeouts, client close). */
  abort(message: string): void {
    this.fail(message);
  }

  onOpen(s: Sock): void {
    if (this.phase === Phase.Closed) {
      s.terminate();
      return;
    }
    this.socket = s;
    const ex = this.ex;
    if (ex === null) return;
    ex.tConnected = performance.now();
    const d = this.dial;
    if (d.tunnel !== null) {
      this.phase = Phase.Tunnel;
      s.write(d.tunnel);
    } else if (d.tls !== null) {
      this.phase = Phase.Handshake;
    } else {
      this.phase = Phase.Ready;
      this.send(ex);
    }
  }

  onHandshake(s: Sock, ok: boolean, err: Error | null): void {
    const ex = this.ex;
    if (this.phase !== Phase.Handshake || ex === null) return;
    if (s !== this.socket) this.socket = s;
    ex.tTlsDone = performance.now();
    if (err !== null && err !== undefined) {
      // certificate problems are ignored with insecure_skip_verify; protocol failures never are
      if (this.dial.verify || isProtocolError(err)) {
        this.fail(`tls handshake failed: ${tlsReason(err)}${codeOf(err)}`);
        return;
      }
    } else if (!ok && this.dial.verify) {
      this.fail("tls handshake failed: certificate rejected");
      return;
    }
    this.phase = Phase.Ready;
    this.send(ex);
  }

  onData(s: Sock, d: Buffer): void {
    if (s === this.rawSocket) return; // TLS records; the TLS socket hands us the plaintext
    if (this.phase === Phase.Tunnel) {
      this.onTunnelData(d);
      return;
    }
    const ex = this.ex;
    if (ex === null) {
      // bytes nobody asked for on an idle connection: it is out of sync, never reuse it
      this.destroy(true);
      return;
    }
    const first = ex.tFirst === 0;
    if (first) ex.tFirst = performance.now();
    const r = this.parser.feed(d);
    if (r === Feed.More) return;
    if (r === Feed.Error) {
      this.fail(this.parser.error);
      return;
    }
    this.complete(ex, first);
  }

  onDrain(s: Sock): void {
    const p = this.pendingWrite;
    if (p === null || s !== this.socket) return;
    const n = s.write(p);
    if (n === p.length) {
      this.pendingWrite = null;
      const ex = this.ex;
      if (ex !== null && ex.tSendEnd === 0) ex.tSendEnd = performance.now();
    } else if (n > 0) {
      this.pendingWrite = p.subarray(n);
    }
  }

  /** FIN (`end`) or close from the peer or the OS. */
  onEof(s: Sock, err: Error | null): void {
    if (s === this.rawSocket && this.socket !== null && s !== this.socket) return;
    const prev = this.phase;
    if (prev !== Phase.Closed) {
      this.phase = Phase.Closed;
      this.idle = false;
      this.owner.forget(this);
    }
    const ex = this.ex;
    if (ex === null || ex.done) return;
    if (err === null && prev === Phase.Ready && this.parser.eof() === Feed.Done) {
      // a read-until-close body ends here
      this.complete(ex, false);
      return;
    }
    let msg: string;
    if (err !== null) msg = socketErrorMessage(err, this.where);
    else if (prev === Phase.Handshake) msg = "tls handshake failed: connection closed by the peer";
    else if (prev === Phase.Tunnel) msg = `proxy CONNECT failed: proxy closed the connection (${this.where})`;
    else msg = CLOSED_EARLY;
    // a pooled connection that the server closed before answering anything is retried once
    this.fail(msg, ex.reused && prev === Phase.Ready && this.parser.received === 0);
  }

  onError(s: Sock, err: Error): void {
    if (s === this.rawSocket && s !== this.socket) return;
    const ex = this.ex;
    const retry = ex !== null && ex.reused && this.parser.received === 0 && (err as { code?: string }).code === "ECONNRESET";
    this.fail(socketErrorMessage(err, this.where), retry);
  }

  onConnectError(err: Error): void {
    if (this.phase === Phase.Closed) return;
    // Bun (1.4.4) reports a socket it could not make for want of a file descriptor as ECONNREFUSED
    const code = (err as { code?: string }).code;
    const noFiles = code === "ECONNREFUSED" ? outOfFiles() : null;
    this.fail(noFiles !== null ? tooManyOpenFilesMessage(noFiles, this.where) : socketErrorMessage(err, this.where));
  }

  private onTunnelData(d: Buffer): void {
    const buf = this.tunnelBuf === null ? d : Buffer.concat([this.tunnelBuf, d]);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (buf.length > MAX_CONNECT_RESPONSE) this.fail("proxy CONNECT failed: response head too large");
      else this.tunnelBuf = buf;
      return;
    }
    this.tunnelBuf = null;
    let lineEnd = buf.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = end;
    const line = buf.toString("latin1", 0, lineEnd);
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(line);
    if (m === null) {
      this.fail(`proxy CONNECT failed: invalid response ${JSON.stringify(line.slice(0, 60))}`);
      return;
    }
    const status = Number(m[1]);
    if (status < 200 || status > 299) {
      this.fail(`proxy CONNECT failed: ${line.slice(9)}`);
      return;
    }
    if (end + 4 < buf.length) {
      this.fail("proxy CONNECT failed: proxy sent data before the tunnel was established");
      return;
    }
    const ex = this.ex;
    if (ex !== null) ex.tConnected = performance.now();
    const [raw, tls] = this.socket!.upgradeTLS<Connection>({ data: this, tls: this.dial.tls!, socket: HANDLERS });
    this.rawSocket = raw;
    this.socket = tls;
    this.phase = Phase.Handshake;
  }

  /** `whole`: the response came complete in its first chunk, so it was all received at tFirst
   *  (http_req_receiving 0: parsing it is not network time) and the clock need not be read again */
  private complete(ex: Exchange, whole: boolean): void {
    const p = this.parser;
    ex.tEnd = whole ? ex.tFirst : performance.now();
    if (ex.tSendEnd === 0) ex.tSendEnd = ex.tFirst; // answered before the upload finished
    ex.take(p);
    this.ex = null;
    if (p.keepAlive && !p.trailing && !ex.close && this.pendingWrite === null && this.owner.keepAlive && this.phase === Phase.Ready) {
      // drop the parser's hold on this response (headers, body parts): an idle keep-alive
      // connection would keep them alive for as long as its VU thinks (×10,000 VUs)
      p.reset(false);
      this.owner.release(this);
    } else {
      this.destroy(false);
    }
    ex.finish();
  }

  private fail(message: string, retryable = false): void {
    const ex = this.ex;
    this.ex = null;
    this.destroy(true);
    if (ex !== null && !ex.done) {
      // what did arrive still counts toward data_received
      ex.receivedBytes = this.parser.received;
      ex.fail(message, retryable);
    }
  }

  /** Closes the socket: gracefully after a complete response, abruptly after an error. */
  private destroy(abort: boolean): void {
    if (this.phase !== Phase.Closed) {
      this.phase = Phase.Closed;
      this.owner.forget(this);
    }
    this.idle = false;
    this.pendingWrite = null;
    const s = this.socket;
    const raw = this.rawSocket;
    this.socket = null;
    this.rawSocket = null;
    if (s !== null) {
      if (abort) s.terminate();
      else s.end();
    }
    if (raw !== null && abort) raw.terminate();
  }
}

/**
 * "EMFILE" or "ENFILE" when this process cannot open a file now, else null: whether a refused
 * connect was the file-descriptor limit rather than the target (an open and a close of /dev/null,
 * only after a connect failed).
 */
function outOfFiles(): string | null {
  try {
    closeSync(openSync("/dev/null", "r"));
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === "EMFILE" || code === "ENFILE" ? code : null;
  }
}

function isProtocolError(err: Error): boolean {
  const code = (err as { code?: string }).code;
  return code === "EPROTO" || err.message.startsWith("error:");
}

/**
 * OpenSSL's altname text lists "DNS:host" entries; classifyError() tests for "dns" before "tls",
 * so those words would file a certificate mismatch under error_kind dns. Say it without them.
 */
function tlsReason(err: Error): string {
  return err.message.replace(/\bDNS:/g, "name ");
}

function codeOf(err: Error): string {
  const code = (err as { code?: string }).code;
  return code !== undefined && code !== "" && !err.message.includes(code) ? ` (${code})` : "";
}
