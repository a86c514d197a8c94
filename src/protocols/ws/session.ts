/**
 * One WebSocket session (reference §5.1 `ws`): connect (DNS, TCP, TLS for wss://), the upgrade
 * handshake with the step's headers and subprotocols, the `ws.send` frames in order (each after
 * its `delay`; frames due together in one write), then receive until `receive_count` messages
 * (default: one per frame sent, at least one; unbounded with only `receive_until`), a text
 * message containing `receive_until`, `session_duration` after the last frame (a normal end), the
 * server's close frame (a normal end), or the request timeout (an error). Pings are answered with
 * pongs. We close with 1000.
 *
 * Phases: blocked = DNS, connecting, tls; waiting = the handshake (request written → 101 read);
 * sending = from the handshake to the last frame written (frame delays included); receiving =
 * the rest; duration = waiting + sending + receiving (ws_session_duration).
 *
 * Failures, each with its error_kind: the handshake refused or wrong (`handshake`: the status is
 * the server's), a frame breaking RFC 6455 (`protocol`), a frame or message over
 * `max_message_size` (`message_too_large`), the connection closed without a close frame, or in
 * the middle of a frame (`connection_reset`), the request timeout (`timeout`).
 */
import { createHash, randomBytes } from "node:crypto";
import { disarm } from "../../util/deadline-wheel.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";
import { HeadGatherer, parseAnswerHead } from "../http/answer-head.ts";
import { timeoutMessage } from "../http/errors.ts";
import { lossyText } from "../lossy-text.ts";
import type { ErrorKind, ProtocolRequest, ProtocolResponse, Timings } from "../types.ts";
import { classifyError } from "../types.ts";
import { type Dialer, Link } from "../socket/link.ts";
import type { SocketTarget } from "../socket/target.ts";
import { closeFrame, dataFrames, encodeFrame, type FrameEvents, FrameReader, OP_PONG } from "./frames.ts";
import type { WsCallOptions } from "./options.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const EMPTY = Buffer.alloc(0);
/** a handshake answer's head larger than this is refused (as the HTTP client's) */
const MAX_HEAD = 64 * 1024;
const DEFLATE_OFFER = "permessage-deflate; client_no_context_takeover; server_no_context_takeover";
/** headers the handshake sets itself: a step's own value for them would break the upgrade */
const OWN_HEADERS = new Set(["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions"]);

/**
 * Whether bytes `start` to `end` of `buf` contain `needle`. For valid UTF-8 (text messages are
 * checked) a byte match is a match of the text: UTF-8 never matches in the middle of a character.
 */
function contains(buf: Buffer, start: number, end: number, needle: Buffer): boolean {
  const at = buf.indexOf(needle, start);
  return at >= 0 && at + needle.length <= end;
}

const enum State {
  Connecting,
  Handshake,
  Open,
  Done,
}

export class WsSession extends Link implements FrameEvents {
  private state = State.Connecting;
  private key = "";
  private readonly gatherer = new HeadGatherer(MAX_HEAD);
  private reader!: FrameReader;
  private deflate = false;
  private status = 0;
  private statusText = "";
  private headers: [string, string][] = [];
  private tHsStart = 0;
  private tHsDone = 0;
  private tSendEnd = 0;
  private next = 0;
  private timer: LongTimeout | null = null;
  private msgsSent = 0;
  private msgsReceived = 0;
  private settled = false;
  private target = 1;
  /** the receive rule is met: later messages are not counted (they were sent before we closed) */
  private met = false;
  /** the last message: bytes lastStart to lastEnd of lastBuf (a view made only when it is the body) */
  private lastBuf: Buffer = EMPTY;
  private lastStart = 0;
  private lastEnd = 0;
  private lastBinary = false;
  /** `receive_until` as UTF-8, searched for in the bytes of each text message (no string made per message) */
  private until: Buffer | undefined;
  private closeCode: number | undefined;
  private closeReason: string | undefined;

  constructor(
    private readonly req: ProtocolRequest,
    private readonly t: SocketTarget,
    private readonly o: WsCallOptions,
  ) {
    super();
  }

  run(dialer: Dialer): Promise<ProtocolResponse> {
    return this.start(dialer, this.t, this.req.timeoutMs);
  }

