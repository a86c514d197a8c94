/**
 * One Server-Sent Events stream (reference §5.1 `sse`): an HTTP/1.1 GET with `Accept:
 * text/event-stream`, `Cache-Control: no-cache`, `Connection: keep-alive` and the step's headers,
 * then the body read as events (parser.ts) until `sse.events` events, an event whose data contains
 * `sse.until`, `sse.duration`, the server closing the stream, or the request timeout — each a
 * normal end once at least one event came. A stream that ends before its first event fails
 * (`no_events`); so does an answer that is no stream (1xx/3xx, 204). A status ≥ 400 ends the
 * request at once, failed by its status (its body is not read).
 *
 * Phases: blocked = DNS, connecting, tls, sending = writing the request, waiting = until the
 * answer's head, receiving = the stream; duration = sending + waiting + receiving. The time to
 * the first event is counted from the request written.
 */
import { arm, type Deadline, disarm } from "../../util/deadline-wheel.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";
import { ChunkedDecoder } from "../http/chunked.ts";
import { formatDuration, timeoutMessage } from "../http/errors.ts";
import { classifyError, type ErrorKind, type ProtocolRequest, type ProtocolResponse, type Timings } from "../types.ts";
import { type Dialer, Link } from "../socket/link.ts";
import { tooLargeMessage } from "../socket/reply.ts";
import type { SocketTarget } from "../socket/target.ts";
import type { SseCallOptions } from "./options.ts";
import { type SseEvent, SseParser } from "./parser.ts";

/** at most this many events are kept in `extras.events` (reference: the first 100) */
export const EVENTS_KEPT = 100;
const MAX_HEAD = 64 * 1024;
const encoder = new TextEncoder();
/** the request headers the stream sets, unless the step gives its own */
const STREAM_HEADERS: [string, string][] = [
  ["Accept", "text/event-stream"],
  ["Cache-Control", "no-cache"],
  ["Connection", "keep-alive"],
];

const enum Body {
  Chunked,
  Length,
  UntilClose,
}

export interface SseExtras {
  events_received: number;
  last_event: SseEvent | null;
  events: SseEvent[];
  /** ms from the request written to the first event; null without one */
  first_event_ms: number | null;
  retry: number | null;
}

export class SseStream extends Link implements Deadline {
  deadline = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tSendStart = 0;
  private tSendEnd = 0;
  private tHead = 0;
  private tFirstEvent = 0;
  private status = 0;
  private statusText = "";
  private headers: [string, string][] = [];
  private body = Body.UntilClose;
  private left = 0;
  private chunked: ChunkedDecoder | null = null;
  private readonly parts: Uint8Array[] = [];
  private parser!: SseParser;
  private count = 0;
  private readonly kept: SseEvent[] = [];
  private last: SseEvent | null = null;
  private timer: LongTimeout | null = null;
  private settled = false;
  private settle!: (r: ProtocolResponse) => void;

  constructor(
    private readonly req: ProtocolRequest,
    private readonly t: SocketTarget,
    private readonly o: SseCallOptions,
  ) {
    super();
  }

  run(dialer: Dialer): Promise<ProtocolResponse> {
    const p = new Promise<ProtocolResponse>((resolve) => (this.settle = resolve));
    const route = dialer.route(this.t);
    if (typeof route === "string") throw new Error(route);
    this.connect(route);
    this.deadline = this.tStart + this.req.timeoutMs;
    arm(this);
    return p;
  }

  protected ready(): void {
    const t = this.t;
    const own = new Set(this.req.headers.map(([k]) => k.toLowerCase()));
    let h = `GET ${t.path} HTTP/1.1\r\nHost: ${t.authority}\r\n`;
    for (const [k, v] of STREAM_HEADERS) if (!own.has(k.toLowerCase())) h += `${k}: ${v}\r\n`;
    for (const [k, v] of this.req.headers) if (k.toLowerCase() !== "host") h += `${k}: ${v}\r\n`;
    this.tSendStart = performance.now();
    this.write(h + "\r\n");
    this.tSendEnd = performance.now();
  }

