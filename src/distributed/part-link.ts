/**
 * A part's line to its aggregator (`loadr run --segment i/N --join host:port`,
 * docs/distributed.md). It dials in (retrying until the aggregator answers, or the join timeout),
 * says hello (token, protocol, loadr version, plan fingerprint, segment), waits at the start
 * barrier, then sends the coordinator's deltas once a second as numbered batches. A batch stays
 * in the outbox until the aggregator acknowledges it: after a dropped connection the part
 * reconnects, resumes, and resends exactly what was not merged. Control (stop, kill, pause,
 * resume, scale) comes back the same way.
 *
 * The part never starts load without the aggregator's start.
 */
import type { MetricsDelta } from "../metrics/delta.ts";
import { PROTOCOL_VERSION, ProtocolError, parseFromAggregator, type Batch, type ControlAction, type Hello, type PartStatus, type ToAggregator } from "./protocol.ts";
import { encodeDelta, type WireDelta } from "./wire.ts";

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2000;
/** how long one connection attempt (open + welcome) may take */
const ATTEMPT_MS = 5000;

export interface JoinOptions {
  /** `host:port`, or a ws:// / wss:// URL */
  address: string;
  /** trust this CA (PEM) for a wss:// aggregator */
  tlsCa?: string;
  token?: string;
  /** how long to keep trying to reach the aggregator: at the start, and after a dropped connection */
  timeoutMs: number;
  hello: Omit<Hello, "t" | "v" | "token" | "resume" | "session">;
  /** a dropped connection, a resume: one line each */
  say(line: string): void;
}

/** The aggregator refused this part, or could not be reached: one line saying which and why. */
export class JoinError extends Error {}

type Attempt = { ok: true; ws: WebSocket; test: string; acked: number } | { ok: false; refused?: string; why?: string };

export class PartLink {
  /** what the aggregator asks of this part */
  onControl: (c: ControlAction) => void = () => {};
  private readonly session = crypto.randomUUID();
  private ws: WebSocket | undefined;
  private test = "";
  private seq = 0;
  private deltas: WireDelta[] = [];
  private outbox: { seq: number; text: string }[] = [];
  private readySent = false;
  private started = false;
  private closing = false;
  private finalSent = false;
  /** the last batch is acknowledged: a dropped connection no longer matters */
  private delivered = false;
  /** why this part cannot go on (refused mid-run, the aggregator gone for good) */
  private fatal: string | undefined;
  private startGate: { resolve(data: string | undefined): void; reject(e: Error): void } | undefined;
  private drained: (() => void) | undefined;
  readonly url: string;

  private constructor(private readonly o: JoinOptions) {
    this.url = /^wss?:\/\//.test(o.address) ? o.address : `${o.tlsCa !== undefined ? "wss" : "ws"}://${o.address}`;
  }

  /** Dial in and be welcomed; a refusal or no answer within the timeout is a JoinError. */
  static async join(o: JoinOptions): Promise<PartLink> {
    const link = new PartLink(o);
    await link.connect();
    return link;
  }

  /**
   * Workers are ready: say so and wait for the start (a refusal or a lost aggregator rejects).
   * Resolves with the js module's setup() data (JSON), which the aggregator ran once for the test.
   */
  gate(): Promise<string | undefined> {
    return new Promise<string | undefined>((resolve, reject) => {
      if (this.fatal !== undefined) return reject(new JoinError(this.fatal));
      this.startGate = { resolve, reject };
      this.readySent = true;
      this.send({ t: "ready" });
    });
  }

  /** A worker delta, into the next batch. */
  push(delta: MetricsDelta): void {
    this.deltas.push(encodeDelta(delta));
  }

  /** Once a second (and at the end, `final`): seal a batch and send it; it is kept until acknowledged. */
  flush(status: PartStatus, final = false): void {
    if (this.fatal !== undefined) return;
    const batch: Batch = { t: "batch", seq: ++this.seq, deltas: this.deltas, status };
    if (final) batch.final = this.finalSent = true;
    this.deltas = [];
    const text = JSON.stringify(batch);
    this.outbox.push({ seq: batch.seq, text });
    this.ws?.send(text);
  }

