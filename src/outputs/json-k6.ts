/**
 * `json` output with `format: k6` (`--output json=path,format=k6`): k6's JSON lines, so tools
 * that read `k6 run --out json=…` read loadr's too. A metric is declared once, before its first
 * point:
 *
 *   {"type":"Metric","metric":"http_req_duration","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null}}
 *   {"type":"Point","metric":"http_req_duration","data":{"time":"2026-12-07T10:11:12.345Z","value":2.27,"tags":{"method":"GET",…}}}
 *
 * Every raw sample is a point (rates 1/0, durations in ms), and the coordinator's `vus` and
 * `vus_max` gauges are points once a second, as k6 writes them. No snapshot or summary lines:
 * k6's format has none. The default format's hot loop (json.ts) is not shared, so it stays as fast.
 */
import type { Snapshot, Summary } from "../metrics/index.ts";
import { DATA_METRICS, type MetricKind } from "../metrics/registry.ts";
import type { SampleColumns } from "../metrics/sample-columns.ts";
import type { Tags } from "../metrics/tags.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { LineFile, sortedObject } from "./line-file.ts";
import { encoded, FragmentCache } from "./encode/fragment-cache.ts";

const encoder = new TextEncoder();
/** the coordinator's gauges, which never pass through the workers' raw samples */
const RUN_GAUGES = new Set(["vus", "vus_max"]);

/** k6's `contains`: what a metric's values are. */
function contains(metric: string, isTime: boolean): string {
  return isTime ? "time" : DATA_METRICS.has(metric) ? "data" : "default";
}

export function metricLine(metric: string, kind: MetricKind, isTime: boolean): string {
  const data = { name: metric, type: kind, contains: contains(metric, isTime), thresholds: [], submetrics: null };
  return JSON.stringify({ type: "Metric", metric, data }) + "\n";
}

/** k6 writes `null` for a point without tags. */
function tagsJson(tags: Tags): string {
  return Object.keys(tags).length === 0 ? "null" : JSON.stringify(sortedObject(tags));
}

export function k6JsonOutput(spec: { path: string }, ctx: OutputContext): Output {
  const file = new LineFile(spec.path, ctx.cwd);
  const lines = file.lines;
  const declared = new Set<string>();
  const declare = (metric: string, kind: MetricKind, isTime: boolean) => {
    if (declared.has(metric)) return;
    declared.add(metric);
    lines.text(metricLine(metric, kind, isTime));
  };
  // A point is `<head><time>","value":<value><end>`: head per metric (its first use declares the
  // metric), the time's text per event (a request's points share it), end per tag set.
  const heads = new FragmentCache((b, id) => {
    declare(b.metrics[id]!, b.kinds[id]!, b.isTime[id]!);
    return encoder.encode(`{"type":"Point","metric":${JSON.stringify(b.metrics[id])},"data":{"time":"`);
  }, (b) => b.metrics);
  const ends = new FragmentCache(encoded((b, id) => `,"tags":${tagsJson(b.tagSets[id]!)}}}\n`), (b) => b.tagSets);
  let lastMs = NaN;
  let timeText = new Uint8Array(0);
  const timeAt = (ms: number) => {
    if (ms !== lastMs) {
      lastMs = ms;
      timeText = encoder.encode(`${new Date(ms).toISOString()}","value":`);
    }
    return timeText;
  };
  return {
    name: "json",
    wantsSamples: true,
    async start() {
      file.open();
    },
    onSampleColumns(b: SampleColumns) {
      const head = heads.for(b);
      const end = ends.for(b);
      const { metric, tags, value, time, isTime } = b;
      for (let i = 0; i < b.length; i++) {
        const m = metric[i]!;
        const h = head[m] ?? heads.make(b, m);
        const e = end[tags[i]!] ?? ends.make(b, tags[i]!);
        const t = timeAt(time[i]!);
        lines.reserve(h.length + t.length + e.length + 32);
        lines.bytes(h);
        lines.bytes(t);
        lines.num(value[i]!, isTime[m]!);
        lines.bytes(e);
        file.spill();
      }
    },
    onSnapshot(s: Snapshot) {
      const time = new Date(s.timestamp_ms).toISOString();
      for (const x of s.series) {
        if (!RUN_GAUGES.has(x.metric) || x.agg.last === null) continue;
        declare(x.metric, "gauge", false);
        lines.text(JSON.stringify({ type: "Point", metric: x.metric, data: { time, value: x.agg.last, tags: x.tags } }).replace(/"tags":\{\}/, '"tags":null') + "\n");
      }
      file.flush(); // the file is complete after each snapshot
    },
    async finish(_summary: Summary) {
      file.close();
    },
    abort() {
      file.close();
    },
  };
}
