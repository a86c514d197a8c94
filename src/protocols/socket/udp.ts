/**
 * One UDP exchange (reference §5.1 `udp`): a fresh socket connected to the target, one datagram
 * sent, then datagrams read — until `read_bytes` bytes, else the first one — within
 * `read_timeout` (default: the request timeout). A fresh socket per exchange, so a late answer to
 * an earlier request is never taken for this one's.
 *
 * Nothing listening on the port: the kernel's ICMP "port unreachable" reaches the socket as
 * ECONNREFUSED, a `connection_refused` failure. Bun 1.4.4 crashes the process on that error
 * unless the socket has an `error` handler, and passes the error alone, not (socket, error)
 * (src/outputs/statsd.ts meets the same).
 *
 * Phases: blocked = DNS and opening the socket, sending, waiting = until the first datagram,
 * receiving = the rest; duration = sending + waiting + receiving.
 */
import type { udp } from "bun";
import { arm, type Deadline, disarm } from "../../util/deadline-wheel.ts";
import { socketErrorMessage, timeoutMessage } from "../http/errors.ts";
import { pinAddress, resolveHost } from "../http/resolve.ts";
import type { HttpClientOptions } from "../http/options.ts";
import type { ErrorKind, ProtocolResponse, Timings } from "../types.ts";
import type { SocketCallOptions } from "./options.ts";
import { joinChunks, readTimeoutMessage, socketReply, tooLargeMessage } from "./reply.ts";
import type { SocketTarget } from "./target.ts";

const EMPTY = new Uint8Array(0);

type UdpSock = udp.ConnectedSocket<"buffer">;

export class UdpExchange implements Deadline {
  deadline = 0;
  private readDeadline = Infinity;
  private tStart = 0;
  private tSendStart = 0;
  private tSendEnd = 0;
  private tFirst = 0;
  private readonly chunks: Uint8Array[] = [];
  private got = 0;
  private sent = 0;
  private done = false;
  private sock: UdpSock | null = null;
  private settle!: (r: ProtocolResponse) => void;

  constructor(
    private readonly url: string,
    private readonly payload: Uint8Array,
    private readonly o: SocketCallOptions,
    private readonly timeoutMs: number,
  ) {}

  run(hosts: HttpClientOptions["hosts"], target: SocketTarget): Promise<ProtocolResponse> {
    const p = new Promise<ProtocolResponse>((resolve) => (this.settle = resolve));
    this.tStart = performance.now();
    this.deadline = this.tStart + this.timeoutMs;
    arm(this);
    const a = pinAddress(hosts, target.hostname, target.port);
    const where = `${a.host}:${a.port}`;
    const open = (ip: string) => {
      if (this.done) return;
      Bun.udpSocket({
        hostname: ip.includes(":") ? "::" : "0.0.0.0",
        connect: { hostname: ip, port: a.port },
        socket: {
          data: (_s, d) => this.received(d),
          // Bun 1.4.4 passes the error alone, where bun-types declare (socket, error)
          error: (...args: unknown[]) => this.finish(socketErrorMessage(args.find((x) => x instanceof Error) ?? args[0], where)),
        },
      }).then(
        (s) => this.opened(s as UdpSock),
        (e: Error) => this.finish(`cannot open a UDP socket: ${e.message}`),
      );
    };
    let ip: string | Promise<string>;
    try {
      ip = resolveHost(a.host);
    } catch (e) {
      ip = Promise.reject(e as Error);
    }
    if (typeof ip === "string") open(ip);
    else ip.then(open, (e: Error) => this.finish(e.message));
    return p;
  }

  private opened(s: UdpSock): void {
    if (this.done) {
      s.close();
      return;
    }
    this.sock = s;
    this.tSendStart = performance.now();
    if (!s.send(this.payload)) {
      this.finish(`send failed: the datagram of ${this.payload.length} bytes was not sent`);
      return;
    }
    this.sent = this.payload.length;
    this.tSendEnd = performance.now();
    if (this.o.readTimeoutMs !== undefined) {
      this.readDeadline = this.tSendEnd + this.o.readTimeoutMs;
      if (this.readDeadline < this.deadline) this.deadline = this.readDeadline;
    }
  }

  private received(d: Buffer): void {
    if (this.done) return;
    if (this.tFirst === 0) this.tFirst = performance.now();
    const max = this.o.maxBytes;
    if (this.got + d.length > max) {
      this.chunks.push(d.subarray(0, max - this.got));
      this.got = max;
      this.finish(tooLargeMessage("the read", max), "message_too_large");
      return;
    }
    this.chunks.push(d);
    this.got += d.length;
    if (this.o.readBytes === undefined || this.got >= this.o.readBytes) this.finish();
  }

  onTimeout(): void {
    this.finish(this.readDeadline <= this.deadline ? readTimeoutMessage(this.o.readTimeoutMs!) : timeoutMessage(this.timeoutMs), "timeout");
  }

  private finish(error?: string, kind?: ErrorKind): void {
    if (this.done) return;
    this.done = true;
    disarm(this);
    this.sock?.close();
    this.sock = null;
    const end = performance.now();
    const t: Timings = { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
    t.blocked = (this.tSendStart > 0 ? this.tSendStart : end) - this.tStart;
    if (this.tSendStart > 0) {
      t.sending = (this.tSendEnd > 0 ? this.tSendEnd : end) - this.tSendStart;
      if (this.tSendEnd > 0) {
        t.waiting = (this.tFirst > 0 ? this.tFirst : end) - this.tSendEnd;
        if (this.tFirst > 0) t.receiving = end - this.tFirst;
      }
    }
    t.duration = t.sending + t.waiting + t.receiving;
    const body = this.got === 0 ? EMPTY : joinChunks(this.chunks, this.got);
    this.settle(socketReply("udp", this.url, body, t, this.sent, this.got, error, kind));
  }
}
