/**
 * HTTP/2 sessions (one connection each, node:http2 over a socket h2-dial.ts opened) and the
 * per-VU pool of them, one per origin. Shared by HTTP/2 requests (h2-client.ts) and gRPC channels
 * (src/protocols/grpc/): a VU's requests — its `parallel` branches' too — are streams multiplexed
 * on its one session per origin.
 *
 * The server's SETTINGS_MAX_CONCURRENT_STREAMS is honoured here, not left to the library: a stream
 * waits for a free slot (that wait is its `blocked` time). GOAWAY is honoured too: the session
 * takes no new streams, streams the server did not process fail as retryable, and the next
 * request opens a new session.
 */
import http2 from "node:http2";
import { socketErrorMessage } from "./errors.ts";
import { dialH2, type DialHandle, type Dialled, type H2Dial } from "./h2-dial.ts";

export class H2Session {
  readonly session: http2.ClientHttp2Session;
  /** streams open now */
  private active = 0;
  private readonly waiters: ((ok: boolean) => void)[] = [];
  /** no new streams: GOAWAY received, or the session closed or failed */
  draining = false;
  /** why the session ended, for the streams it takes down */
  failure: string | null = null;
  /** GOAWAY's last processed stream id: streams above it were never processed (safe to retry) */
  lastStreamId = Infinity;
  /** the server's SETTINGS arrived: it speaks HTTP/2 */
  answered = false;
  private readonly where: string;

  constructor(
    readonly key: string,
    readonly dialled: Dialled,
    authority: string,
    private readonly gone: (s: H2Session) => void,
  ) {
    const socket = dialled.socket;
    this.session = http2.connect(authority, { createConnection: () => socket });
    const where = (this.where = authority);
    this.session.once("remoteSettings", () => (this.answered = true));
    this.session.on("error", (e: Error) => this.end(this.errorMessage(e)));
    this.session.on("close", () => this.end(this.failure ?? `connection closed (${where})`));
    this.session.on("goaway", (_code: number, lastStreamId: number) => {
      this.lastStreamId = lastStreamId;
      this.end(`the server sent GOAWAY (${where})`);
    });
    // the limit may have grown
    this.session.on("remoteSettings", () => this.wake());
  }

  /** An error of the session or one of its streams, worded for error_kind. */
  errorMessage(e: Error): string {
    // an answer that is no HTTP/2 at all (an HTTP/1.1 server under prior knowledge) fails before any SETTINGS
    if (!this.answered && !/^E[A-Z]+$/.test((e as { code?: string }).code ?? "")) return `the server did not answer in HTTP/2: ${e.message} (${this.where})`;
    return socketErrorMessage(e, this.where);
  }

  /** SETTINGS_MAX_CONCURRENT_STREAMS of the server (unlimited until its SETTINGS arrive) */
  get maxStreams(): number {
    return this.session.remoteSettings?.maxConcurrentStreams ?? Infinity;
  }

  /**
   * A stream slot: `true` at once when one is free, else a promise of one; `false` when this
   * session takes no more streams (open another).
   */
  acquire(): boolean | Promise<boolean> {
    if (this.draining) return false;
    if (this.active < this.maxStreams) {
      this.active++;
      return true;
    }
    return new Promise<boolean>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.active--;
    this.wake();
  }

  private wake(): void {
    while (this.waiters.length > 0 && (this.draining || this.active < this.maxStreams)) {
      if (!this.draining) this.active++;
      this.waiters.shift()!(!this.draining);
    }
  }

  private end(why: string): void {
    if (this.draining) return;
    this.draining = true;
    this.failure = why;
    this.gone(this);
    this.wake();
    // in-flight streams finish; the session closes itself when the last one does
    if (!this.session.closed && !this.session.destroyed) this.session.close();
  }

  close(): void {
    this.end("client closed");
    this.session.destroy();
  }
}

/** What a pool hands out: a session with a stream slot taken, or word that ALPN chose HTTP/1.1. */
export type Acquired = { session: H2Session; dialled: Dialled | null } | { http1: true; dialled: Dialled | null };

/** One VU's HTTP/2 sessions, one per origin; a dial in progress is shared by the streams that wait for it. */
export class H2Pool {
  private readonly sessions = new Map<string, H2Session>();
  private readonly dialling = new Map<string, Promise<H2Session | "http/1.1">>();
  private closed = false;

  /**
   * A session for `dial` with a stream slot taken (release it with session.release()), dialling
   * when there is none. `dialled` is set when this call's own dial opened it (its connect and TLS
   * times are the request's). Under ALPN, a server that chose anything but h2 answers
   * `{ http1: true }` when `http1Ok`, else rejects. Rejects with a classified message.
   */
  async acquire(dial: H2Dial, authority: string, handle: DialHandle, http1Ok: boolean): Promise<Acquired> {
    // each turn finds or opens a session; a session that stopped taking streams sends us round again
    for (;;) {
      if (this.closed) throw new Error("client closed");
      let dialled: Dialled | null = null;
      let s: H2Session | "http/1.1" | undefined = this.sessions.get(dial.key);
      if (s === undefined) {
        let pending = this.dialling.get(dial.key);
        if (pending === undefined) {
          const mine = this.open(dial, authority, handle);
          pending = mine.then((r) => r.session);
          this.dialling.set(dial.key, pending);
          pending.then(
            () => this.dialling.delete(dial.key),
            () => this.dialling.delete(dial.key),
          );
          const r = await mine;
          dialled = r.dialled;
          s = r.session;
        } else s = await pending;
      }
      if (s === "http/1.1") {
        if (http1Ok) return { http1: true, dialled };
        throw new Error(`the server does not speak HTTP/2: ALPN chose ${dialled?.alpn ?? "HTTP/1.1"} (${dial.where}); \`defaults.http.version\` \`http2\` needs it — \`auto\` falls back to HTTP/1.1`);
      }
      const slot = s.acquire();
      if (slot === true || (slot !== false && (await slot))) return { session: s, dialled };
    }
  }

  private async open(dial: H2Dial, authority: string, handle: DialHandle): Promise<{ session: H2Session | "http/1.1"; dialled: Dialled }> {
    const d = await dialH2(dial, handle);
    if (dial.tls !== null && d.alpn !== "h2") {
      // the socket is of no use to the HTTP/1.1 client (its own sockets are Bun's)
      d.socket.destroy();
      return { session: "http/1.1", dialled: { ...d, alpn: d.alpn ?? "no protocol" } };
    }
    if (this.closed) {
      d.socket.destroy();
      throw new Error("client closed");
    }
    const s = new H2Session(dial.key, d, authority, (gone) => {
      if (this.sessions.get(gone.key) === gone) this.sessions.delete(gone.key);
    });
    this.sessions.set(dial.key, s);
    return { session: s, dialled: d };
  }

  /** Closes every session; later requests fail with "client closed". */
  close(): void {
    this.closed = true;
    for (const s of [...this.sessions.values()]) s.close();
    this.sessions.clear();
  }
}
