/**
 * `json` output (reference §4): NDJSON — one `point` line per raw sample, one `snapshot` line per
 * second, and the Summary with `"type":"summary"` as the last line.
 */
import type { Snapshot, Summary } from "../metrics/index.ts";
import type { SampleColumns } from "../metrics/sample-columns.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { ByteLines } from "./byte-lines.ts";
import { LineFile, sortedObject } from "./line-file.ts";
import { FragmentCache } from "./fragment-cache.ts";

const TAIL = new TextEncoder().encode("}\n");

export function jsonOutput(spec: { path: string }, ctx: OutputContext): Output {
  const file = new LineFile(spec.path, ctx.cwd);
  const lines = new ByteLines();
  // A point line is `<head>value<middle>time}`: head per metric, middle per tag set.
  const heads = new FragmentCache((b, id) => `{"type":"point","metric":${JSON.stringify(b.metrics[id])},"kind":"${b.kinds[id]}","value":`, (b) => b.metrics);
  const middles = new FragmentCache((b, id) => `,"tags":${JSON.stringify(sortedObject(b.tagSets[id]!))},"time_ms":`, (b) => b.tagSets);
  return {
    name: "json",
    wantsSamples: true,
    async start() {
      file.open();
    },
    onSampleColumns(b: SampleColumns) {
      const head = heads.for(b);
      const middle = middles.for(b);
      for (let i = 0; i < b.length; i++) {
        const m = b.metric[i]!;
        const h = head[m] ?? heads.make(b, m);
        const mid = middle[b.tags[i]!] ?? middles.make(b, b.tags[i]!);
        lines.reserve(h.length + mid.length + 64);
        lines.bytes(h);
        lines.num(b.value[i]!, b.isTime[m]!);
        lines.bytes(mid);
        lines.time(b.time[i]!);
        lines.bytes(TAIL);
      }
      file.writeBytes(lines.take());
    },
    onSnapshot(s: Snapshot) {
      file.write(JSON.stringify(snapshotLine(s)) + "\n");
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
