/**
 * The aggregator's run (`loadr aggregate`, docs/distributed.md): in the run session it takes the
 * coordinator's place, with parts on other machines for workers. It waits at the start barrier
 * until every part is ready (or the barrier's deadline: then it starts with those present or
 * gives up, by option), announces the start as "in X ms" (relative, so clock skew between
 * machines does not matter), merges the parts' numbered deltas into one MetricsFeed — thresholds
 * and abort_on_fail are evaluated on the merged whole, once a second — relays stop, pause,
 * resume and scale to every part, and reports a part that dies under the `continue` or `abort`
 * policy. Its summary is the test's.
 *
 * The js module's setup() runs here, once for the whole test (the `setup` hook): once the parts are
 * at the barrier, before the start, whose frame carries its data to every part. A setup() that
 * fails, or returns more than MAX_SETUP_DATA_BYTES, refuses every part: none starts load.
 */
import { randomUUID } from "node:crypto";
import { MetricsFeed } from "../engine/coordinator/metrics-feed.ts";
import { checkScale, RunError, scenarioStatus } from "../engine/coordinator/coordinator.ts";
import type { Plan } from "../plan/schema.ts";
import type { ThresholdSpec } from "../plan/thresholds.ts";
import type { RunState, RunStatus } from "../control/status.ts";
import type { Controllable } from "../control/handler.ts";
import { Hub, type PartEntry } from "./hub.ts";
import { MAX_SETUP_DATA_BYTES, type ControlAction, type ToPart } from "./protocol.ts";
import { tilingGap } from "./segment-spec.ts";

const TICK_MS = 1000;
/** parts flush ~200 ms after each of their seconds; the aggregator ticks after that */
const TICK_PHASE_MS = 400;
/** how far ahead the start is announced: every part hears it before then */
const START_IN_MS = 500;
/** extra wait past the longest graceful_stop (and the loss timeout) for parts to report their end */
const STOP_SLACK_MS = 5000;

/** How an aggregator meets and watches its parts (the `loadr aggregate` flags, src/run/scale-out.ts). */
export interface AggregatePolicy {
  parts: number;
  listen: string;
  token?: string;
  /** how long the start barrier waits for every part to be ready */
  barrierTimeoutMs: number;
  /** at the barrier's deadline: start with the parts that are ready, or give up */
  onBarrierTimeout: "abort" | "start";
  /** a part silent this long after the start is lost */
  partTimeoutMs: number;
  onPartLoss: "continue" | "abort";
}

export interface AggregateOptions extends AggregatePolicy {
  plan: Plan;
  scenarios: string[];
  thresholds: ThresholdSpec[];
  planHash: string;
  version: string;
  /** the certificate and key (PEM) to listen with TLS */
  tls?: { cert: string; key: string };
  /** the js module's setup(), run once past the barrier, before the start: its JSON goes to every part */
  setup?(): Promise<string | undefined>;
  onTick?(feed: MetricsFeed): void;
  /** a part joined, left, resumed: one line each */
  say(line: string): void;
  /** a part lost or misbehaving, a barrier that starts without some: one line each */
  warn(line: string): void;
}

export class AggregateRun implements Controllable {
  readonly feed: MetricsFeed;
  readonly hub: Hub;
  private state: RunState = "starting";
  private paused = false;
  private aborted: string | undefined;
  private stopping = false;
  private startedMs = 0;
  private vusMax = 0;
  private readonly scales = new Map<string, number>();
  private readonly lost: string[] = [];
  /** why the test could not start (the barrier's deadline under `abort`) */
  private failedStart: string | undefined;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private barrierDone!: () => void;
  private readonly barrier = new Promise<void>((r) => (this.barrierDone = r));
  private finish!: () => void;
  private readonly finished = new Promise<void>((r) => (this.finish = r));

