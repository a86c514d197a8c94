/** `csv` output (reference §4): `timestamp_ms,metric,kind,value,tags`, one row per raw sample. */
import type { OutputContext } from "./registry.ts";
import type { Output, SamplePoint } from "./types.ts";
import { flatTags, LineFile } from "./line-file.ts";

export function csvOutput(spec: { path: string }, ctx: OutputContext): Output {
  const file = new LineFile(spec.path, ctx.cwd);
  const tagCache = new WeakMap<object, string>();
  const tagsCell = (t: Record<string, string>) => {
    let s = tagCache.get(t);
    if (s === undefined) tagCache.set(t, (s = csvField(flatTags(t))));
    return s;
  };
  return {
    name: "csv",
    wantsSamples: true,
    async start() {
      file.open();
      file.write("timestamp_ms,metric,kind,value,tags\n");
    },
    onSamples(batch: readonly SamplePoint[]) {
      let out = "";
      for (const p of batch) out += `${Math.round(p.time)},${csvField(p.metric)},${p.kind ?? ""},${p.value},${tagsCell(p.tags)}\n`;
      file.write(out);
    },
    onSnapshot() {},
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
