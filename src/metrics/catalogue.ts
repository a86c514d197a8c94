/**
 * The metric catalogue: every metric name a run can record, and what records it. A threshold on a
 * name no part of the run records can never see a sample; k6 refuses to start such a test, and so
 * do we (src/run/metric-check.ts asks this catalogue at `loadr validate` and at run start).
 *
 * What fills it, through the same two doors:
 * - `declare(source, metrics)`: names a part of the run records for certain — the engine's own
 *   metrics (RUN_METRICS), each protocol handler's declared `metrics` list, the plan's `metrics:`,
 *   a loaded protocol plugin's family, `observe:` series. Custom metrics a JavaScript module
 *   declares, and metrics a WASM plugin's manifest declares, enter here too when those exist.
 * - `declareOpen(source, covers)`: a source whose list is known only at run time (a plugin that
 *   `loadr validate` cannot load): a name it could record is a warning, not an error.
 *
 * Tag keys in selectors are not checked: any tag may be attached (request `tags:`, JS tags).
 */
import { BUILTIN_METRICS, type MetricKind } from "./registry.ts";
import { closest } from "../plan/suggest.ts";

/** What the catalogue knows of one name. */
export type MetricLookup =
  | { status: "known"; kind?: MetricKind; source: string }
  /** not declared, but `source` could record it at run time */
  | { status: "possible"; source: string }
  | { status: "unknown"; near?: string };

/** A metric as a source declares it: a name, or a name with its kind when the source knows it. */
export type DeclaredMetric = string | { name: string; kind: MetricKind };

const BUILTIN_KIND = new Map<string, MetricKind>(BUILTIN_METRICS.map(([name, kind]) => [name, kind]));

/**
 * The metrics the engine records whatever the requests' protocol: iterations and VUs, checks,
 * JavaScript failures, bytes on the wire, and `http_req_failed`, which also gets the extra samples
 * of failed extractions and assertions (reference §2.4) for every protocol.
 */
export const RUN_METRICS: readonly string[] = [
  "iterations", "iteration_duration", "dropped_iterations", "vus", "vus_max", "checks", "vu_exceptions",
  "data_sent", "data_received", "http_req_failed",
];

/** What the WASM plugin host records for every plugin call (src/plugins/host/wasm/host.ts). */
export const PLUGIN_HOST_METRICS: readonly string[] = ["plugin_call_duration", "plugin_errors"];

export class MetricCatalogue {
  private readonly known = new Map<string, { kind?: MetricKind; source: string }>();
  private readonly open: { source: string; covers: (name: string) => boolean }[] = [];

  /** Names `source` records (a handler, `metrics:`, a plugin's family…); the first source of a name is the one named. */
  declare(source: string, metrics: Iterable<DeclaredMetric>): this {
    for (const m of metrics) {
      const name = typeof m === "string" ? m : m.name;
      const kind = typeof m === "string" ? BUILTIN_KIND.get(m) : m.kind;
      const had = this.known.get(name);
      if (had === undefined) this.known.set(name, { kind, source });
      else if (had.kind === undefined && kind !== undefined) had.kind = kind;
    }
    return this;
  }

  /** A source whose names are known only once the run loads it: `covers` says which names it could record. */
  declareOpen(source: string, covers: (name: string) => boolean): this {
    this.open.push({ source, covers });
    return this;
  }

  lookup(name: string): MetricLookup {
    const k = this.known.get(name);
    if (k !== undefined) return k.kind === undefined ? { status: "known", source: k.source } : { status: "known", kind: k.kind, source: k.source };
    const o = this.open.find((s) => s.covers(name));
    if (o !== undefined) return { status: "possible", source: o.source };
    const near = closest(name, this.known.keys());
    return near === undefined ? { status: "unknown" } : { status: "unknown", near };
  }

  /** Every declared name, sorted. */
  names(): string[] {
    return [...this.known.keys()].sort();
  }
}

/** A catalogue holding the engine's own metrics (RUN_METRICS); the run adds its handlers, plan and plugins. */
export function engineCatalogue(): MetricCatalogue {
  return new MetricCatalogue().declare("the engine", RUN_METRICS);
}

/** A built-in metric of a protocol this build has no handler for (`ws_connecting`): worth its own message. */
export function isBuiltinMetric(name: string): boolean {
  return BUILTIN_KIND.has(name);
}