  /** Listens at once (a port in use fails here, before anything else starts). */
  constructor(private readonly o: AggregateOptions) {
    // every part's series are its own (tagged `instance`): the plan's bound per metric holds per part
    this.feed = new MetricsFeed(o.scenarios, o.thresholds, o.plan.defaults.max_series * o.parts);
    this.hub = new Hub(
      { listen: o.listen, parts: o.parts, planHash: o.planHash, version: o.version, testId: randomUUID(), token: o.token, tls: o.tls },
      {
        admitting: () => this.state === "starting" && !this.stopping,
        joined: (e) => o.say(`part ${e.spec.label} joined from ${e.host} (${this.hub.entries.length} of ${o.parts})`),
        ready: () => this.checkBarrier(),
        batch: (e, deltas, status, final) => {
          for (const d of deltas) this.feed.merge(d);
          if (final && e.phase !== "done") {
            e.phase = "done";
            this.feed.sawVus(status.vus_max);
            this.checkEnd();
          }
        },
        disconnected: (e) => {
          if (e.phase === "running") o.warn(`part ${e.spec.label} disconnected; waiting up to ${o.partTimeoutMs / 1000} s for it to resume`);
          else if (e.phase === "joined" || e.phase === "ready") o.say(`part ${e.spec.label} left before the start`);
        },
        problem: (line) => o.warn(line),
      },
    );
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** where the parts join (ws:// or wss://) */
  get joinUrl(): string {
    return this.hub.url;
  }

  /** Wait for the parts, start them together, merge until every part is done (or lost). */
  async execute(): Promise<{ aborted?: string; error?: string }> {
    const { o } = this;
    const barrierTimer = setTimeout(() => this.barrierTimedOut(), o.barrierTimeoutMs);
    await Promise.race([this.barrier, this.finished]);
    clearTimeout(barrierTimer); // past the barrier: a slow setup() is not the parts' lateness
    if (this.failedStart !== undefined || this.stopping) return this.end();
    const ready = this.hub.entries.filter((e) => e.phase === "ready");
    const gap = tilingGap(ready.map((e) => e.spec));
    if (gap !== undefined && ready.length === o.parts) {
      const why = `the parts' segments (${ready.map((e) => e.spec.label).join(", ")}) leave ${gap} of the test uncovered: together they must tile 0:1`;
      this.cannotStart(why, new RunError(why));
    }
    const data = await this.runSetup();
    if (this.stopping) return this.end(); // stopped (Ctrl-C, the API) while setup() ran: the parts were refused
    const readyNow = new Set(this.hub.entries.filter((e) => e.phase === "ready").map((e) => e.spec.label));
    const left = ready.filter((e) => !readyNow.has(e.spec.label));
    if (readyNow.size === 0) {
      this.failedStart = "every part left while setup() ran: no load was sent";
      return this.end();
    }
    if (left.length > 0) o.warn(`part${left.length === 1 ? "" : "s"} ${left.map((e) => e.spec.label).join(", ")} left while setup() ran: the test starts without ${left.length === 1 ? "its" : "their"} share of the load`);
    for (const e of [...this.hub.entries]) {
      if (e.phase === "ready") {
        e.phase = "running";
        this.hub.send(e, data === undefined ? { t: "start", in_ms: START_IN_MS } : { t: "start", in_ms: START_IN_MS, data });
      } else this.hub.refuse(e, `the test started without segment ${e.spec.label}: it was not ready by the barrier's deadline`);
    }
    if (this.paused) this.relay({ action: "pause" });
    for (const [scenario, vus] of this.scales) this.relay({ action: "scale", scenario, vus });
    await new Promise((r) => setTimeout(r, START_IN_MS));
    this.feed.start();
    this.startedMs = Date.now();
    if (!this.stopping) this.state = "running";
    const tick = () => {
      this.watchLiveness();
      this.feed.tick(this.running().reduce((n, e) => n + (e.status?.vus ?? 0), 0));
      const abort = this.feed.abortReason();
      if (abort) this.stop(abort);
      o.onTick?.(this.feed);
    };
    let ticker: ReturnType<typeof setInterval> | undefined;
    this.timers.push(setTimeout(() => (ticker = setInterval(tick, TICK_MS)), TICK_PHASE_MS));
    this.checkEnd();
    await this.finished;
    clearInterval(ticker);
    return this.end();
  }

  /** setup()'s data for the start frame; a failure, or data past the bound, refuses every part (none starts). */
  private async runSetup(): Promise<string | undefined> {
    if (!this.o.setup) return undefined;
    let data: string | undefined;
    try {
      data = await this.o.setup();
    } catch (e) {
      this.cannotStart(`no load was sent: ${(e as Error).message}`, e);
    }
    const bytes = data === undefined ? 0 : Buffer.byteLength(data);
    if (bytes > MAX_SETUP_DATA_BYTES) {
      const why = `js module: setup() returned ${mb(bytes)} of data (as JSON); a scale-out test sends it to every part, at most ${mb(MAX_SETUP_DATA_BYTES)}: return less (ids or a file name, not the rows) and let the VUs read the rest with open() or SharedArray`;
      this.cannotStart(`no load was sent: ${why}`, new RunError(why));
    }
    return data;
  }

  /** The test cannot start: every part refused with `refusal`, the timers cleared, `e` thrown (the run ends with it). */
  private cannotStart(refusal: string, e: unknown): never {
    this.hub.refuseAll(refusal);
    this.clearTimers();
    throw e;
  }

  /** Graceful stop of every part; the reason becomes `aborted`. */
  stop(reason: string): void {
    this.aborted ??= reason;
    if (this.stopping) return;
    this.stopping = true;
    if (this.state !== "finished") this.state = "stopping";
    if (this.startedMs === 0) {
      // still at the barrier: nothing ran, and the parts end without starting
      this.hub.refuseAll(`the aggregator stopped before the start (${reason}): no load was sent`);
      return this.finish();
    }
    this.relay({ action: "stop", reason });
    const grace = Math.max(0, ...this.o.scenarios.map((n) => this.o.plan.scenarios[n]!.graceful_stop));
    this.timers.push(
      setTimeout(() => {
        for (const e of this.running()) this.lose(e, `it did not report its end within graceful_stop + ${(STOP_SLACK_MS + this.o.partTimeoutMs) / 1000} s of the stop`);
        this.finish();
      }, grace + STOP_SLACK_MS + this.o.partTimeoutMs),
    );
  }

  /** Hard stop: every part ends now (second Ctrl-C). */
  kill(): void {
    this.relay({ action: "kill", reason: "killed by the aggregator" });
    this.finish();
  }

  pause(): void {
    this.paused = true;
    this.relay({ action: "pause" });
  }

  resume(): void {
    this.paused = false;
    this.relay({ action: "resume" });
  }

  /** The whole test's target: each part takes its share (engine/segments.ts). */
  scale(scenario: string, vus: number): void {
    checkScale(this.o, scenario, vus, this.state);
    this.scales.set(scenario, vus);
    this.relay({ action: "scale", scenario, vus });
  }

  snapshot() {
    return this.feed.lastSnapshot() ?? null;
  }

  scenarioVus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.status().scenarios) out[s.name] = s.active_vus;
    return out;
  }