  protected ready(): void {
    this.state = State.Handshake;
    this.key = randomBytes(16).toString("base64");
    const t = this.t;
    let h = `GET ${t.path} HTTP/1.1\r\nHost: ${t.authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n`;
    if (this.o.subprotocols.length > 0) h += `Sec-WebSocket-Protocol: ${this.o.subprotocols.join(", ")}\r\n`;
    if (this.o.deflate) h += `Sec-WebSocket-Extensions: ${DEFLATE_OFFER}\r\n`;
    for (const [k, v] of this.req.headers) if (!OWN_HEADERS.has(k.toLowerCase())) h += `${k}: ${v}\r\n`;
    this.tHsStart = performance.now();
    this.write(h + "\r\n");
  }

  protected received(d: Buffer): void {
    if (this.state === State.Open) {
      if (!this.reader.feed(d)) this.finish(this.reader.error, this.reader.tooLarge ? "message_too_large" : "protocol");
      return;
    }
    const head = this.gatherer.push(d);
    if (head === undefined) return;
    if (head === "too large") {
      this.finish(`websocket handshake failed: the answer's head passed ${MAX_HEAD} bytes`, "handshake");
      return;
    }
    this.tHsDone = performance.now();
    const problem = this.answer(head.text);
    if (problem !== undefined) {
      this.finish(problem, "handshake");
      return;
    }
    this.state = State.Open;
    this.reader = new FrameReader(this, this.o.maxBytes, this.deflate);
    const frames = this.o.frames;
    this.target = this.o.receiveCount ?? (this.o.receiveUntil !== undefined ? Infinity : Math.max(frames.length, 1));
    if (this.o.receiveUntil !== undefined) this.until = Buffer.from(this.o.receiveUntil);
    if (head.rest.length > 0 && !this.reader.feed(head.rest)) {
      this.finish(this.reader.error, this.reader.tooLarge ? "message_too_large" : "protocol");
      return;
    }
    if (this.state === State.Open) this.sendFrames(false);
  }

  /** Checks the handshake answer; a message when it is not a valid upgrade. */
  private answer(head: string): string | undefined {
    const h = parseAnswerHead(head);
    this.status = h.status;
    this.statusText = h.statusText;
    this.headers = h.headers;
    if (h.malformed?.statusLine) return `websocket handshake failed: the answer is not HTTP (${JSON.stringify(h.malformed.line)})`;
    if (h.malformed) return `websocket handshake failed: a malformed header line ${JSON.stringify(h.malformed.line)}`;
    const get = new Map<string, string>();
    for (const [name, value] of h.headers) {
      const k = name.toLowerCase();
      get.set(k, get.has(k) ? `${get.get(k)}, ${value}` : value);
    }
    if (this.status !== 101) return `websocket handshake refused: ${this.status}${this.statusText ? ` ${this.statusText}` : ""} (expected 101 Switching Protocols)`;
    if (!/\bwebsocket\b/i.test(get.get("upgrade") ?? "")) return "websocket handshake failed: the answer has no `Upgrade: websocket`";
    if (!/\bupgrade\b/i.test(get.get("connection") ?? "")) return "websocket handshake failed: the answer has no `Connection: Upgrade`";
    const accept = createHash("sha1").update(this.key + GUID).digest("base64");
    if (get.get("sec-websocket-accept") !== accept) return "websocket handshake failed: wrong Sec-WebSocket-Accept";
    const proto = get.get("sec-websocket-protocol");
    if (proto !== undefined && !this.o.subprotocols.includes(proto)) return `websocket handshake failed: the server chose the subprotocol \`${proto}\`, which was not offered`;
    const ext = get.get("sec-websocket-extensions");
    if (ext !== undefined && ext !== "") {
      const params = ext.split(";").map((s) => s.trim().toLowerCase());
      if (!this.o.deflate || params[0] !== "permessage-deflate") return `websocket handshake failed: the server chose the extension \`${ext}\`, which was not offered`;
      // we read each message on its own: the server must not keep its compression context
      if (!params.includes("server_no_context_takeover")) return "websocket handshake failed: permessage-deflate accepted without server_no_context_takeover";
      this.deflate = true;
    }
    return undefined;
  }

