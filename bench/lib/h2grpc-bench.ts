/**
 * Benches of issue 21, HTTP/2 and gRPC, each loadr run alternated with its peer (lib/stats.ts):
 *   h2:   loadr (`version: http2`, one worker, N VUs) vs `h2load -c N -m 1` (Debian nghttp2-client)
 *         on the load core, against nginx with http2 over TLS on the target core — target
 *         loadr ≥ 0.25 × h2load;
 *   grpc: loadr unary calls (one worker, N VUs, all metrics on) vs a bare @grpc/grpc-js client
 *         loop under Bun (bench/grpc/client-loop.ts, N loops) on the load core, against a
 *         @grpc/grpc-js server (bench/grpc/server.ts) on the target core — target ≥ 0.8 ×.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { treeCpuSeconds } from "./cpu.ts";
import { loadrFigures, runLoadrPlan } from "./loadr-run.ts";
import { measuredRun, runFigures, summarizeRuns, type RunFigures, type RunsSummary } from "./measure.ts";
import { findTool } from "./prereqs.ts";
import { pinning, withNofile } from "./proc.ts";
import { alternate, pairedRatio, type PairedRatio } from "./stats.ts";
import { freePort, nginxConfHead, stopChild, waitReady } from "./target.ts";
import { ECHO_CERT_PEM, ECHO_KEY_PEM } from "../../src/services/echo/cert.ts";

export const H2_TARGET_RATIO = 0.25;
export const GRPC_TARGET_RATIO = 0.8;

export interface PeerComparison {
  status: "ok" | "failed";
  error?: string;
  connections?: number;
  seconds?: number;
  rounds?: number;
  loadr?: RunsSummary;
  peer?: RunsSummary;
  /** loadr ÷ peer requests/s, median of the rounds */
  ratio?: PairedRatio;
  /** peer CPU µs per request ÷ loadr's, median of the rounds */
  cpuRatio?: PairedRatio;
  ok?: boolean;
}

export interface H2GrpcResult {
  h2?: PeerComparison;
  grpc?: PeerComparison;
}

interface Opts {
  root: string;
  loadr: string;
  tmp: string;
  seconds: number;
  rounds: number;
}

/** nginx with `listen … ssl http2` (nginx 1.22's spelling), answering "ok", on the target core. */
async function startH2Nginx(): Promise<{ url: string; cpu: () => number; stop(): Promise<void> }> {
  const nginx = findTool("nginx");
  if (!nginx) throw new Error("nginx not installed");
  const dir = mkdtempSync(join(tmpdir(), "loadr-bench-h2-"));
  writeFileSync(join(dir, "cert.pem"), ECHO_CERT_PEM);
  writeFileSync(join(dir, "key.pem"), ECHO_KEY_PEM);
  const port = await freePort();
  writeFileSync(
    join(dir, "nginx.conf"),
    `${nginxConfHead(dir, 4096)}  http2_max_requests 100000000;
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / { return 200 "ok"; }
  }
}
`,
  );
  const p = Bun.spawn(withNofile(pinning.target([nginx, "-p", dir, "-c", join(dir, "nginx.conf")])), { stdout: "ignore", stderr: "pipe" });
  const url = `https://127.0.0.1:${port}`;
  if (await waitReady(url, p, 5000, { tls: { rejectUnauthorized: false } })) return { url, cpu: () => treeCpuSeconds(p.pid), stop: async () => (await stopChild(p), rmSync(dir, { recursive: true, force: true })) };
  await stopChild(p);
  throw new Error(`nginx (http2) did not start: ${(await new Response(p.stderr).text()).trim().split("\n").pop() ?? ""}`);
}

/** `finished in 10.00s, 26966.80 req/s, …` and `requests: N total, N started, N done, N succeeded, …` */
export function parseH2load(out: string): { rps: number; succeeded: number } {
  const rps = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(out);
  const ok = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  if (!rps || !ok) throw new Error(`cannot read h2load's output: ${out.trim().split("\n").slice(-3).join(" / ")}`);
  return { rps: Number(rps[1]), succeeded: Number(ok[1]) };
}

async function compare(o: Opts, name: string, connections: number, target: number, sides: { loadr: (round: number) => Promise<RunFigures>; peer: (round: number) => Promise<RunFigures> }): Promise<PeerComparison> {
  const runs = await alternate(["loadr", "peer"] as const, o.rounds, async (side, round) => {
    const f = await sides[side](round);
    console.log(`  round ${round + 1} ${side === "loadr" ? "loadr" : name.padEnd(5)} ${Math.round(f.rps).toLocaleString("en-US")} req/s, ${f.cpuUsPerReq?.toFixed(1)} µs CPU/request`);
    return f;
  });
  const loadr = summarizeRuns(runs.loadr);
  const peer = summarizeRuns(runs.peer);
  const ratio = pairedRatio(runs.loadr.map((r) => r.rps), runs.peer.map((r) => r.rps));
  return {
    status: "ok",
    connections,
    seconds: o.seconds,
    rounds: o.rounds,
    loadr,
    peer,
    ratio,
    cpuRatio: pairedRatio(runs.peer.map((r) => r.cpuUsPerReq), runs.loadr.map((r) => r.cpuUsPerReq)),
    ok: ratio !== undefined && ratio.median >= target,
  };
}

