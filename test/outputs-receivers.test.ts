/**
 * The streaming outputs through dist/loadr against receivers this test runs on loopback: an OTLP
 * collector over HTTP/protobuf, HTTP/JSON and gRPC (payloads decoded with the official
 * opentelemetry-proto definitions), an InfluxDB-style /write endpoint (line protocol parsed by the
 * parser below), and a real UDP socket for StatsD.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { join, resolve } from "node:path";
import protobuf from "protobufjs";
import { loadr, scratch } from "./support/cli.ts";
import { freePort } from "./support/receivers.ts";

setDefaultTimeout(60_000);

const PROTO_DIR = resolve(import.meta.dir, "../src/outputs/encode/otlp-proto");
function otlpRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/metrics/v1/metrics_service.proto");
  return root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest");
}

/** A plan paced to ~100 requests/s so every UDP datagram fits loopback buffers. */
const PLAN = (outputs: string) => `
name: receivers
plugins: [{ name: echo }]
${outputs}
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: 2s
    flow:
      - request:
          name: home
          url: \${services.echo.url}/
          checks: [{ type: status, equals: 200 }]
      - think_time: { type: constant, duration: 20ms }
`;

async function run(outputs: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = scratch({ "plan.yaml": PLAN(outputs) });
  const r = await loadr(["run", "plan.yaml", "-q", "--workers", "1", "--summary-export", "s.json", ...args], { cwd: dir, env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
  const metric = (name: string) => summary.metrics.find((m: any) => m.metric === name)?.agg;
  return { dir, summary, metric };
}

describe("otlp", () => {
  const type = otlpRequestType();
  const attrs = (dp: any) => Object.fromEntries((dp.attributes ?? []).map((a: any) => [a.key, a.value.stringValue]));
  const lastExport = (bodies: any[]) => bodies.filter((b) => (b.resourceMetrics ?? []).length > 0).pop();
  const checkExport = (req: any, metric: (n: string) => any) => {
    const rm = req.resourceMetrics[0];
    expect(attrs(rm.resource)).toEqual({ "service.name": "loadr" });
    expect(rm.scopeMetrics[0].scope.name).toBe("loadr");
    const ms = new Map<string, any>(rm.scopeMetrics[0].metrics.map((m: any) => [m.name, m]));
    const reqs = ms.get("http_reqs");
    expect(reqs.sum.isMonotonic).toBe(true);
    expect(reqs.sum.aggregationTemporality).toBe(2); // CUMULATIVE
    expect(reqs.sum.dataPoints[0].asDouble).toBe(metric("http_reqs").sum);
    expect(attrs(reqs.sum.dataPoints[0])).toMatchObject({ name: "home", method: "GET", status: "200", scenario: "s" });
    const dur = ms.get("http_req_duration");
    expect(dur.unit).toBe("ms");
    const dp = dur.summary.dataPoints[0];
    expect(Number(dp.count)).toBe(metric("http_reqs").sum);
    expect(dp.quantileValues.map((q: any) => q.quantile)).toEqual([0.5, 0.9, 0.95, 0.99]);
    expect(dp.quantileValues[2].value).toBeCloseTo(metric("http_req_duration").p95, 9);
    expect(ms.get("http_req_failed").gauge.dataPoints[0].asDouble ?? 0).toBe(0);
    expect(ms.get("vus_max").gauge.dataPoints[0].asDouble).toBe(2);
  };

  test("OTLP/HTTP protobuf: every export decodes with the official definitions; the last one carries the summary's values", async () => {
    const bodies: any[] = [];
    const types: string[] = [];
    const srv = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      async fetch(req) {
        if (new URL(req.url).pathname !== "/v1/metrics") return new Response("", { status: 404 });
        types.push(req.headers.get("content-type") ?? "");
        bodies.push(type.toObject(type.decode(new Uint8Array(await req.arrayBuffer())), { longs: String, enums: Number }));
        return new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } });
      },
    });
    const { metric } = await run(`outputs: [{ type: otlp, endpoint: "http://127.0.0.1:${srv.port}", protocol: http, interval: 1s, headers: { x-api-key: "\${env.OTLP_KEY}" } }]`, [], { OTLP_KEY: "k1" });
    srv.stop(true);
    expect(new Set(types)).toEqual(new Set(["application/x-protobuf"]));
    expect(bodies.length).toBeGreaterThanOrEqual(3); // start probe, ≥1 interval push, final
    checkExport(lastExport(bodies), metric);
  });

  test("OTLP/HTTP JSON: the protobuf JSON mapping, accepted by the official type", async () => {
    const bodies: any[] = [];
    const srv = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      async fetch(req) {
        expect(req.headers.get("content-type")).toBe("application/json");
        bodies.push(type.toObject(type.fromObject((await req.json()) as object), { longs: String, enums: Number }));
        return Response.json({});
      },
    });
    const { metric } = await run(`outputs: [{ type: otlp, endpoint: "http://127.0.0.1:${srv.port}", protocol: http/json }]`);
    srv.stop(true);
    checkExport(lastExport(bodies), metric);
  });

  test("OTLP/gRPC (the default): MetricsService/Export with metadata, decoded from the gRPC frame", async () => {
    const bodies: any[] = [];
    const meta: string[] = [];
    const srv = http2.createServer();
    srv.on("stream", (stream: http2.ServerHttp2Stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        expect(headers[":path"]).toBe("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
        meta.push(String(headers["x-tenant"]));
        const frame = Buffer.concat(chunks);
        expect(frame[0]).toBe(0); // not compressed
        expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
        bodies.push(type.toObject(type.decode(frame.subarray(5)), { longs: String, enums: Number }));
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    });
    const port = await new Promise<number>((r) => srv.listen(0, "127.0.0.1", () => r((srv.address() as any).port)));
    const { metric } = await run(`outputs: [{ type: otlp, endpoint: "127.0.0.1:${port}", headers: { x-tenant: acme } }]`);
    srv.close();
    expect(new Set(meta)).toEqual(new Set(["acme"]));
    checkExport(lastExport(bodies), metric);
  });

  test("an unreachable collector is one clear line and no load", async () => {
    const port = freePort();
    const dir = scratch({ "plan.yaml": PLAN("") });
    const r = await loadr(["run", "plan.yaml", "-q", "--output", `otlp=http://127.0.0.1:${port}/v1/metrics`], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: otlp output: cannot reach http://127.0.0.1:${port}/v1/metrics: connection refused (is the receiver running?)`);
  });
});

