/**
 * Metrics a 0.2 plugin records through the host API (`counter-add`, `trend-add`, `rate-add`,
 * `gauge-set`): into the worker's sink like any other, tagged `plugin: <entry name>` (the host's
 * tag wins over the plugin's), so they reach the summary, the outputs and thresholds.
 *
 * - A name a built-in metric has (`http_reqs`, `plugin_errors`…) is refused: the call fails.
 * - The manifest's `[metrics]` declares names and kinds (so `loadr validate` knows them); a
 *   declared name recorded as another kind fails the call; an undeclared one is accepted with
 *   one warning per name.
 * - Cardinality is bounded per plugin and worker: METRIC_LIMITS names, and tag sets per name;
 *   a sample past a bound is dropped with one warning per name (never an unbounded series set).
 */
import type { Logger } from "../../../util/logger.ts";
import type { Sink, TagSet } from "../../../metrics/sink.ts";
import { BUILTIN_METRICS, type MetricKind } from "../../../metrics/registry.ts";
import { RUN_METRICS } from "../../../metrics/catalogue.ts";

export const METRIC_LIMITS = {
  /** distinct metric names one plugin records (per worker thread) */
  names: 64,
  /** distinct tag sets per metric name (per worker thread) */
  tagSets: 100,
  /** extra tags on one sample */
  tags: 8,
} as const;

/** What the plugin did wrong: the host call fails with this message. */
export class HostCallError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED = new Set<string>([...BUILTIN_METRICS.map(([n]) => n), ...RUN_METRICS]);

/** Is `name` one of loadr's own metrics (a plugin may neither record nor declare it)? */
export function isReservedMetric(name: string): boolean {
  return RESERVED.has(name);
}

interface Series {
  kind: MetricKind;
  tagSets: Map<string, TagSet>;
  /** the warning about dropped samples was given */
  warned: boolean;
}

export class PluginMetrics {
  private readonly series = new Map<string, Series>();
  private readonly undeclaredWarned = new Set<string>();
  private namesWarned = false;
  private readonly plainTags: TagSet;

  constructor(
    private readonly sink: Sink,
    private readonly plugin: string,
    /** the manifest's `[metrics]`: name → kind */
    private readonly declared: ReadonlyMap<string, MetricKind>,
    private readonly log: Logger,
  ) {
    this.plainTags = sink.tags({ plugin });
  }

  record(kind: MetricKind, name: string, value: number, tags: readonly (readonly [string, string])[]): void {
    let s = this.series.get(name);
    if (s === undefined) {
      s = this.first(kind, name);
      if (s === undefined) return;
    } else if (s.kind !== kind) {
      throw new HostCallError(`recorded \`${name}\` as a ${kind}, but it is a ${s.kind}`);
    }
    const ts = tags.length === 0 ? this.plainTags : this.tagSet(s, name, tags);
    if (ts === undefined) return;
    const sink = this.sink;
    if (kind === "counter") sink.counter(name, ts, value);
    else if (kind === "trend") sink.trend(name, ts, value);
    else if (kind === "gauge") sink.gauge(name, ts, value);
    else sink.rate(name, ts, value !== 0);
  }

  /** A name's first sample in this worker: checked, and its kind fixed. */
  private first(kind: MetricKind, name: string): Series | undefined {
    if (!NAME.test(name)) throw new HostCallError(`invalid metric name \`${name.slice(0, 64)}\` (letters, digits and _, not starting with a digit)`);
    if (RESERVED.has(name)) throw new HostCallError(`\`${name}\` is a built-in metric's name; a plugin's metrics need their own`);
    const declared = this.declared.get(name);
    if (declared !== undefined && declared !== kind) throw new HostCallError(`recorded \`${name}\` as a ${kind}, but its manifest declares a ${declared}`);
    if (declared === undefined && !this.undeclaredWarned.has(name)) {
      this.undeclaredWarned.add(name);
      this.log.warn(`plugin \`${this.plugin}\` records \`${name}\` (${kind}), which its manifest does not declare under [metrics]; declare it so \`loadr validate\` knows it`);
    }
    if (this.series.size >= METRIC_LIMITS.names) {
      if (!this.namesWarned) {
        this.namesWarned = true;
        this.log.warn(`plugin \`${this.plugin}\` records more than ${METRIC_LIMITS.names} metric names; samples of \`${name}\` and later new names are dropped`);
      }
      return undefined;
    }
    const s: Series = { kind, tagSets: new Map(), warned: false };
    this.series.set(name, s);
    return s;
  }

  private tagSet(s: Series, name: string, tags: readonly (readonly [string, string])[]): TagSet | undefined {
    let key = "";
    for (let i = 0; i < tags.length && i < METRIC_LIMITS.tags; i++) key += `${tags[i]![0]}\u0000${tags[i]![1]}\u0001`;
    let ts = s.tagSets.get(key);
    if (ts !== undefined) return ts;
    if (s.tagSets.size >= METRIC_LIMITS.tagSets) {
      if (!s.warned) {
        s.warned = true;
        this.log.warn(`plugin \`${this.plugin}\`: \`${name}\` has more than ${METRIC_LIMITS.tagSets} tag combinations; samples with new ones are dropped`);
      }
      return undefined;
    }
    const t: Record<string, string> = {};
    for (let i = 0; i < tags.length && i < METRIC_LIMITS.tags; i++) t[tags[i]![0]] = tags[i]![1];
    t.plugin = this.plugin;
    ts = this.sink.tags(t);
    s.tagSets.set(key, ts);
    return ts;
  }
}