  /**
   * Sends the frames due from `next` on in one write: the next one (`waited`: its delay is over)
   * and those after it with no delay; then waits out the following frame's delay (bounded by the
   * deadline), or, after the last frame, starts the receive phase's rules.
   */
  private sendFrames(waited: boolean): void {
    if (this.state !== State.Open) return;
    const frames = this.o.frames;
    let end = waited ? this.next + 1 : this.next;
    while (end < frames.length && frames[end]!.delayMs <= 0) end++;
    if (end > this.next) {
      this.write(dataFrames(frames, this.next, end, this.deflate));
      this.msgsSent += end - this.next;
      this.next = end;
    }
    if (this.next < frames.length) {
      this.timer = setLongTimeout(() => {
        this.timer = null;
        this.sendFrames(true);
      }, frames[this.next]!.delayMs);
      return;
    }
    if (this.tSendEnd > 0) return;
    this.tSendEnd = performance.now();
    if (this.msgsReceived >= this.target) this.met = true;
    if (this.o.sessionDurationMs !== undefined && this.tSendEnd + this.o.sessionDurationMs <= this.deadline)
      this.timer = setLongTimeout(() => {
        this.timer = null;
        this.finish();
      }, this.o.sessionDurationMs);
    this.check();
  }

  /** After the last frame: end when the receive rule is met. */
  private check(): void {
    if (this.tSendEnd > 0 && this.met) this.finish();
  }

  message(binary: boolean, buf: Buffer, start: number, end: number): void {
    if (this.met) return;
    this.msgsReceived++;
    this.lastBuf = buf;
    this.lastStart = start;
    this.lastEnd = end;
    this.lastBinary = binary;
    if (this.msgsReceived >= this.target || (!binary && this.until !== undefined && contains(buf, start, end, this.until))) {
      this.met = true;
      this.check();
    }
  }

  ping(data: Uint8Array): void {
    this.write(encodeFrame(OP_PONG, data));
  }

  serverClose(code: number | undefined, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
    // answer the close (echoing its code) and end: the server ended the session, a normal end
    this.write(closeFrame(code ?? 1000));
    this.state = State.Done;
    this.finish();
  }

  protected ended(error: string | null): void {
    if (error !== null) this.finish(error);
    else if (this.state === State.Open)
      this.finish(this.reader.midFrame ? "websocket connection closed by the server in the middle of a frame" : "websocket connection closed by the server without a close frame", "connection_reset");
    else this.finish("websocket connection closed by the server during the handshake", "connection_reset");
  }

  onTimeout(): void {
    this.finish(timeoutMessage(this.req.timeoutMs), "timeout");
  }

  /** Ends the session once: `error` undefined is a normal end (we close with 1000 unless the server closed first). */
  private finish(error?: string, kind?: ErrorKind): void {
    if (this.settled) return;
    this.settled = true;
    disarm(this);
    if (this.timer !== null) this.timer.clear();
    this.timer = null;
    const end = performance.now();
    if (this.state === State.Open && error === undefined) this.write(closeFrame(1000));
    this.state = State.Done;
    this.close(error === undefined);
    const t: Timings = { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
    this.connectTimings(t);
    if (this.tHsStart > 0) {
      t.waiting = (this.tHsDone > 0 ? this.tHsDone : end) - this.tHsStart;
      if (this.tHsDone > 0) {
        const sentAt = this.tSendEnd > 0 ? this.tSendEnd : end;
        t.sending = sentAt - this.tHsDone;
        t.receiving = end - sentAt;
      }
    }
    t.duration = t.waiting + t.sending + t.receiving;
    const last = this.lastBuf.subarray(this.lastStart, this.lastEnd);
    const r: ProtocolResponse = {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      body: last,
      timings: t,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      protocolVersion: "ws",
      url: this.req.url,
      extras: {
        msgs_sent: this.msgsSent,
        msgs_received: this.msgsReceived,
        last_message: this.msgsReceived > 0 && !this.lastBinary ? lossyText(last) : null,
        close_code: this.closeCode ?? null,
        close_reason: this.closeReason ?? null,
      },
    };
    if (error !== undefined) {
      r.error = error;
      r.errorKind = kind ?? classifyError(error);
    }
    this.settle(r);
  }
}
