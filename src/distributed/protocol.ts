/**
 * The messages between a part (`loadr run --segment i/N --join host:port`) and its aggregator
 * (`loadr aggregate`), one JSON object per WebSocket text frame (docs/distributed.md "Protocol").
 *
 *   part → aggregator: hello, ready, batch (seq-numbered metric deltas + live status; `final` last)
 *   aggregator → part: welcome | reject, start (in ms, with setup()'s data), ack (seq), control
 *
 * A part's batches are numbered from 1; the aggregator merges each number once and acknowledges
 * it, and a part that reconnects resends what was not acknowledged — so a reconnect never counts
 * twice and never loses a second. Parsing checks every field a receiver reads.
 */
import type { Part } from "../engine/segments.ts";
import type { ScenarioStatus } from "../control/status.ts";
import type { WireDelta } from "./wire.ts";

/** 2: the start carries the js module's setup() data (a part of protocol 1 would run without it) */
export const PROTOCOL_VERSION = 2;

/**
 * The most setup() data (its JSON, in UTF-8 bytes) a scale-out test sends to its parts: it goes
 * to every part in the start frame, to each of their workers, and each VU parses its own copy.
 */
export const MAX_SETUP_DATA_BYTES = 16 * 1024 * 1024;

/** What a part says it is and runs. */
export interface Hello {
  t: "hello";
  v: number;
  /** loadr's version (a mismatch is refused: the parts and the aggregator must read plans alike) */
  loadr: string;
  /** plan-hash.ts of the plan after overlays, overrides and the tag filter */
  plan: string;
  segment: { label: string; part: Part; of?: number };
  /** the `instance` tag of its samples */
  instance: string;
  host: string;
  token?: string;
  /** a part reconnecting after the start: the test it ran in and its own session nonce */
  resume?: { test: string; session: string };
  session: string;
}

/** A part's live state, with every batch (summed into the aggregator's status and dashboard). */
export interface PartStatus {
  vus: number;
  vus_max: number;
  workers: number;
  scenarios: ScenarioStatus[];
}

export interface Batch {
  t: "batch";
  seq: number;
  deltas: WireDelta[];
  status: PartStatus;
  /** the part's last batch: its load is over */
  final?: boolean;
}

export type ToAggregator = Hello | { t: "ready" } | Batch;

export type ControlAction =
  | { action: "stop"; reason: string }
  | { action: "kill"; reason: string }
  | { action: "pause" }
  | { action: "resume" }
  /** the whole test's VU target; each part takes its share (engine/segments.ts) */
  | { action: "scale"; scenario: string; vus: number };

export type ToPart =
  /** acked: the highest batch number already merged (a resuming part drops those) */
  | { t: "welcome"; test: string; acked: number }
  | { t: "reject"; reason: string }
  /**
   * start the load this many ms after receiving this (relative: clock skew between machines does
   * not matter); `data`: the js module's setup() result as JSON, run once on the aggregator
   */
  | { t: "start"; in_ms: number; data?: string }
  | { t: "ack"; seq: number }
  | ({ t: "control" } & ControlAction);

export class ProtocolError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isInt = (v: unknown, min = 0): v is number => Number.isSafeInteger(v) && (v as number) >= min;

function frame(text: string | Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(typeof text === "string" ? text : text.toString("utf8"));
  } catch {
    throw new ProtocolError("a frame is not JSON");
  }
  if (!isObj(v) || !isStr(v.t)) throw new ProtocolError("a frame is not a loadr scale-out message");
  return v;
}

function part(v: unknown): Part {
  if (!isObj(v) || !isInt(v.den, 1) || !isInt(v.from) || !isInt(v.to, 1) || v.from >= v.to || v.to > v.den) throw new ProtocolError("hello: bad segment");
  return { den: v.den, from: v.from, to: v.to };
}

function status(v: unknown): PartStatus {
  if (!isObj(v) || !isInt(v.vus) || !isInt(v.vus_max) || !isInt(v.workers) || !Array.isArray(v.scenarios)) throw new ProtocolError("batch: bad status");
  for (const s of v.scenarios)
    if (!isObj(s) || !isStr(s.name) || !isStr(s.phase) || !isInt(s.active_vus) || (s.target_vus !== undefined && !isInt(s.target_vus)) || (s.target_rate !== undefined && typeof s.target_rate !== "number"))
      throw new ProtocolError("batch: bad scenario status");
  return v as unknown as PartStatus;
}

/** A part's frame, checked (the deltas are checked when merged: wire.ts decodeDelta). */
export function parseFromPart(text: string | Buffer): ToAggregator {
  const v = frame(text);
  switch (v.t) {
    case "hello": {
      const seg = v.segment;
      if (!isInt(v.v) || !isStr(v.loadr) || !isStr(v.plan) || !isStr(v.instance) || !isStr(v.host) || !isStr(v.session) || !isObj(seg) || !isStr(seg.label))
        throw new ProtocolError("hello: missing fields");
      if (v.token !== undefined && !isStr(v.token)) throw new ProtocolError("hello: bad token");
      const resume = v.resume;
      if (resume !== undefined && !(isObj(resume) && isStr(resume.test) && isStr(resume.session))) throw new ProtocolError("hello: bad resume");
      if (seg.of !== undefined && !isInt(seg.of, 1)) throw new ProtocolError("hello: bad segment count");
      return { ...(v as unknown as Hello), segment: { label: seg.label, part: part(seg.part), of: seg.of as number | undefined } };
    }
    case "ready":
      return { t: "ready" };
    case "batch":
      if (!isInt(v.seq, 1) || !Array.isArray(v.deltas)) throw new ProtocolError("batch: missing fields");
      return { t: "batch", seq: v.seq, deltas: v.deltas as WireDelta[], status: status(v.status), final: v.final === true };
    default:
      throw new ProtocolError(`unknown message \`${String(v.t).slice(0, 40)}\``);
  }
}

/** The aggregator's frame, checked. */
export function parseFromAggregator(text: string | Buffer): ToPart {
  const v = frame(text);
  switch (v.t) {
    case "welcome":
      if (!isStr(v.test) || !isInt(v.acked)) throw new ProtocolError("welcome: missing fields");
      return { t: "welcome", test: v.test, acked: v.acked };
    case "reject":
      return { t: "reject", reason: isStr(v.reason) ? v.reason : "refused" };
    case "start":
      if (!isInt(v.in_ms)) throw new ProtocolError("start: missing in_ms");
      if (v.data !== undefined && !isStr(v.data)) throw new ProtocolError("start: bad data");
      return v.data === undefined ? { t: "start", in_ms: v.in_ms } : { t: "start", in_ms: v.in_ms, data: v.data };
    case "ack":
      if (!isInt(v.seq)) throw new ProtocolError("ack: missing seq");
      return { t: "ack", seq: v.seq };
    case "control":
      switch (v.action) {
        case "stop":
        case "kill":
          return { t: "control", action: v.action, reason: isStr(v.reason) ? v.reason : "stopped by the aggregator" };
        case "pause":
        case "resume":
          return { t: "control", action: v.action };
        case "scale":
          if (!isStr(v.scenario) || !isInt(v.vus)) throw new ProtocolError("scale: missing fields");
          return { t: "control", action: "scale", scenario: v.scenario, vus: v.vus };
      }
      throw new ProtocolError(`unknown control action \`${String(v.action)}\``);
    default:
      throw new ProtocolError(`unknown message \`${String(v.t).slice(0, 40)}\``);
  }
}