/** InfluxDB line protocol (measurement[,tag=v...] field=v[,...] timestamp) with its escapes. */
function parseLine(line: string): { measurement: string; tags: Record<string, string>; fields: Record<string, number>; ts: bigint } {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) {
      cur += c + line[++i];
    } else if (c === " ") {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  if (parts.length !== 3) throw new Error(`bad line (${parts.length} sections): ${line}`);
  const split = (s: string, sep: string) => {
    const out: string[] = [];
    let acc = "";
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "\\") acc += s[i]! + s[++i]!;
      else if (s[i] === sep) (out.push(acc), (acc = ""));
      else acc += s[i];
    }
    out.push(acc);
    return out;
  };
  const unescape = (s: string) => s.replace(/\\(.)/g, "$1");
  const [head, ...tagParts] = split(parts[0]!, ",");
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const [k, v] = split(t, "=");
    if (v === undefined) throw new Error(`bad tag ${t}`);
    tags[unescape(k!)] = unescape(v);
  }
  const fields: Record<string, number> = {};
  for (const f of split(parts[1]!, ",")) {
    const [k, v] = split(f, "=");
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v ?? "")) throw new Error(`field ${k} is not a float: ${v}`);
    fields[unescape(k!)] = Number(v);
  }
  if (!/^\d+$/.test(parts[2]!)) throw new Error(`bad timestamp ${parts[2]}`);
  return { measurement: unescape(head!), tags, fields, ts: BigInt(parts[2]!) };
}

