/**
 * Threshold syntax (§1.12): `selector: expression | [expression | {threshold, abort_on_fail,
 * delay_abort_eval}]` → ThresholdSpec[]. Evaluation lives in src/metrics/thresholds.ts.
 */
import { DurationError, parseDuration } from "./duration.ts";

export type ThresholdAgg = "avg" | "min" | "max" | "med" | "p" | "rate" | "count" | "value";
export type ThresholdOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface ThresholdSpec {
  /** Display form: `metric{a:1,b:2}` (tags sorted, no spaces). */
  selector: string;
  metric: string;
  tags: Record<string, string>;
  /** Source text of the expression. */
  expression: string;
  agg: ThresholdAgg;
  p?: number;
  op: ThresholdOp;
  /** Durations converted to ms. */
  bound: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /**
   * The metric's kind, when the run's metric catalogue knows it (src/run/metric-check.ts): a
   * counter that got no sample then observes 0 for `count` and `rate` instead of "no samples".
   */
  kind?: "counter" | "gauge" | "rate" | "trend";
}

/** A normalised threshold entry as it sits in the Plan (see schema/thresholds.ts). */
export interface ThresholdEntry {
  threshold: string;
  abort_on_fail: boolean;
  /** ms */
  delay_abort_eval: number;
}

export class ThresholdError extends Error {
  override name = "ThresholdError";
}

export function parseSelector(raw: string): { metric: string; tags: Record<string, string>; selector: string } {
  const s = raw.trim();
  const bad = (why: string) => new ThresholdError(`invalid metric selector \`${raw}\`: ${why}`);
  const open = s.indexOf("{");
  const metric = (open < 0 ? s : s.slice(0, open)).trim();
  if (metric === "") throw bad("empty metric name");
  if (/[\s}]/.test(metric)) throw bad("metric names cannot contain spaces or `}`");
  const tags: Record<string, string> = {};
  if (open >= 0) {
    if (!s.endsWith("}")) throw bad("missing closing `}`");
    const inner = s.slice(open + 1, -1);
    if (inner.trim() !== "") {
      for (const pair of inner.split(",")) {
        const colon = pair.indexOf(":");
        if (colon < 0) throw bad(`tag filter \`${pair.trim()}\` is not \`key:value\``);
        const k = pair.slice(0, colon).trim();
        const v = pair.slice(colon + 1).trim();
        if (k === "") throw bad(`tag filter \`${pair.trim()}\` has an empty key`);
        tags[k] = v;
      }
    }
  }
  const keys = Object.keys(tags).sort();
  const selector = keys.length === 0 ? metric : `${metric}{${keys.map((k) => `${k}:${tags[k]}`).join(",")}}`;
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = tags[k]!;
  return { metric, tags: sorted, selector };
}

// Longer operators first so that at equal positions `<=` wins over `<`.
const OPS = ["<=", ">=", "==", "!=", "<", ">", "="] as const;
const PLAIN_AGGS = new Set(["avg", "min", "max", "med", "rate", "count", "value"]);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function parseExpression(raw: string): Pick<ThresholdSpec, "agg" | "p" | "op" | "bound" | "expression"> {
  const s = raw.trim();
  if (s === "") throw new ThresholdError("empty threshold expression");
  let at = -1;
  let op: (typeof OPS)[number] | undefined;
  for (const o of OPS) {
    const i = s.indexOf(o);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      op = o;
    }
  }
  if (op === undefined)
    throw new ThresholdError(`missing comparison operator in \`${s}\` (expected <, <=, >, >=, ==, or !=)`);
  const aggText = s.slice(0, at).trim();
  const boundText = s.slice(at + op.length).trim();
  let agg: ThresholdAgg;
  let p: number | undefined;
  const pm = /^p\((.*)\)$/.exec(aggText);
  if (pm) {
    const n = pm[1]!.trim();
    const v = NUMBER.test(n) ? Number(n) : NaN;
    if (!(v > 0 && v <= 100)) throw new ThresholdError(`invalid percentile \`${n}\`: must be a number in (0, 100]`);
    agg = "p";
    p = v;
  } else if (PLAIN_AGGS.has(aggText)) {
    agg = aggText as ThresholdAgg;
  } else {
    throw new ThresholdError(
      `unknown aggregation \`${aggText}\` (expected one of: avg, min, max, med, p(N), rate, count, value)`,
    );
  }
  let bound: number;
  if (NUMBER.test(boundText)) bound = Number(boundText);
  else {
    try {
      if (boundText === "") throw new DurationError("empty");
      bound = parseDuration(boundText);
    } catch {
      throw new ThresholdError(`invalid numeric bound \`${boundText}\``);
    }
  }
  const spec: Pick<ThresholdSpec, "agg" | "p" | "op" | "bound" | "expression"> = {
    agg,
    op: op === "=" ? "==" : op,
    bound,
    expression: s,
  };
  if (p !== undefined) spec.p = p;
  return spec;
}

/**
 * One selector's entries in Plan form. A bare string (or a list mixing strings) is accepted too,
 * so callers holding YAML-shaped data need no conversion; objects must already be in Plan form
 * (`delay_abort_eval` in ms).
 */
export function normaliseEntries(v: unknown): ThresholdEntry[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((e) => {
    if (typeof e === "string") return { threshold: e, abort_on_fail: false, delay_abort_eval: 0 };
    const o = e as Partial<ThresholdEntry>;
    return { threshold: String(o.threshold ?? ""), abort_on_fail: o.abort_on_fail ?? false, delay_abort_eval: o.delay_abort_eval ?? 0 };
  });
}

export function parseThreshold(selector: string, entry: ThresholdEntry): ThresholdSpec {
  const sel = parseSelector(selector);
  return {
    ...sel,
    ...parseExpression(entry.threshold),
    abortOnFail: entry.abort_on_fail,
    delayAbortEvalMs: entry.delay_abort_eval,
  };
}

/**
 * The Plan's thresholds (already normalised by loadPlan; raw YAML shapes are accepted too) →
 * specs in declaration order. Throws ThresholdError on the first invalid one.
 */
export function parseThresholds(raw: Record<string, readonly ThresholdEntry[] | unknown> | undefined): ThresholdSpec[] {
  const out: ThresholdSpec[] = [];
  for (const [selector, v] of Object.entries(raw ?? {})) {
    for (const e of normaliseEntries(v)) out.push(parseThreshold(selector, e));
  }
  return out;
}
