/**
 * The bound on a metric's series (tag sets), one rule for a worker's sink (sink.ts) and the
 * coordinator's aggregator (aggregator.ts). A tag whose values never repeat — typically a `name`
 * built from a rendered URL — would otherwise grow every per-series structure without end:
 * each series holds histograms of tens of kilobytes in both places.
 *
 * When a metric reaches `max` series, the tag with the most values among them is capped: from
 * then on a tag set not seen before has that tag's value replaced by OVERFLOW_VALUE, so the new
 * values aggregate under one overflow series (per combination of the other tags). A tag capped
 * for one metric is capped for all: metrics share their tag sets (a request's eleven samples).
 * Should a metric still reach twice `max` (several tags that never repeat), its further new tag
 * sets aggregate under one series whose every value is OVERFLOW_VALUE.
 */
import type { Tags } from "./tags.ts";

export { DEFAULT_MAX_SERIES } from "../plan/series-bound.ts";

/** The value a capped tag takes in new tag sets. */
export const OVERFLOW_VALUE = "__overflow__";

/** A tag capped because `metric` reached the bound. */
export interface SeriesOverflow {
  metric: string;
  /** the capped tag, or null when the metric passed twice the bound and fell to the catch-all series */
  tag: string | null;
  /** how many values the tag had among the metric's series */
  values: number;
  max: number;
}

export function overflowWarning(o: SeriesOverflow): string {
  const max = o.max.toLocaleString("en-US");
  if (o.tag === null)
    return `metric \`${o.metric}\` passed ${(2 * o.max).toLocaleString("en-US")} series: its further new tag sets are recorded as one series with every tag \`${OVERFLOW_VALUE}\` (raise --max-series or give fewer tags values that never repeat)`;
  return `metric \`${o.metric}\` reached ${max} series: its tag \`${o.tag}\` has ${o.values.toLocaleString("en-US")} values; new values of \`${o.tag}\` are recorded as \`${o.tag}=${OVERFLOW_VALUE}\` (a request's \`name:\` groups URLs; --max-series raises the bound)`;
}

export class SeriesLimit {
  /** tags whose values are replaced in tag sets not seen before */
  readonly capped = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** metrics that already had their noisiest tag looked at, or fell to the catch-all */
  private readonly judged = new Set<string>();
  private readonly fell = new Set<string>();

  constructor(
    readonly max: number,
    private readonly onOverflow: (o: SeriesOverflow) => void = () => {},
  ) {}

  /** A new series of `metric` was created. */
  created(metric: string): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + 1);
  }

  /**
   * Where a tag set `metric` has no series for goes: `tags` itself while the metric is under the
   * bound, else its overflow form. `series` lists the metric's tag sets (called once, at the bound).
   */
  place(metric: string, tags: Tags, series: () => Iterable<Tags>): Tags {
    const n = this.counts.get(metric) ?? 0;
    if (n < this.max) return tags;
    if (!this.judged.has(metric)) {
      this.judged.add(metric);
      const noisy = noisiestTag(series());
      // already capped: another metric of the same tag sets got there first
      if (noisy !== undefined && !this.capped.has(noisy.key)) {
        this.capped.add(noisy.key);
        this.onOverflow({ metric, tag: noisy.key, values: noisy.values, max: this.max });
      }
    }
    if (n < 2 * this.max) return this.overflowOf(tags);
    if (!this.fell.has(metric)) {
      this.fell.add(metric);
      this.onOverflow({ metric, tag: null, values: 0, max: this.max });
    }
    const all: Record<string, string> = {};
    for (const k of Object.keys(tags)) all[k] = OVERFLOW_VALUE;
    return all;
  }

  /** `tags` with every capped tag's value replaced (`tags` itself when none applies). */
  overflowOf(tags: Tags): Tags {
    let out: Record<string, string> | undefined;
    for (const k of this.capped) {
      const v = tags[k];
      if (v === undefined || v === OVERFLOW_VALUE) continue;
      out ??= { ...tags };
      out[k] = OVERFLOW_VALUE;
    }
    return out ?? tags;
  }
}

/** The tag with the most distinct values across `series`. */
function noisiestTag(series: Iterable<Tags>): { key: string; values: number } | undefined {
  const values = new Map<string, Set<string>>();
  for (const tags of series)
    for (const [k, v] of Object.entries(tags)) {
      let s = values.get(k);
      if (s === undefined) values.set(k, (s = new Set()));
      s.add(v);
    }
  let best: { key: string; values: number } | undefined;
  for (const [key, s] of values) if (best === undefined || s.size > best.values) best = { key, values: s.size };
  return best;
}
