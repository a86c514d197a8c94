/**
 * The aggregator's door (docs/distributed.md): a WebSocket server the parts dial in to. It admits
 * a part only with the right token, protocol, loadr version and plan fingerprint, and only for a
 * segment that fits the test (the announced number of parts, no overlap, no late comer); it keeps
 * one entry per part, merges each numbered batch once (a resent one is acknowledged, not merged
 * again) and lets a part that lost its connection resume where the aggregator's merge stands.
 *
 * What the run does with the parts — the barrier, the ticks, losses, control — is the
 * aggregator's (aggregate-run.ts); this file only speaks to them.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Server, ServerWebSocket } from "bun";
import { parseAddress } from "../control/address.ts";
import type { MetricsDelta } from "../metrics/delta.ts";
import { PROTOCOL_VERSION, ProtocolError, parseFromPart, type Batch, type Hello, type PartStatus, type ToPart } from "./protocol.ts";
import { overlapProblem, type PartSpec } from "./segment-spec.ts";
import { decodeDelta, WireError } from "./wire.ts";

/** A frame this large is refused (a batch of many series and histograms stays far below it). */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** a connection that has not said hello by then is closed */
const HELLO_TIMEOUT_MS = 10_000;
/** how long stop() waits for the parts to take their last frames and hang up */
const CLOSE_WAIT_MS = 2000;

export type PartPhase = "joined" | "ready" | "running" | "done" | "lost";

export interface PartEntry {
  spec: PartSpec;
  instance: string;
  host: string;
  session: string;
  phase: PartPhase;
  /** the highest batch number merged */
  applied: number;
  /** when anything last came from it (ms, this machine's clock) */
  lastSeenMs: number;
  /** `*_reqs` counted in what it sent */
  requests: number;
  status?: PartStatus;
  ws?: ServerWebSocket<SocketData>;
}

interface SocketData {
  entry?: PartEntry;
  remote: string;
  helloTimer?: ReturnType<typeof setTimeout>;
}

export interface HubOptions {
  listen: string;
  parts: number;
  planHash: string;
  version: string;
  testId: string;
  token?: string;
  tls?: { cert: string; key: string };
}