export async function h2Bench(o: Opts & { connections: number }): Promise<PeerComparison> {
  const h2load = findTool("h2load");
  if (!h2load) return { status: "failed", error: "h2load not installed (Debian nghttp2-client)" };
  let target;
  try {
    target = await startH2Nginx();
  } catch (e) {
    return { status: "failed", error: (e as Error).message };
  }
  const t = target;
  try {
    const plan = `
defaults: { http: { version: http2, tls: { insecure_skip_verify: true } } }
scenarios:
  s:
    executor: constant-vus
    vus: ${o.connections}
    duration: ${o.seconds}s
    flow:
      - request: { url: "${t.url}/" }
`;
    return await compare(o, "h2load", o.connections, H2_TARGET_RATIO, {
      loadr: async () => loadrFigures(await runLoadrPlan({ ...o, name: "h2", plan, targetCpu: t.cpu })),
      peer: async () => {
        const m = await measuredRun([h2load, "-c", String(o.connections), "-m", "1", "-D", String(o.seconds), `${t.url}/`], { timeoutMs: (o.seconds + 60) * 1000, targetCpu: t.cpu });
        const f = parseH2load(m.stdout);
        return runFigures(m, f.rps, f.succeeded);
      },
    });
  } catch (e) {
    return { status: "failed", error: (e as Error).message };
  } finally {
    await t.stop();
  }
}

export async function grpcBench(o: Opts & { connections: number }): Promise<PeerComparison> {
  const server = Bun.spawn(pinning.target([process.execPath, join(o.root, "bench/grpc/server.ts")]), { stdout: "pipe", stderr: "pipe" });
  try {
    const reader = server.stdout.getReader();
    const first = await Promise.race([reader.read(), Bun.sleep(15_000).then(() => null)]);
    reader.releaseLock();
    const port = first && !first.done ? Number(new TextDecoder().decode(first.value).trim()) : NaN;
    if (!Number.isFinite(port)) throw new Error(`the @grpc/grpc-js server did not start: ${(await new Response(server.stderr).text()).trim()}`);
    const cpu = () => treeCpuSeconds(server.pid);
    const proto = join(o.root, "src/services/echo/protos/echo.proto");
    const plan = `
scenarios:
  s:
    executor: constant-vus
    vus: ${o.connections}
    duration: ${o.seconds}s
    flow:
      - request:
          url: grpc://127.0.0.1:${port}
          grpc: { proto_files: ["${proto}"], service: loadr.test.Echo, method: UnaryEcho, message: { message: "vu-\${vu}" } }
`;
    return await compare(o, "grpc-js", o.connections, GRPC_TARGET_RATIO, {
      loadr: async () => loadrFigures(await runLoadrPlan({ ...o, name: "grpc", plan, targetCpu: cpu }), "grpc_reqs"),
      peer: async () => {
        const m = await measuredRun([process.execPath, join(o.root, "bench/grpc/client-loop.ts"), String(port), String(o.connections), String(o.seconds)], { timeoutMs: (o.seconds + 60) * 1000, targetCpu: cpu });
        if (m.code !== 0) throw new Error(`grpc-js client loop exited ${m.code}: ${m.stderr.trim().split("\n").pop() ?? ""}`);
        const r = JSON.parse(m.stdout.trim().split("\n").pop()!) as { calls: number; seconds: number };
        return runFigures(m, r.calls / r.seconds, r.calls);
      },
    });
  } catch (e) {
    return { status: "failed", error: (e as Error).message };
  } finally {
    await stopChild(server);
  }
}

const n = (x: number | undefined, d = 0) => (x === undefined || !Number.isFinite(x) ? "—" : x.toLocaleString("en-US", { maximumFractionDigits: d }));

function rows(c: PeerComparison, peerName: string, what: string, target: number): string[] {
  if (c.status !== "ok") return [`| ${what} | not measured — ${c.error} | | |`];
  const contended = (c.loadr?.contendedRuns ?? 0) + (c.peer?.contendedRuns ?? 0);
  return [
    `| ${what}: loadr | ${n(c.loadr?.rps)} (${n(c.loadr?.rpsMin)}–${n(c.loadr?.rpsMax)}) | ${n(c.loadr?.cpuUsPerReq, 1)} | |`,
    `| ${what}: ${peerName} | ${n(c.peer?.rps)} (${n(c.peer?.rpsMin)}–${n(c.peer?.rpsMax)}) | ${n(c.peer?.cpuUsPerReq, 1)} | |`,
    `| loadr ÷ ${peerName}, median of ${c.rounds} alternated rounds (by CPU per request: ${n((c.cpuRatio?.median ?? NaN) * 100, 0)} %)${contended ? `, ⚠ ${contended} of ${(c.rounds ?? 0) * 2} runs contended` : ""} | ${n((c.ratio?.median ?? NaN) * 100, 1)} % | | ≥ ${target * 100} % ${c.ok ? "✓" : "✗"} |`,
  ];
}

export function h2grpcTable(r: H2GrpcResult): string {
  const out = ["| run | requests/s, median (min–max) | CPU µs/request | target |", "|---|---:|---:|---|"];
  if (r.h2) out.push(...rows(r.h2, "h2load -m 1", `HTTP/2 GET, ${r.h2.connections ?? "?"} connections, nginx h2 over TLS`, H2_TARGET_RATIO));
  if (r.grpc) out.push(...rows(r.grpc, "grpc-js loop", `gRPC unary, ${r.grpc.connections ?? "?"} channels, @grpc/grpc-js server`, GRPC_TARGET_RATIO));
  return out.join("\n");
}
