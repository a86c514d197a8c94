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
import { disarm } from "../../util/deadline-wheel.ts";
import { timeoutMessage } from "../http/errors.ts";
import type { ErrorKind, ProtocolResponse, Timings } from "../types.ts";
import { type Dialer, Link } from "./link.ts";
import type { SocketCallOptions } from "./options.ts";
import { CappedRead, exchangePhases, readTimeoutMessage, socketReply, tooLargeMessage } from "./reply.ts";
import type { SocketTarget } from "./target.ts";

export class TcpExchange extends Link {
  private readDeadline = Infinity;
  private tSendStart = 0;
  private tSendEnd = 0;
  private tFirst = 0;
  private readonly read: CappedRead;

  constructor(
    private readonly url: string,
    private readonly payload: Uint8Array,
    private readonly o: SocketCallOptions,
    private readonly timeoutMs: number,
  ) {
    super();
    this.read = new CappedRead(o.maxBytes);
  }

  run(dialer: Dialer, target: SocketTarget): Promise<ProtocolResponse> {
    return this.start(dialer, target, this.timeoutMs);
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
    if (!this.read.add(d)) {
      this.close(false);
      this.finish(tooLargeMessage("the read", this.o.maxBytes), "message_too_large");
      return;
    }
    const o = this.o;
    if (o.readBytes !== undefined ? this.read.got >= o.readBytes : !o.readUntilClose) {
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
    exchangePhases(t, this.tSendStart, this.tSendEnd, this.tFirst, end);
    const body = this.read.body();
    this.settle(socketReply("tcp", this.url, body, t, this.bytesSent, this.bytesReceived, error, kind));
  }
}