describe("influxdb", () => {
  test("v2 write API: token, bucket and org; every line parses; trend, counter, rate and gauge fields", async () => {
    const writes: { url: URL; auth: string | null; body: string }[] = [];
    const srv = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      async fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/ping") return new Response(null, { status: 204 });
        writes.push({ url, auth: req.headers.get("authorization"), body: await req.text() });
        return new Response(null, { status: 204 });
      },
    });
    const { metric } = await run(`outputs: [{ type: influxdb, url: "http://127.0.0.1:${srv.port}", database: loadr, token: "\${env.INFLUX_TOKEN}", interval: 1s }]`, [], { INFLUX_TOKEN: "t0k" });
    srv.stop(true);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    const w = writes[writes.length - 1]!;
    expect(w.url.pathname).toBe("/api/v2/write");
    expect(w.url.searchParams.get("bucket")).toBe("loadr");
    expect(w.url.searchParams.get("org")).toBe("loadr");
    expect(w.auth).toBe("Token t0k");
    const lines = w.body.trimEnd().split("\n").map(parseLine);
    const find = (m: string) => lines.find((l) => l.measurement === m && (l.tags.name ?? "home") === "home")!;
    const dur = find("loadr_http_req_duration");
    expect(dur.tags).toMatchObject({ name: "home", method: "GET", status: "200", scenario: "s", proto: "http" });
    expect(Object.keys(dur.fields).sort()).toEqual(["avg", "max", "med", "min", "p90", "p95", "p99"]);
    expect(dur.fields.p95).toBeCloseTo(metric("http_req_duration").p95, 9);
    const reqs = find("loadr_http_reqs");
    expect(reqs.fields.sum).toBe(metric("http_reqs").sum);
    expect(Object.keys(reqs.fields).sort()).toEqual(["rate", "sum"]);
    expect(find("loadr_http_req_failed").fields).toEqual({ rate: 0 });
    expect(lines.find((l) => l.measurement === "loadr_vus_max")!.fields).toEqual({ value: 2 });
    // ns timestamps
    expect(Number(reqs.ts / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
  });

  test("v1 (no token): /write?db=; a receiver error mid-run is reported once and the run still succeeds", async () => {
    let n = 0;
    const urls: URL[] = [];
    const srv = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/ping") return new Response(null, { status: 204 });
        urls.push(url);
        return ++n === 1 ? new Response("database not found", { status: 404 }) : new Response(null, { status: 204 });
      },
    });
    const dir = scratch({ "plan.yaml": PLAN(`outputs: [{ type: influxdb, url: "http://127.0.0.1:${srv.port}", database: db1, interval: 1s }]`) });
    const r = await loadr(["run", "plan.yaml", "-q", "--workers", "1"], { cwd: dir });
    srv.stop(true);
    expect(r.code).toBe(0);
    expect(urls[0]!.pathname).toBe("/write");
    expect(urls[0]!.searchParams.get("db")).toBe("db1");
    const warned = r.stderr.split("\n").filter((l) => l.includes("influxdb output failed"));
    expect(warned.length).toBe(1);
    expect(warned[0]).toContain("answered 404: database not found");
    expect(r.stdout).toContain("http_reqs");
  });
});

describe("statsd", () => {
  let sock: { port: number; close(): void } | undefined;
  afterAll(() => sock?.close());

  test("every sample arrives over UDP in StatsD/DogStatsD format with the prefix, datagrams ≤ 1400 bytes", async () => {
    const datagrams: string[] = [];
    const s = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data: (_s, buf) => void datagrams.push(buf.toString()) } });
    sock = s;
    const { metric } = await run(`outputs: [{ type: statsd, address: "127.0.0.1:${s.port}", prefix: "lt." }]`);
    await Bun.sleep(200);
    expect(Math.max(...datagrams.map((d) => Buffer.byteLength(d)))).toBeLessThanOrEqual(1400);
    const lines = datagrams.flatMap((d) => d.split("\n"));
    const reqs = lines.filter((l) => l.startsWith("lt.http_reqs:"));
    expect(reqs.length).toBe(metric("http_reqs").sum);
    expect(reqs[0]).toMatch(/^lt\.http_reqs:1\|c\|#method:GET,name:home,proto:http,scenario:s,status:200$/);
    expect(lines.find((l) => l.startsWith("lt.http_req_duration:"))).toMatch(/^lt\.http_req_duration:[\d.]+\|ms\|#/);
    expect(lines.find((l) => l.startsWith("lt.http_req_failed:"))).toMatch(/^lt\.http_req_failed:0\|c\|#/);
    expect(lines.filter((l) => l.startsWith("lt.checks:1|c")).length).toBe(metric("checks").count);
  });

  test("a bad address is one clear line", async () => {
    const dir = scratch({ "plan.yaml": PLAN("") });
    const r = await loadr(["run", "plan.yaml", "-q", "--output", "statsd=localhost"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: statsd output: statsd address: `localhost` is not host:port (e.g. 127.0.0.1:9125)");
  });
});
