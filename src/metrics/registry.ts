/**
 * Metric names, kinds and the "is time" flag (reference §2.6), plus custom metrics.
 *
 * Every metric has a small integer id so the hot path (sink.ts) can find a series with an array
 * index instead of a second Map lookup. Ids are local to one registry (one per worker, one in the
 * coordinator); they never travel in a MetricsDelta — names do.
 */

export type MetricKind = "counter" | "gauge" | "rate" | "trend";

export interface MetricDef {
  readonly id: number;
  readonly name: string;
  readonly kind: MetricKind;
  /** values are durations in ms (only meaningful for trends; outputs may format them) */
  readonly isTime: boolean;
}

type Builtin = readonly [name: string, kind: MetricKind, isTime: boolean];

/** Built-in registry of reference §2.6, in its order, plus our plugin host metrics. */
export const BUILTIN_METRICS: readonly Builtin[] = [
  ["http_reqs", "counter", false],
  ["http_req_duration", "trend", true],
  ["http_req_blocked", "trend", true],
  ["http_req_connecting", "trend", true],
  ["http_req_tls_handshaking", "trend", true],
  ["http_req_sending", "trend", true],
  ["http_req_waiting", "trend", true],
  ["http_req_receiving", "trend", true],
  ["http_req_failed", "rate", false],
  ["iterations", "counter", false],
  ["iteration_duration", "trend", true],
  ["dropped_iterations", "counter", false],
  ["vus", "gauge", false],
  ["vus_max", "gauge", false],
  ["checks", "rate", false],
  ["vu_exceptions", "counter", false],
  ["data_sent", "counter", false],
  ["data_received", "counter", false],
  ["ws_connecting", "trend", true],
  ["ws_session_duration", "trend", true],
  ["ws_msgs_sent", "counter", false],
  ["ws_msgs_received", "counter", false],
  ["grpc_reqs", "counter", false],
  ["grpc_req_duration", "trend", true],
  ["tcp_reqs", "counter", false],
  ["tcp_req_duration", "trend", true],
  ["udp_reqs", "counter", false],
  ["udp_req_duration", "trend", true],
  ["graphql_reqs", "counter", false],
  ["graphql_req_duration", "trend", true],
  // Not in the Rust registry: the gRPC handler's streaming calls and messages (src/protocols/grpc/metrics.ts).
  ["grpc_streams", "counter", false],
  ["grpc_msgs_sent", "counter", false],
  ["grpc_msgs_received", "counter", false],
  // Not in the Rust registry: the TCP connect, SSE events and the time to the first one
  // (src/protocols/socket/handler.ts, sse/handler.ts).
  ["tcp_connecting", "trend", true],
  ["sse_events", "counter", false],
  ["sse_time_to_first_event", "trend", true],
  ["plugin_reqs", "counter", false],
  ["plugin_req_duration", "trend", true],
  // Not in the Rust registry: our plugin host times every plugin call and counts its failures.
  ["plugin_call_duration", "trend", true],
  ["plugin_errors", "counter", false],
];

/** Counters of bytes on the wire: shown in kB/MB, declared `contains: data` to k6 tools. */
export const DATA_METRICS: ReadonlySet<string> = new Set(["data_sent", "data_received"]);

/** Re-registering a name with another kind (reference §2.1 step 4, exact text). */
export class MetricRedefinitionError extends Error {
  constructor(
    readonly metric: string,
    readonly existing: MetricKind,
    readonly requested: MetricKind,
  ) {
    super(`metric \`${metric}\` already registered as ${existing}, cannot redefine as ${requested}`);
    this.name = "MetricRedefinitionError";
  }
}

export class MetricRegistry {
  private readonly byName = new Map<string, MetricDef>();
  private readonly byId: MetricDef[] = [];

  /** A registry pre-filled with the built-ins (pass `false` for an empty one). */
  constructor(withBuiltins = true) {
    if (withBuiltins) for (const [name, kind, isTime] of BUILTIN_METRICS) this.register(name, kind, isTime);
  }

  /**
   * Register (or look up) a metric. Same name and kind again returns the existing definition, so
   * plan `metrics:` entries and first-use registration from JS or plugins can both call this.
   */
  register(name: string, kind: MetricKind, isTime = false): MetricDef {
    const existing = this.byName.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) throw new MetricRedefinitionError(name, existing.kind, kind);
      return existing;
    }
    const def: MetricDef = Object.freeze({ id: this.byId.length, name, kind, isTime });
    this.byName.set(name, def);
    this.byId.push(def);
    return def;
  }

  get(name: string): MetricDef | undefined {
    return this.byName.get(name);
  }

  byIndex(id: number): MetricDef | undefined {
    return this.byId[id];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every definition, in registration order. */
  all(): readonly MetricDef[] {
    return this.byId;
  }
}