  protected received(d: Buffer): void {
    if (this.tHead > 0) {
      this.bodyBytes(d);
      return;
    }
    this.head.push(d);
    this.headBytes += d.length;
    const buf = this.head.length === 1 ? d : Buffer.concat(this.head, this.headBytes);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.headBytes > MAX_HEAD) this.finish(`invalid HTTP response: the head passed ${MAX_HEAD} bytes`, "transport");
      else if (this.head.length > 1) this.head = [buf];
      return;
    }
    this.head = [];
    this.tHead = performance.now();
    const problem = this.answer(buf.toString("latin1", 0, end));
    if (problem !== undefined) {
      this.finish(problem[0], problem[1]);
      return;
    }
    if (this.status >= 400) {
      this.finish();
      return;
    }
    this.parser = new SseParser(this.o.maxBytes, (e) => this.event(e));
    if (this.o.durationMs !== undefined && this.tHead + this.o.durationMs < this.deadline)
      this.timer = setLongTimeout(() => this.finish(undefined, undefined, `within sse.duration ${formatDuration(this.o.durationMs!)}`), this.o.durationMs);
    if (end + 4 < buf.length) this.bodyBytes(buf.subarray(end + 4));
    else if (this.body === Body.Length && this.left === 0) this.finish(undefined, undefined, "before the stream ended");
  }

  /** The answer's status line and headers; [message, kind] when it is not a stream to read. */
  private answer(head: string): [string, ErrorKind] | undefined {
    const lines = head.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (m === null) return [`invalid HTTP response: the status line is ${JSON.stringify(lines[0]!.slice(0, 60))}`, "transport"];
    this.status = Number(m[1]);
    this.statusText = m[2] ?? "";
    let chunked = false;
    let length = -1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const c = line.indexOf(":");
      if (c <= 0) return [`invalid HTTP response: a malformed header line ${JSON.stringify(line.slice(0, 60))}`, "transport"];
      const name = line.slice(0, c);
      const value = line.slice(c + 1).trim();
      this.headers.push([name, value]);
      const k = name.toLowerCase();
      if (k === "transfer-encoding") chunked = /\bchunked\b/i.test(value);
      else if (k === "content-length") length = /^\d+$/.test(value) ? Number(value) : -2;
    }
    if (length === -2) return ["invalid HTTP response: a malformed Content-Length", "transport"];
    if (this.status < 400 && (this.status < 200 || this.status >= 300 || this.status === 204))
      return [`sse: the server answered ${this.status}${this.statusText ? ` ${this.statusText}` : ""}, not an event stream`, "no_events"];
    if (chunked) {
      this.body = Body.Chunked;
      this.chunked = new ChunkedDecoder();
    } else if (length >= 0) {
      this.body = Body.Length;
      this.left = length;
    }
    return undefined;
  }

  private bodyBytes(d: Uint8Array): void {
    if (this.body === Body.Chunked) {
      const dec = this.chunked!;
      const parts = this.parts;
      parts.length = 0;
      if (dec.feed(d, 0, parts) < 0) {
        this.finish(`invalid HTTP response: ${dec.error}`, "transport");
        return;
      }
      for (const p of parts) if (!this.parse(p)) return;
      if (dec.done) this.finish(undefined, undefined, "before the stream ended");
      return;
    }
    if (this.body === Body.Length) {
      const take = d.length > this.left ? d.subarray(0, this.left) : d;
      this.left -= take.length;
      if (!this.parse(take)) return;
      if (this.left === 0) this.finish(undefined, undefined, "before the stream ended");
      return;
    }
    this.parse(d);
  }

  /** Feeds the parser; false once the read is over. */
  private parse(bytes: Uint8Array): boolean {
    if (this.settled) return false;
    if (this.parser.push(bytes)) return !this.settled;
    if (this.parser.tooLarge) this.finish(tooLargeMessage("an SSE event", this.o.maxBytes), "message_too_large");
    return false;
  }

  private event(e: SseEvent): boolean {
    if (this.count === 0) this.tFirstEvent = performance.now();
    this.count++;
    this.last = e;
    if (this.kept.length < EVENTS_KEPT) this.kept.push(e);
    const o = this.o;
    if ((o.until !== undefined && e.data.includes(o.until)) || (o.events !== undefined && this.count >= o.events)) {
      this.finish();
      return false;
    }
    return true;
  }

  protected ended(error: string | null): void {
    if (error !== null) this.finish(error);
    else if (this.tHead === 0) this.finish("connection closed before message completed");
    else this.finish(undefined, undefined, "before the stream closed");
  }

  onTimeout(): void {
    if (this.tHead === 0) this.finish(timeoutMessage(this.req.timeoutMs), "timeout");
    else this.finish(undefined, undefined, `within the request timeout (${formatDuration(this.req.timeoutMs)})`);
  }

  /**
   * Ends the stream once. `error` set: a failure. Else a normal end — unless no event came, which
   * fails as `no_events`, `noEventWhen` saying when the stream ended (`before the stream closed`).
   */
  private finish(error?: string, kind?: ErrorKind, noEventWhen?: string): void {
    if (this.settled) return;
    this.settled = true;
    disarm(this);
    if (this.timer !== null) this.timer.clear();
    this.timer = null;
    this.close(false);
    const end = performance.now();
    if (error === undefined && this.count === 0 && this.status < 400) {
      error = `sse: no event ${noEventWhen ?? "before the stream ended"}`;
      kind = "no_events";
    }
    const t: Timings = { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
    this.connectTimings(t);
    if (this.tSendStart > 0) {
      t.sending = this.tSendEnd - this.tSendStart;
      t.waiting = (this.tHead > 0 ? this.tHead : end) - this.tSendEnd;
      if (this.tHead > 0) t.receiving = end - this.tHead;
    }
    t.duration = t.sending + t.waiting + t.receiving;
    const extras: SseExtras = {
      events_received: this.count,
      last_event: this.last,
      events: this.kept,
      first_event_ms: this.tFirstEvent > 0 ? this.tFirstEvent - this.tSendEnd : null,
      retry: this.parser?.retry ?? null,
    };
    const r: ProtocolResponse = {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      body: this.last !== null ? encoder.encode(this.last.data) : new Uint8Array(0),
      timings: t,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      protocolVersion: "sse",
      url: this.req.url,
      extras,
    };
    if (error !== undefined) {
      r.error = error;
      r.errorKind = kind ?? classifyError(error);
    }
    this.settle(r);
  }
}
