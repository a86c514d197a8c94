/**
 * `json` output (reference §4): NDJSON — one `point` line per raw sample, one `snapshot` line per
 * second, and the Summary with `"type":"summary"` as the last line. `format: k6` writes k6's JSON
 * lines instead (json-k6.ts).
 */
import type { Snapshot, Summary } from "../metrics/index.ts";
import type { SampleColumns } from "../metrics/sample-columns.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { LineFile, sortedObject } from "./line-file.ts";
import { encoded, FragmentCache } from "./encode/fragment-cache.ts";
import { TimedFragment } from "./encode/timed-fragment.ts";
import { k6JsonOutput } from "./json-k6.ts";

const encoder = new TextEncoder();
const TAIL = encoder.encode("}\n");

export function jsonOutput(spec: { path: string; format?: "loadr" | "k6" }, ctx: OutputContext): Output {
  if (spec.format === "k6") return k6JsonOutput(spec, ctx);
  const file = new LineFile(spec.path, ctx.cwd);
  const lines = file.lines;
  // A point line is `<head>value<end>`: head per metric, end (`,"tags":…,"time_ms":<ms>}\n`)
  // per tag set, its time rewritten in place once per event (timed-fragment.ts).
  const heads = new FragmentCache(encoded((b, id) => `{"type":"point","metric":${JSON.stringify(b.metrics[id])},"kind":"${b.kinds[id]}","value":`), (b) => b.metrics);
  const ends = new FragmentCache((b, id) => new TimedFragment(encoder.encode(`,"tags":${JSON.stringify(sortedObject(b.tagSets[id]!))},"time_ms":`), TAIL), (b) => b.tagSets);
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
        const e = (end[tags[i]!] ?? ends.make(b, tags[i]!)).at(time[i]!);
        lines.reserve(h.length + e.length + 32);
        lines.bytes(h);
        lines.num(value[i]!, isTime[m]!);
        lines.bytes(e);
        file.spill();
      }
    },
    onSnapshot(s: Snapshot) {
      file.write(JSON.stringify(snapshotLine(s)) + "\n"); // the file is complete after each
    },
    async finish(summary: Summary) {
      file.write(JSON.stringify({ type: "summary", ...summary }) + "\n");
      file.close();
    },
    abort() {
      file.close();
    },
  };
}

/** The snapshot line: AggValues without their null fields (reference §4). */
export function snapshotLine(s: Snapshot): object {
  return {
    type: "snapshot",
    time_ms: s.timestamp_ms,
    elapsed_secs: s.elapsed_secs,
    interval_secs: s.interval_secs,
    series: s.series.map((x) => ({
      metric: x.metric,
      kind: x.kind,
      tags: x.tags,
      agg: Object.fromEntries(Object.entries(x.agg).filter(([, v]) => v !== null)),
      interval_count: x.interval_count,
      interval_sum: x.interval_sum,
    })),
  };
}