  /** Send the last batch and wait until the aggregator has merged everything (or the join timeout). */
  async finish(status: PartStatus): Promise<void> {
    if (!this.started) return; // stopped at the barrier: nothing ran, nothing to deliver
    this.flush(status, true);
    if (this.outbox.length > 0 && this.fatal === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.drained = r;
        timer = setTimeout(r, this.o.timeoutMs);
      });
      clearTimeout(timer);
    }
    if (this.fatal !== undefined) throw new JoinError(this.fatal);
    if (this.outbox.length > 0)
      throw new JoinError(`the aggregator at ${this.o.address} did not acknowledge this part's last ${this.outbox.length} second(s) of results within ${this.o.timeoutMs / 1000} s`);
  }

  close(): void {
    this.closing = true;
    this.ws?.close(1000, "done");
    this.startGate?.reject(new JoinError("the part closed before the start"));
  }

  private send(m: ToAggregator): void {
    this.ws?.send(JSON.stringify(m));
  }

  /** Connect until welcomed, a refusal, or the timeout. */
  private async connect(): Promise<void> {
    const deadline = Date.now() + this.o.timeoutMs;
    let wait = RETRY_MIN_MS;
    let last = "";
    for (;;) {
      const a = await this.attempt();
      if (a.ok) return this.attach(a.ws, a.test, a.acked);
      if (a.refused !== undefined) throw new JoinError(`the aggregator at ${this.o.address} refused this part: ${a.refused}`);
      last = a.why ?? "";
      if (this.closing) throw new JoinError("the part is closing");
      if (Date.now() + wait > deadline)
        throw new JoinError(`no aggregator answered at ${this.o.address} within ${this.o.timeoutMs / 1000} s (${last}): is \`loadr aggregate\` running there, and the port open?`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(RETRY_MAX_MS, wait * 2);
    }
  }

  private attempt(): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const done = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!a.ok) ws.close();
        resolve(a);
      };
      const ws = new WebSocket(this.url, this.o.tlsCa !== undefined ? { tls: { ca: this.o.tlsCa } } : {});
      const timer = setTimeout(() => done({ ok: false, why: "no welcome in time" }), ATTEMPT_MS);
      ws.onopen = () => {
        const hello: Hello = { t: "hello", v: PROTOCOL_VERSION, ...this.o.hello, session: this.session };
        if (this.o.token !== undefined) hello.token = this.o.token;
        if (this.started) hello.resume = { test: this.test, session: this.session };
        ws.send(JSON.stringify(hello));
      };
      ws.onmessage = (e) => {
        let m;
        try {
          m = parseFromAggregator(e.data as string);
        } catch (err) {
          return done({ ok: false, refused: `it sent a frame this part does not understand (${(err as ProtocolError).message}): is that a loadr aggregator of the same version?` });
        }
        if (m.t === "welcome") done({ ok: true, ws, test: m.test, acked: m.acked });
        else if (m.t === "reject") done({ ok: false, refused: m.reason });
      };
      ws.onerror = (e) => done({ ok: false, why: (e as ErrorEvent).message || "connection failed" });
      ws.onclose = (e) => done({ ok: false, why: `connection closed${e.reason ? `: ${e.reason}` : ""}` });
    });
  }

  /** Welcomed: route the aggregator's messages, resend what it has not merged, watch for a drop. */
  private attach(ws: WebSocket, test: string, acked: number): void {
    this.ws = ws;
    this.test = test;
    this.outbox = this.outbox.filter((b) => b.seq > acked);
    if (this.readySent && !this.started) this.send({ t: "ready" });
    for (const b of this.outbox) ws.send(b.text);
    this.drainedCheck();
    ws.onmessage = (e) => {
      let m;
      try {
        m = parseFromAggregator(e.data as string);
      } catch {
        return;
      }
      switch (m.t) {
        case "start":
          if (this.started) return;
          this.started = true;
          setTimeout(() => this.startGate?.resolve(m.data), m.in_ms);
          return;
        case "ack":
          this.outbox = this.outbox.filter((b) => b.seq > m.seq);
          return this.drainedCheck();
        case "control":
          return this.onControl(m);
        case "reject":
          return this.fail(`the aggregator ended this part: ${m.reason}`);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.closing || this.delivered || this.fatal !== undefined) return;
      this.o.say(`lost the connection to the aggregator at ${this.o.address}; reconnecting (for up to ${this.o.timeoutMs / 1000} s)`);
      this.connect().then(
        () => this.o.say("reconnected to the aggregator; resending what it had not merged"),
        (e: Error) => this.fail(e.message),
      );
    };
  }

  private drainedCheck(): void {
    if (this.outbox.length > 0) return;
    if (this.finalSent) this.delivered = true;
    this.drained?.();
  }

  /** This part cannot go on: the start (refused) or the end says why; a load already going stops. */
  private fail(why: string): void {
    if (this.fatal !== undefined || this.closing) return;
    this.fatal = why;
    this.drained?.();
    if (this.started) this.onControl({ action: "stop", reason: why });
    else this.startGate?.reject(new JoinError(why));
    this.ws?.close();
  }
}
