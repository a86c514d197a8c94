/**
 * Snapshot → OTLP `ExportMetricsServiceRequest`, from the official opentelemetry-proto definitions
 * (vendored in otlp-proto/, embedded in the binary as text). Resource `service.name="loadr"`,
 * scope `loadr`; counter → cumulative monotonic double Sum; gauge → Gauge (last); rate → Gauge
 * (fraction); trend → Summary with quantiles 0.5/0.9/0.95/0.99 in ms. Tags → attributes.
 */
import protobuf from "protobufjs";
import commonProto from "./otlp-proto/opentelemetry/proto/common/v1/common.proto" with { type: "text" };
import resourceProto from "./otlp-proto/opentelemetry/proto/resource/v1/resource.proto" with { type: "text" };
import metricsProto from "./otlp-proto/opentelemetry/proto/metrics/v1/metrics.proto" with { type: "text" };
import serviceProto from "./otlp-proto/opentelemetry/proto/collector/metrics/v1/metrics_service.proto" with { type: "text" };
import type { Snapshot } from "../../metrics/index.ts";

let requestType: protobuf.Type | undefined;

export function exportRequestType(): protobuf.Type {
  if (requestType === undefined) {
    const root = new protobuf.Root();
    for (const text of [commonProto, resourceProto, metricsProto, serviceProto]) protobuf.parse(text, root);
    root.resolveAll();
    requestType = root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest");
  }
  return requestType;
}

const CUMULATIVE = 2;
const QUANTILES = [[0.5, "med"], [0.9, "p90"], [0.95, "p95"], [0.99, "p99"]] as const;

/** The request as a plain object in protobufjs/JSON-mapping field names (camelCase). */
export function exportRequest(snap: Snapshot): object {
  const time = nanos(snap.timestamp_ms);
  const start = nanos(snap.timestamp_ms - snap.elapsed_secs * 1000);
  const metrics = new Map<string, any>();
  for (const s of snap.series) {
    const attributes = Object.keys(s.tags)
      .sort()
      .map((key) => ({ key, value: { stringValue: s.tags[key]! } }));
    const point = { attributes, startTimeUnixNano: start, timeUnixNano: time };
    const a = s.agg;
    let m = metrics.get(s.metric);
    if (m === undefined) {
      m = { name: s.metric, description: `loadr ${s.metric} (${s.kind})`, unit: s.kind === "trend" ? "ms" : s.kind === "rate" ? "1" : "" };
      if (s.kind === "counter") m.sum = { dataPoints: [], aggregationTemporality: CUMULATIVE, isMonotonic: true };
      else if (s.kind === "trend") m.summary = { dataPoints: [] };
      else m.gauge = { dataPoints: [] };
      metrics.set(s.metric, m);
    }
    if (s.kind === "counter") m.sum.dataPoints.push({ ...point, asDouble: a.sum });
    else if (s.kind === "gauge") m.gauge.dataPoints.push({ ...point, asDouble: a.last ?? 0 });
    else if (s.kind === "rate") m.gauge.dataPoints.push({ ...point, asDouble: a.rate ?? 0 });
    else
      m.summary.dataPoints.push({
        ...point,
        count: String(a.count),
        sum: a.sum,
        quantileValues: QUANTILES.filter(([, f]) => a[f] !== null).map(([quantile, f]) => ({ quantile, value: a[f] })),
      });
  }
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "loadr" } }] },
        scopeMetrics: [{ scope: { name: "loadr" }, metrics: [...metrics.values()] }],
      },
    ],
  };
}

export function encodeExportRequest(snap: Snapshot): Uint8Array {
  const t = exportRequestType();
  return t.encode(t.fromObject(exportRequest(snap))).finish();
}

/** OTLP/HTTP JSON: the protobuf JSON mapping (int64 as decimal strings, enums as numbers). */
export function jsonExportRequest(snap: Snapshot): string {
  const t = exportRequestType();
  return JSON.stringify(t.toObject(t.fromObject(exportRequest(snap)), { longs: String, enums: Number, defaults: false }));
}

/** ms since the epoch → ns as a decimal string (exact; doubles cannot hold epoch ns). */
function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}
