/**
 * The summary's `breakdown` section (schema 2), also the dashboard's live table: requests per
 * scenario, group and request name (request-stats.ts merges), checks per group and request, and
 * the failures by kind and status with the first message of each kind.
 */
import { STATUS_CODES } from "node:http";
import type { Aggregator } from "./aggregator.ts";
import { RequestStats, type BreakdownDimension, type RequestFigures } from "./request-stats.ts";
import type { Snapshot } from "./snapshot.ts";
import { cmp, type Tags } from "./tags.ts";

export interface BreakdownRow extends RequestFigures {
  /** the tag's value: a scenario, a group (`::cart`) or a request name */
  key: string;
}

export interface BreakdownTable {
  /** by requests, most first (then by key) */
  rows: BreakdownRow[];
  /** every value past the limit, merged; null when there were none */
  other: (RequestFigures & { keys: number }) | null;
}

export interface CheckRow {
  /** "" outside any group */
  group: string;
  /** the request the check ran on; "" when the sample has no `name` tag (written before schema 2) */
  name: string;
  check: string;
  passes: number;
  fails: number;
}

/**
 * Failed `http_req_failed` samples by what failed them. `kind` is the `error_kind` tag
 * (`connection_refused`, `timeout`…) when the request got no usable response, else `status`
 * (an HTTP status ≥ 400), `not_sent` (the request could not be built), `hook` (an after-record
 * hook failed after the request was recorded), `exec_exception` (a scenario's JS `exec` function
 * threw: the sample tagged `scenario_fn`), `extraction_or_assertion`
 * (the extra sample of a failed extraction or assertion) or `error` (a plugin's failure without a kind).
 */
export interface FailureRow {
  kind: string;
  /** the `status` tag (0: no response); null for samples without one */
  status: number | null;
  count: number;
  /** the first message of this kind (for `status`, the reason phrase); null when none is known */
  message: string | null;
}

export interface Breakdown {
  total: RequestFigures;
  scenarios: BreakdownTable;
  /** requests inside a group only */
  groups: BreakdownTable;
  names: BreakdownTable;
  checks: CheckRow[];
  failures: FailureRow[];
}

/** Rows per table before the rest is merged into `other` (the summary's; the dashboard shows fewer). */
export const BREAKDOWN_LIMIT = 100;

export function buildBreakdown(agg: Aggregator, snap: Snapshot, elapsedSecs: number, limit: number = BREAKDOWN_LIMIT): Breakdown {
  const by = agg.requests.by;
  const table = (dim: BreakdownDimension) => breakdownTable(by[dim], elapsedSecs, limit, dim === "group");
  return {
    total: agg.requests.total.figures(elapsedSecs),
    scenarios: table("scenario"),
    groups: table("group"),
    names: table("name"),
    checks: checkRows(snap),
    failures: failureRows(snap, agg.firstErrors()),
  };
}

function breakdownTable(stats: ReadonlyMap<string, RequestStats>, elapsedSecs: number, limit: number, skipEmptyKey: boolean): BreakdownTable {
  const entries = [...stats].filter(([k, s]) => !(skipEmptyKey && k === "") && (s.requests > 0 || s.failSamples > 0));
  entries.sort(([ka, a], [kb, b]) => b.requests - a.requests || cmp(ka, kb));
  const rows = entries.slice(0, limit).map(([key, s]) => ({ key, ...s.figures(elapsedSecs) }));
  const rest = entries.slice(limit);
  if (rest.length === 0) return { rows, other: null };
  const merged = new RequestStats();
  for (const [, s] of rest) merged.mergeFrom(s);
  return { rows, other: { keys: rest.length, ...merged.figures(elapsedSecs) } };
}

function checkRows(snap: Snapshot): CheckRow[] {
  const rows = new Map<string, CheckRow>();
  for (const s of snap.series) {
    if (s.metric !== "checks") continue;
    const group = s.tags["group"] ?? "";
    const name = s.tags["name"] ?? "";
    const check = s.tags["check"] ?? "unnamed";
    const key = `${group}\0${name}\0${check}`;
    let r = rows.get(key);
    if (r === undefined) rows.set(key, (r = { group, name, check, passes: 0, fails: 0 }));
    const passes = Math.trunc(s.agg.sum);
    r.passes += passes;
    r.fails += s.agg.count - passes;
  }
  return [...rows.values()].sort((a, b) => cmp(a.group, b.group) || cmp(a.name, b.name) || cmp(a.check, b.check));
}

function failureOf(tags: Tags): { kind: string; status: number | null } {
  const status = tags["status"] === undefined ? null : Number(tags["status"]);
  if (tags["error_kind"] !== undefined) return { kind: tags["error_kind"], status };
  if (tags["error"] === "prepare") return { kind: "not_sent", status: null };
  // the extra sample of an after-record hook that failed (src/engine/worker/flow/request.ts)
  if (tags["error"] === "hook") return { kind: "hook", status: null };
  if (tags["scenario_fn"] !== undefined) return { kind: "exec_exception", status: null };
  if (status === null) return { kind: "extraction_or_assertion", status: null };
  return { kind: status >= 400 ? "status" : "error", status };
}

function failureRows(snap: Snapshot, firstErrors: ReadonlyMap<string, string>): FailureRow[] {
  const rows = new Map<string, FailureRow>();
  for (const s of snap.series) {
    if (s.metric !== "http_req_failed" || s.agg.sum <= 0) continue;
    const { kind, status } = failureOf(s.tags);
    const key = `${kind}\0${status}`;
    let r = rows.get(key);
    if (r === undefined) {
      const message = kind === "status" ? `${status} ${STATUS_CODES[status!] ?? ""}`.trim() : (firstErrors.get(kind) ?? null);
      rows.set(key, (r = { kind, status, count: 0, message }));
    }
    r.count += Math.trunc(s.agg.sum);
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || cmp(a.kind, b.kind) || (a.status ?? -1) - (b.status ?? -1));
}