  status(): RunStatus {
    const live = this.running();
    const vus = live.reduce((n, e) => n + (e.status?.vus ?? 0), 0);
    this.vusMax = Math.max(this.vusMax, vus);
    return {
      state: this.state,
      paused: this.paused,
      elapsed_secs: this.startedMs ? (Date.now() - this.startedMs) / 1000 : 0,
      aborted: this.aborted ?? null,
      workers: live.reduce((n, e) => n + (e.status?.workers ?? 0), 0),
      vus,
      vus_max: this.vusMax,
      scenarios: this.o.scenarios.map((name) =>
        scenarioStatus(
          name,
          this.o.plan,
          live.flatMap((e) => (e.status?.scenarios ?? []).filter((s) => s.name === name).map((s) => ({ phase: s.phase, active: s.active_vus, target: s.target_rate ?? s.target_vus ?? 0 }))),
        ),
      ),
      parts: this.hub.entries.map((e) => ({ segment: e.spec.label, instance: e.instance, host: e.host, state: e.phase, requests: e.requests })),
    };
  }

  /** Parts lost during the run, one line each (for the end of the run). */
  lostParts(): readonly string[] {
    return this.lost;
  }

  private running(): PartEntry[] {
    return this.hub.entries.filter((e) => e.phase === "running");
  }

  private relay(c: ControlAction): void {
    this.hub.broadcast({ t: "control", ...c } as ToPart);
  }

  private checkBarrier(): void {
    const ready = this.hub.entries.filter((e) => e.phase === "ready").length;
    if (ready === this.o.parts) this.barrierDone();
  }

  private barrierTimedOut(): void {
    const { o } = this;
    if (this.state !== "starting" || this.startedMs !== 0) return;
    const ready = this.hub.entries.filter((e) => e.phase === "ready");
    const waitingFor = `${ready.length} of ${o.parts} part${o.parts === 1 ? " was" : "s were"} ready after ${o.barrierTimeoutMs / 1000} s${ready.length ? ` (${ready.map((e) => e.spec.label).join(", ")})` : ""}`;
    if (o.onBarrierTimeout === "start" && ready.length > 0) {
      o.warn(`start barrier: ${waitingFor}; starting with those (--on-barrier-timeout start): the missing parts' share of the load does not run`);
      return this.barrierDone();
    }
    const why = `start barrier: ${waitingFor}; no load was sent (start every part with --join ${this.hub.url.replace(/^wss?:\/\//, "")}, or --on-barrier-timeout start to run with those present)`;
    this.hub.refuseAll("the aggregator gave up at the start barrier");
    this.failedStart = why;
    this.barrierDone();
  }

  /** Parts silent for the loss timeout are lost. */
  private watchLiveness(): void {
    const now = Date.now();
    for (const e of this.running())
      if (now - e.lastSeenMs > this.o.partTimeoutMs) this.lose(e, `nothing came from it for ${this.o.partTimeoutMs / 1000} s${e.ws ? "" : " (its connection closed)"}`);
  }

  private lose(e: PartEntry, why: string): void {
    if (e.phase !== "running") return;
    e.phase = "lost";
    const at = this.startedMs ? ` ${((Date.now() - this.startedMs) / 1000).toFixed(1)} s into the test` : "";
    const line = `part ${e.spec.label} (${e.instance} on ${e.host}) was lost${at}: ${why}; it had sent ${e.applied} batch${e.applied === 1 ? "" : "es"} (${e.requests} requests), which count`;
    this.lost.push(line);
    this.o.warn(line);
    if (e.ws) this.hub.refuse(e, line);
    if (this.o.onPartLoss === "abort") this.stop(`part ${e.spec.label} was lost (--on-part-loss abort)`);
    this.checkEnd();
  }

  private checkEnd(): void {
    if (this.startedMs === 0) return;
    if (this.hub.entries.every((e) => e.phase === "done" || e.phase === "lost")) this.finish();
  }

  private end(): { aborted?: string; error?: string } {
    this.clearTimers();
    if (this.failedStart !== undefined) throw new RunError(this.failedStart);
    if (this.startedMs === 0) this.feed.start();
    this.feed.end();
    this.state = "finished";
    const all = this.hub.entries.length > 0 && this.hub.entries.every((e) => e.phase === "lost");
    return { aborted: this.aborted, error: all ? "every part was lost: nothing was measured to the end" : undefined };
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
