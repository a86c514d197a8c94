/** `csv` output (reference §4): `timestamp_ms,metric,kind,value,tags`, one row per raw sample. */
import type { SampleColumns } from "../metrics/sample-columns.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { encoded, FragmentCache } from "./encode/fragment-cache.ts";
import { flatTags, LineFile } from "./line-file.ts";

const EMPTY = new Uint8Array(0);

export function csvOutput(spec: { path: string }, ctx: OutputContext): Output {
  const file = new LineFile(spec.path, ctx.cwd);
  const lines = file.lines;
  // A row is `time<metric part>value<tags part>`.
  const metricParts = new FragmentCache(encoded((b, id) => `,${csvField(b.metrics[id]!)},${b.kinds[id]},`), (b) => b.metrics);
  const tagParts = new FragmentCache(encoded((b, id) => `,${csvField(flatTags(b.tagSets[id]!))}\n`), (b) => b.tagSets);
  return {
    name: "csv",
    wantsSamples: true,
    async start() {
      file.open();
      file.write("timestamp_ms,metric,kind,value,tags\n");
    },
    onSampleColumns(b: SampleColumns) {
      const metricPart = metricParts.for(b);
      const tagPart = tagParts.for(b);
      for (let i = 0; i < b.length; i++) {
        const m = b.metric[i]!;
        const mp = metricPart[m] ?? metricParts.make(b, m);
        const tp = tagPart[b.tags[i]!] ?? tagParts.make(b, b.tags[i]!);
        lines.reserve(mp.length + tp.length + 64);
        lines.time(b.time[i]!);
        lines.bytes(mp);
        lines.num(b.value[i]!, b.isTime[m]!, EMPTY);
        lines.bytes(tp);
        file.spill();
      }
    },
    onSnapshot() {
      file.flush(); // the rows so far, each second (see line-file.ts)
    },
    async finish() {
      file.close();
    },
    abort() {
      file.close();
    },
  };
}

/** RFC 4180 quoting, only when needed. */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
