/**
 * `influxdb` output (reference §4): InfluxDB line protocol POSTed every `interval` and at the end.
 * v2 (with `token`): `/api/v2/write?bucket=<database>&org=<organization|loadr>`; v1: `/write?db=`.
 * One line per series: `loadr_<metric>,<tags> <fields> <ns>` — trend avg,min,max,med,p90,p95,p99;
 * counter sum + interval rate; rate rate; gauge value.
 */
import type { SeriesSnapshot, Snapshot, Summary } from "../metrics/index.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { post, Pusher, PUSH_TIMEOUT_MS } from "./pusher.ts";
import { httpUrl, intervalMs } from "./spec.ts";

interface InfluxSpec { url: string; database: string; token?: string; organization?: string; interval?: number }

export function influxOutput(spec: InfluxSpec, ctx: OutputContext): Output {
  let pusher: Pusher | undefined;
  return {
    name: "influxdb",
    wantsSamples: false,
    async start() {
      const base = httpUrl(spec.url, "influxdb url");
      const { url, headers } = writeTarget(base, spec);
      const ping = new URL("ping", base.href.endsWith("/") ? base : new URL(base.href + "/"));
      try {
        await fetch(ping, { signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
      } catch (e) {
        throw new Error(`cannot reach ${ping.origin}: ${(e as { code?: string }).code ?? (e as Error).message} (is InfluxDB running?)`);
      }
      pusher = new Pusher(intervalMs(spec), (s) => post(url, lineProtocol(s), headers), (m) => ctx.problem("influxdb", m));
      pusher.start();
    },
    onSnapshot(s: Snapshot) {
      pusher?.offer(s);
    },
    async finish(summary: Summary) {
      await pusher?.finish(summary.snapshot);
    },
    abort() {
      pusher?.stop();
    },
  };
}

function writeTarget(base: URL, spec: InfluxSpec): { url: string; headers: Record<string, string> } {
  const root = base.href.replace(/\/+$/, "");
  const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
  if (spec.token) {
    headers.Authorization = `Token ${spec.token}`;
    const q = new URLSearchParams({ bucket: spec.database, org: spec.organization ?? "loadr", precision: "ns" });
    return { url: `${root}/api/v2/write?${q}`, headers };
  }
  return { url: `${root}/write?${new URLSearchParams({ db: spec.database })}`, headers }; // v1 default precision: ns
}

/** Line protocol for one snapshot (exported for the parser test). */
export function lineProtocol(snap: Snapshot): string {
  const ts = `${Math.round(snap.timestamp_ms)}000000`;
  let out = "";
  for (const s of snap.series) {
    const fields = fieldsOf(s, snap.interval_secs);
    if (fields.length === 0) continue;
    const tags = Object.keys(s.tags)
      .sort()
      .filter((k) => s.tags[k] !== "")
      .map((k) => `,${escapeKey(k)}=${escapeKey(s.tags[k]!)}`)
      .join("");
    out += `${escapeMeasurement("loadr_" + s.metric)}${tags} ${fields.map(([k, v]) => `${k}=${v}`).join(",")} ${ts}\n`;
  }
  return out;
}

function fieldsOf(s: SeriesSnapshot, intervalSecs: number): [string, string][] {
  const a = s.agg;
  const f: [string, number | null][] = [];
  switch (s.kind) {
    case "trend":
      f.push(["avg", a.avg], ["min", a.min], ["max", a.max], ["med", a.med], ["p90", a.p90], ["p95", a.p95], ["p99", a.p99]);
      break;
    case "counter":
      f.push(["sum", a.sum], ["rate", intervalSecs > 0 ? s.interval_sum / intervalSecs : 0]);
      break;
    case "rate":
      f.push(["rate", a.rate]);
      break;
    case "gauge":
      f.push(["value", a.last]);
      break;
  }
  return f.filter((x): x is [string, number] => x[1] !== null && Number.isFinite(x[1])).map(([k, v]) => [k, floatField(v)]);
}

/** A float field: always with a decimal point or exponent so InfluxDB never types it integer. */
function floatField(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) ? s : s + ".0";
}

function escapeMeasurement(s: string): string {
  return s.replace(/[, \\]/g, (c) => "\\" + c);
}

function escapeKey(s: string): string {
  return s.replace(/[, =\\]/g, (c) => "\\" + c).replace(/\n/g, "\\n");
}