/** What the aggregator hears from its parts. */
export interface HubEvents {
  /** may the test still take new parts? (false once it started) */
  admitting(): boolean;
  joined(e: PartEntry): void;
  ready(e: PartEntry): void;
  /** a new batch: its deltas (checked), the part's status; `final`: its load is over */
  batch(e: PartEntry, deltas: MetricsDelta[], status: PartStatus, final: boolean): void;
  /** its connection closed (it may resume) */
  disconnected(e: PartEntry): void;
  /** a part's frame did not fit (a bug or a foreign client): said once per part */
  problem(line: string): void;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export class Hub {
  readonly entries: PartEntry[] = [];
  /** every open connection, admitted or not (stop() lets each take its last frames) */
  private readonly open = new Set<ServerWebSocket<SocketData>>();
  private allClosed: (() => void) | undefined;
  private readonly server: Server<SocketData>;
  private readonly tokenDigest: Buffer | undefined;
  readonly url: string;

  constructor(
    private readonly o: HubOptions,
    private readonly events: HubEvents,
  ) {
    const a = parseAddress(o.listen);
    this.tokenDigest = o.token === undefined ? undefined : digest(o.token);
    this.server = Bun.serve<SocketData, never>({
      hostname: a.hostname,
      port: a.port,
      tls: o.tls,
      fetch: (req, server) => {
        if (server.upgrade(req, { data: { remote: server.requestIP(req)?.address ?? "?" } })) return undefined;
        return new Response("this is a loadr aggregator: parts join it with `loadr run plan.yaml --segment i/N --join host:port`\n", { status: 426 });
      },
      websocket: {
        maxPayloadLength: MAX_FRAME_BYTES,
        idleTimeout: 0, // liveness is the aggregator's (parts send a batch every second)
        open: (ws) => {
          this.open.add(ws);
          ws.data.helloTimer = setTimeout(() => ws.close(1008, "no hello"), HELLO_TIMEOUT_MS);
        },
        message: (ws, text) => this.message(ws, text),
        close: (ws) => this.closed(ws),
      },
    });
    const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
    this.url = `${o.tls ? "wss" : "ws"}://${host}:${this.server.port}`;
  }

  send(e: PartEntry, m: ToPart): void {
    e.ws?.send(JSON.stringify(m));
  }

  /** Every part still connected and not lost. */
  broadcast(m: ToPart): void {
    const text = JSON.stringify(m);
    for (const e of this.entries) if (e.phase !== "lost") e.ws?.send(text);
  }

  /** Tell every part why the test will not have it (a part that leaves before the start drops out of `entries`). */
  refuseAll(reason: string): void {
    for (const e of [...this.entries]) this.refuse(e, reason);
  }

  /** Tell a part why it is out and hang up. */
  refuse(e: PartEntry, reason: string): void {
    this.send(e, { t: "reject", reason });
    e.ws?.close(1008, "refused");
    e.ws = undefined;
  }

  /** Hang up on every part, giving each up to CLOSE_WAIT_MS to take its last frames (a refusal, an ack). */
  async stop(): Promise<void> {
    for (const ws of this.open) ws.close(1001, "the aggregator is done");
    if (this.open.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.allClosed = r;
        timer = setTimeout(r, CLOSE_WAIT_MS);
      });
      clearTimeout(timer);
    }
    await this.server.stop(true);
  }

  private message(ws: ServerWebSocket<SocketData>, text: string | Buffer): void {
    let m;
    try {
      m = parseFromPart(text);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return this.kick(ws, `${ws.data.remote}: ${err.message}`);
    }
    const entry = ws.data.entry;
    if (m.t === "hello") return entry ? this.kick(ws, `${entry.spec.label}: a second hello`) : this.hello(ws, m);
    if (entry === undefined) return this.kick(ws, `${ws.data.remote}: a ${m.t} before hello`);
    entry.lastSeenMs = Date.now();
    if (m.t === "ready") {
      if (entry.phase === "joined") {
        entry.phase = "ready";
        this.events.ready(entry);
      }
      return;
    }
    this.batch(entry, m);
  }

  private batch(entry: PartEntry, m: Batch): void {
    // a batch already merged (resent after a reconnect): acknowledged again, not merged again
    if (m.seq > entry.applied && entry.phase !== "lost") {
      let deltas: MetricsDelta[];
      try {
        deltas = m.deltas.map(decodeDelta);
      } catch (err) {
        if (!(err instanceof WireError)) throw err;
        this.events.problem(`part ${entry.spec.label} sent a batch that does not fit (${err.message}); it was left out`);
        deltas = [];
      }
      entry.applied = m.seq;
      entry.requests += deltas.reduce((n, d) => n + requestsIn(d), 0);
      entry.status = m.status;
      this.events.batch(entry, deltas, m.status, m.final === true);
    }
    this.send(entry, { t: "ack", seq: m.seq });
  }

  private hello(ws: ServerWebSocket<SocketData>, h: Hello): void {
    clearTimeout(ws.data.helloTimer);
    const reason = this.admission(h);
    if (reason !== undefined) {
      ws.send(JSON.stringify({ t: "reject", reason } satisfies ToPart));
      ws.close(1008, "refused");
      return;
    }
    const resumed = h.resume && this.entries.find((e) => e.session === h.resume!.session);
    const entry: PartEntry = resumed || {
      spec: h.segment,
      instance: h.instance,
      host: h.host,
      session: h.session,
      phase: "joined",
      applied: 0,
      lastSeenMs: Date.now(),
      requests: 0,
    };
    if (resumed) resumed.ws?.close(1000, "replaced by a new connection");
    else this.entries.push(entry);
    entry.ws = ws;
    entry.lastSeenMs = Date.now();
    ws.data.entry = entry;
    ws.send(JSON.stringify({ t: "welcome", test: this.o.testId, acked: entry.applied } satisfies ToPart));
    if (!resumed) this.events.joined(entry);
  }

  /** Why a hello is refused, or undefined (token first: nothing else is told to a stranger). */
  private admission(h: Hello): string | undefined {
    const { o } = this;
    if (this.tokenDigest !== undefined) {
      if (h.token === undefined) return "this aggregator requires a token: give the part the same one (--token-file, or LOADR_TOKEN)";
      if (!timingSafeEqual(digest(h.token), this.tokenDigest)) return "wrong token: the part's token is not the aggregator's (--token-file, or LOADR_TOKEN)";
    }
    if (h.v !== PROTOCOL_VERSION) return `this part speaks scale-out protocol ${h.v}, the aggregator ${PROTOCOL_VERSION}: run the same loadr version everywhere`;
    if (h.loadr !== o.version) return `this part runs loadr ${h.loadr}, the aggregator loadr ${o.version}: run the same version everywhere`;
    if (h.plan !== o.planHash)
      return `this part's plan differs from the aggregator's (fingerprint ${h.plan}, the aggregator's ${o.planHash}): give every part the same plan, files and plan flags (-e, --vus, --duration, --iterations, --tags)`;
    if (h.resume) {
      if (h.resume.test !== o.testId) return "this aggregator runs another test (it restarted?): the part's results cannot join it";
      const e = this.entries.find((x) => x.session === h.resume!.session);
      if (e === undefined) return `segment ${h.segment.label} is not part of this test any more (it left before the start)`;
      if (e.phase === "lost") return `segment ${e.spec.label} was declared lost; what it measures now is not counted`;
      return undefined;
    }
    const spec = h.segment;
    if (spec.of !== undefined && spec.of !== o.parts)
      return `this test has ${o.parts} part${o.parts === 1 ? "" : "s"} (loadr aggregate --parts ${o.parts}), but this part is --segment ${spec.label}: use --segment i/${o.parts}`;
    if (!this.events.admitting()) return `the test has started without segment ${spec.label}: start every part before the aggregator's start barrier ends`;
    const present = this.entries.map((e) => e.spec);
    const clash = overlapProblem(spec, present);
    if (clash !== undefined) return clash;
    if (present.length >= o.parts)
      return `the test already has its ${o.parts} part${o.parts === 1 ? "" : "s"} (${present.map((p) => p.label).join(", ")}): segment ${spec.label} is one too many`;
    return undefined;
  }

  private kick(ws: ServerWebSocket<SocketData>, line: string): void {
    this.events.problem(`${line}: connection closed`);
    ws.close(1008, "protocol error");
  }

  private closed(ws: ServerWebSocket<SocketData>): void {
    clearTimeout(ws.data.helloTimer);
    this.open.delete(ws);
    if (this.open.size === 0) this.allClosed?.();
    const e = ws.data.entry;
    if (e === undefined || e.ws !== ws) return; // never admitted, or already replaced by a resume
    e.ws = undefined;
    // before the start a part that leaves frees its segment for another
    if (e.phase === "joined" || e.phase === "ready") this.entries.splice(this.entries.indexOf(e), 1);
    this.events.disconnected(e);
  }
}

/** Requests in a delta: the `*_reqs` counters (what a lost part had sent, for its report). */
function requestsIn(d: MetricsDelta): number {
  let n = 0;
  for (const s of d.series) if (s.kind === "counter" && s.metric.endsWith("_reqs")) n += s.value;
  return n;
}
