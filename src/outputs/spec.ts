/**
 * Where output specs come from: `outputs:` entries of the plan and repeatable `--output kind=value`
 * flags (reference §3.1, §4). Both end as the plan schema's `Output` objects (defaults filled in),
 * with `${env.X}` in their string values expanded from the run's environment (a difference from the
 * reference, which leaves them literal: docs/compat.md).
 */
import { Output as OutputSchema } from "../plan/schema/blocks.ts";
import type { Output as OutputSpec } from "../plan/schema.ts";

export type { OutputSpec };

export const OUTPUT_KINDS = ["json", "csv", "prometheus", "influxdb", "statsd", "otlp"] as const;

export class OutputSpecError extends Error {}

/** `--output kind=value` → an output spec, with the reference's messages for malformed flags. */
export function parseOutputFlag(flag: string): OutputSpec {
  const eq = flag.indexOf("=");
  if (eq <= 0 || eq === flag.length - 1) throw new OutputSpecError(`invalid --output \`${flag}\`; expected kind=value`);
  const kind = flag.slice(0, eq).trim();
  const value = flag.slice(eq + 1).trim();
  let raw: Record<string, unknown>;
  switch (kind) {
    case "json": {
      // `json=path,format=k6`: the one option, split off the end so a path may hold commas
      const opt = /^(.*),format=([^,]*)$/.exec(value);
      raw = opt ? { type: kind, path: opt[1], format: opt[2] } : { type: kind, path: value };
      break;
    }
    case "csv":
      raw = { type: kind, path: value };
      break;
    case "prometheus":
      // a URL means remote-write, anything else is the scrape endpoint's listen address
      raw = /^https?:\/\//.test(value) ? { type: kind, remote_write_url: value } : { type: kind, listen: value };
      break;
    case "influxdb": {
      const comma = value.lastIndexOf(",");
      if (comma <= 0 || comma === value.length - 1) throw new OutputSpecError("influxdb output needs url,database (e.g. --output influxdb=http://127.0.0.1:8086,loadr)");
      raw = { type: kind, url: value.slice(0, comma), database: value.slice(comma + 1) };
      break;
    }
    case "statsd":
      raw = { type: kind, address: value };
      break;
    case "otlp":
      // the reference's flag is gRPC; an http(s) URL ending in /v1/metrics means OTLP/HTTP
      raw = /\/v1\/metrics\/?$/.test(value)
        ? { type: kind, endpoint: value.replace(/\/v1\/metrics\/?$/, ""), protocol: "http" }
        : { type: kind, endpoint: value };
      break;
    default:
      throw new OutputSpecError(`unknown output kind \`${kind}\` (${OUTPUT_KINDS.join(", ")})`);
  }
  const parsed = OutputSchema.safeParse(raw);
  if (!parsed.success) throw new OutputSpecError(`invalid --output \`${flag}\`: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** Expands `${env.NAME}` in every string value (nested maps too, e.g. otlp `headers`). */
export function expandEnv(spec: OutputSpec, env: Record<string, string | undefined>, where: string): OutputSpec {
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "string") {
      return v.replace(/\$\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}/g, (_, name: string) => {
        const got = env[name];
        if (got === undefined) throw new OutputSpecError(`${path}: environment variable ${name} is not set (set it, or write the value in the plan)`);
        return got;
      });
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${path}.${k}`)]));
    }
    return v;
  };
  return walk(spec, where) as OutputSpec;
}

/** An interval of 0 (or none) means the reference's 5 s. */
export function intervalMs(spec: { interval?: number }): number {
  return spec.interval && spec.interval > 0 ? spec.interval : 5000;
}

/** `host:port` / `[::1]:port` → parts; throws a clear message otherwise. */
export function hostPort(addr: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new OutputSpecError(`${what}: \`${addr}\` is not host:port (e.g. 127.0.0.1:9125)`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

/** A URL option, checked after `${env.X}` expansion. */
export function httpUrl(value: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new OutputSpecError(`${what}: \`${value}\` is not a URL (e.g. http://127.0.0.1:9090/api/v1/write)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new OutputSpecError(`${what}: \`${value}\` must be an http:// or https:// URL`);
  return u;
}
