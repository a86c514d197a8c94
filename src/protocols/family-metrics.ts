/**
 * The metric family of a protocol without HTTP's timing phases (reference §2.6, §5.3): family F
 * (the sanitised handler name for a plugin; `grpc`, `tcp`, `udp` for those protocols when they are
 * built) records `F_reqs` +1, `F_req_duration`, counters `F_docs`/`F_rows`/`F_msgs` from numeric
 * extras, `http_req_failed` by the handler's failure rule, and data_sent/data_received.
 */
import type { MetricKind } from "../metrics/registry.ts";
import type { Sink, TagSet } from "../metrics/sink.ts";
import type { ProtocolResponse } from "./types.ts";

export class FamilyMetrics {
  private readonly reqs: string;
  private readonly duration: string;
  private readonly docs: string;
  private readonly rows: string;
  private readonly msgs: string;
  /** every metric name emit() may record */
  readonly names: readonly string[];

  constructor(
    readonly family: string,
    private readonly failed: (r: ProtocolResponse) => boolean,
  ) {
    this.reqs = `${family}_reqs`;
    this.duration = `${family}_req_duration`;
    this.docs = `${family}_docs`;
    this.rows = `${family}_rows`;
    this.msgs = `${family}_msgs`;
    this.names = familyMetrics(family).map((m) => m.name);
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    sink.beginEvent();
    sink.counter(this.reqs, ts, 1);
    sink.trend(this.duration, ts, r.timings.duration);
    const x = r.extras as Record<string, unknown> | null | undefined;
    if (x !== null && typeof x === "object") {
      if (typeof x.docs === "number") sink.counter(this.docs, ts, x.docs);
      if (typeof x.rows === "number") sink.counter(this.rows, ts, x.rows);
      if (typeof x.msgs === "number") sink.counter(this.msgs, ts, x.msgs);
    }
    sink.rate("http_req_failed", ts, this.failed(r));
    sink.counter("data_sent", ts, r.bytesSent);
    sink.counter("data_received", ts, r.bytesReceived);
    sink.endEvent();
  }
}

/** Every metric family F records, with its kind (what the run's metric catalogue declares for a loaded plugin). */
export function familyMetrics(family: string): { name: string; kind: MetricKind }[] {
  return [
    ...FAMILY_SUFFIXES.map(([suffix, kind]) => ({ name: family + suffix, kind })),
    { name: "http_req_failed", kind: "rate" },
    { name: "data_sent", kind: "counter" },
    { name: "data_received", kind: "counter" },
  ];
}

/** The family's own names are F + one of these. */
export const FAMILY_SUFFIXES: readonly (readonly [suffix: string, kind: MetricKind])[] = [
  ["_reqs", "counter"], ["_req_duration", "trend"], ["_docs", "counter"], ["_rows", "counter"], ["_msgs", "counter"],
];

/** Reference §5.3: lower-case; chars outside [a-z0-9_] → `_`; trim `_`; empty → `plugin`. */
export function metricFamily(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^_+|_+$/g, "");
  return s === "" ? "plugin" : s;
}
