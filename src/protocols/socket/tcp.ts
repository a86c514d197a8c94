/**
 * One TCP exchange (reference §5.1 `tcp`): connect (no delay), write the payload, read by the
 * `socket:` rule — `read_bytes` (until at least N bytes), `read_until_close` (until the peer's
 * FIN), or else the first chunk — then close. The read phase has its own deadline,
 * `read_timeout` (default: the request timeout); a timed-out read keeps what arrived and fails
 * as `timeout`. The whole exchange is bounded by the request timeout.
 *
 * Phases: blocked = DNS, connecting, sending = writing the payload, waiting = until the first
 * byte, receiving = the rest of the read; duration = sending + waiting + receiving.
 */
import { arm, type Deadline, disarm } from "../../util/deadline-wheel.ts";
import { timeoutMessage } from "../http/errors.ts";
import type { ErrorKind, ProtocolResponse, Timings } from "../types.ts";
import { type Dialer, Link } from "./link.ts";
import type { SocketCallOptions } from "./options.ts";
import { joinChunks, readTimeoutMessage, socketReply, tooLargeMessage } from "./reply.ts";
import type { SocketTarget } from "./target.ts";

const EMPTY = new Uint8Array(0);

export class TcpExchange extends Link implements Deadline {
  deadline = 0;
  private readDeadline = Infinity;
  private tSendStart = 0;
  private tSendEnd = 0;
  private tFirst = 0;
  private readonly chunks: Uint8Array[] = [];
  private got = 0;
  private settle!: (r: ProtocolResponse) => void;

  constructor(
    private readonly url: string,
    private readonly payload: Uint8Array,
    private readonly o: SocketCallOptions,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  run(dialer: Dialer, target: SocketTarget): Promise<ProtocolResponse> {
    const p = new Promise<ProtocolResponse>((resolve) => (this.settle = resolve));
    const route = dialer.route(target);
    if (typeof route === "string") throw new Error(route);
    this.connect(route);
    this.deadline = this.tStart + this.timeoutMs;
    arm(this);
    return p;
  }

  protected ready(): void {
    this.tSendStart = performance.now();
    this.write(this.payload);
    if (this.flushed) this.sent();
  }

  protected override drained(): void {
    if (this.tSendEnd === 0) this.sent();
  }

  private sent(): void {
    this.tSendEnd = performance.now();
    if (this.o.readTimeoutMs !== undefined) {
      this.readDeadline = this.tSendEnd + this.o.readTimeoutMs;
      if (this.readDeadline < this.deadline) this.deadline = this.readDeadline;
    }
  }

  protected received(d: Buffer): void {
    if (this.tFirst === 0) this.tFirst = performance.now();
    const max = this.o.maxBytes;
    if (this.got + d.length > max) {
      this.chunks.push(d.subarray(0, max - this.got));
      this.got = max;
      this.close(false);
      this.finish(tooLargeMessage("the read", max), "message_too_large");
      return;
    }
    this.chunks.push(d);
    this.got += d.length;
    const o = this.o;
    if (o.readBytes !== undefined ? this.got >= o.readBytes : !o.readUntilClose) {
      this.close(true);
      this.finish();
    }
  }

  /** The peer's FIN ends any read (reference: EOF is no error); a transport error fails it. */
  protected ended(error: string | null): void {
    this.finish(error ?? undefined);
  }

  onTimeout(): void {
    if (this.finished) return;
    this.close(false);
    this.finish(this.readDeadline <= this.deadline ? readTimeoutMessage(this.o.readTimeoutMs!) : timeoutMessage(this.timeoutMs), "timeout");
  }

  private finish(error?: string, kind?: ErrorKind): void {
    disarm(this);
    const end = performance.now();
    const t: Timings = { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
    this.connectTimings(t);
    if (this.tSendStart > 0) {
      t.sending = (this.tSendEnd > 0 ? this.tSendEnd : end) - this.tSendStart;
      if (this.tSendEnd > 0) {
        t.waiting = (this.tFirst > 0 ? this.tFirst : end) - this.tSendEnd;
        if (this.tFirst > 0) t.receiving = end - this.tFirst;
      }
    }
    t.duration = t.sending + t.waiting + t.receiving;
    const body = this.got === 0 ? EMPTY : joinChunks(this.chunks, this.got);
    this.settle(socketReply("tcp", this.url, body, t, this.bytesSent, this.bytesReceived, error, kind));
  }
}
