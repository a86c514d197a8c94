/**
 * Snapshot → Prometheus samples (reference §4 naming), shared by the scrape endpoint and
 * remote-write: prefix `loadr_`; counter `m` → `loadr_m_total`; gauge → `loadr_m`; rate →
 * `loadr_m_rate` + `loadr_m_passes_total` + `loadr_m_count_total`; trend → summary
 * `loadr_m_milliseconds{quantile}` + `_sum` + `_count`. Tags become labels.
 */
import type { SeriesSnapshot, Snapshot } from "../../metrics/index.ts";

export interface PromSample {
  name: string;
  labels: [string, string][];
  value: number;
}

export interface PromFamily {
  name: string;
  type: "counter" | "gauge" | "summary";
  help: string;
  samples: PromSample[];
}

export function metricName(m: string): string {
  return "loadr_" + m.replace(/[^a-zA-Z0-9_:]/g, "_");
}

export function labelName(k: string): string {
  const s = k.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[a-zA-Z_]/.test(s) ? s : "_" + s;
}

const QUANTILES = [["0.5", "med"], ["0.9", "p90"], ["0.95", "p95"], ["0.99", "p99"]] as const;

/** Families in snapshot order (by metric, then tags); one family per name. */
export function promFamilies(snap: Snapshot): PromFamily[] {
  const byName = new Map<string, PromFamily>();
  const add = (name: string, type: PromFamily["type"], help: string, s: PromSample) => {
    let f = byName.get(name);
    if (f === undefined) byName.set(name, (f = { name, type, help, samples: [] }));
    f.samples.push(s);
  };
  for (const s of snap.series) {
    const base = metricName(s.metric);
    const labels = labelsOf(s);
    const a = s.agg;
    switch (s.kind) {
      case "counter":
        add(base + "_total", "counter", `loadr ${s.metric} (counter)`, { name: base + "_total", labels, value: a.sum });
        break;
      case "gauge":
        add(base, "gauge", `loadr ${s.metric} (gauge, last value)`, { name: base, labels, value: a.last ?? 0 });
        break;
      case "rate":
        add(base + "_rate", "gauge", `loadr ${s.metric} (fraction of non-zero samples)`, { name: base + "_rate", labels, value: a.rate ?? 0 });
        add(base + "_passes_total", "counter", `loadr ${s.metric} non-zero samples`, { name: base + "_passes_total", labels, value: a.sum });
        add(base + "_count_total", "counter", `loadr ${s.metric} samples`, { name: base + "_count_total", labels, value: a.count });
        break;
      case "trend": {
        const n = base + "_milliseconds";
        for (const [q, field] of QUANTILES)
          add(n, "summary", `loadr ${s.metric} (milliseconds)`, { name: n, labels: [...labels, ["quantile", q]], value: a[field] ?? NaN });
        add(n, "summary", "", { name: n + "_sum", labels, value: a.sum });
        add(n, "summary", "", { name: n + "_count", labels, value: a.count });
        break;
      }
    }
  }
  return [...byName.values()];
}

function labelsOf(s: SeriesSnapshot): [string, string][] {
  return Object.keys(s.tags)
    .sort()
    .map((k) => [labelName(k), s.tags[k]!] as [string, string]);
}

/** Text exposition format 0.0.4. */
export function promText(snap: Snapshot | undefined): string {
  if (snap === undefined) return "";
  let out = "";
  for (const f of promFamilies(snap)) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const l = s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
      out += `${s.name}${l ? `{${l}}` : ""} ${formatValue(s.value)}\n`;
    }
  }
  return out;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
