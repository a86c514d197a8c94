/** The Grafana dashboard in docs/ only queries series the prometheus output really produces. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promFamilies } from "../src/outputs/encode/prom-series.ts";
import type { Snapshot } from "../src/metrics/index.ts";

const agg = { count: 1, sum: 1, avg: 1, min: 1, max: 1, med: 1, p90: 1, p95: 1, p99: 1, p999: 1, rate: 1, last: 1, per_second: 1 };
const series = ([
  ["http_reqs", "counter"], ["iterations", "counter"], ["data_sent", "counter"], ["data_received", "counter"],
  ["http_req_duration", "trend"], ["http_req_failed", "rate"], ["checks", "rate"], ["vus", "gauge"], ["vus_max", "gauge"],
] as const).map(([metric, kind]) => ({ metric, kind, tags: { name: "home" }, agg, interval_count: 1, interval_sum: 1 }));
const snap: Snapshot = { timestamp_ms: 0, elapsed_secs: 1, interval_secs: 1, series };

test("every loadr_* series in docs/grafana/loadr-prometheus.json exists in the exposition", () => {
  const dash = JSON.parse(readFileSync(resolve(import.meta.dir, "../docs/grafana/loadr-prometheus.json"), "utf8"));
  const exprs: string[] = dash.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
  expect(exprs.length).toBeGreaterThanOrEqual(8);
  const produced = new Set(promFamilies(snap).flatMap((f) => f.samples.map((s) => s.name)));
  const used = new Set(exprs.flatMap((e) => e.match(/loadr_[a-z0-9_]+/g) ?? []));
  for (const name of used) expect(produced.has(name), name).toBe(true);
});
