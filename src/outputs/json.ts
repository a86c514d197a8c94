/**
 * `json` output (reference §4): NDJSON — one `point` line per raw sample, one `snapshot` line per
 * second, and the Summary with `"type":"summary"` as the last line.
 */
import type { Snapshot, Summary } from "../metrics/index.ts";
import type { OutputContext } from "./registry.ts";
import type { Output, SamplePoint } from "./types.ts";
import { LineFile, sortedObject } from "./line-file.ts";

export function jsonOutput(spec: { path: string }, ctx: OutputContext): Output {
  const file = new LineFile(spec.path, ctx.cwd);
  // Tag objects are shared by every point of a series: sort each once per batch.
  const sortedCache = new WeakMap<object, string>();
  const tagsJson = (t: Record<string, string>) => {
    let s = sortedCache.get(t);
    if (s === undefined) sortedCache.set(t, (s = JSON.stringify(sortedObject(t))));
    return s;
  };
  return {
    name: "json",
    wantsSamples: true,
    async start() {
      file.open();
    },
    onSamples(batch: readonly SamplePoint[]) {
      let out = "";
      for (const p of batch) {
        out += `{"type":"point","metric":${JSON.stringify(p.metric)},"kind":"${p.kind ?? "counter"}","value":${num(p.value)},"tags":${tagsJson(p.tags)},"time_ms":${Math.round(p.time)}}\n`;
      }
      file.write(out);
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

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : "null";
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
