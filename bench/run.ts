/**
 * `bun run bench` — the benchmark harness. See bench/README.md.
 *   1. http:    loadr vs wrk, autocannon, hey — 50 connections, closed model, GET /, one core each
 *   2. vus:     loadr's RSS holding 10,000 VUs in a 1 s think-time loop, and achieved vs ideal rate
 *   3. startup: `loadr --version` wall time
 *   4. arrival: constant-arrival-rate accuracy at 1k, 10k, 50k iterations/s
 *   5. scaling: requests/s with 1, 2, … N workers beside wrk -t1, -t2, … -tN
 *   6. vus50k:  RSS of 50,000 think-time VUs spread over 127.0.0.1–127.0.0.4
 *   7. wasm:    plugin extract calls/s, plugin vs built-in extractor plan req/s, cold start
 *   8. native:  echo protocol plugin inline, 5 ms blocking plugin, redis vs redis-benchmark
 *   9. flow:    a 3-request flow (jsonpath, chain, CSV feeder) vs plain GET
 *  10. hooks:   WASM request hooks: no-op and HMAC hook vs plain GET, shared-data gets/s, cross-worker visibility
 *  11. h2grpc:  HTTP/2 vs h2load against nginx h2 over TLS; gRPC unary vs a bare @grpc/grpc-js loop
 *  12. realtime: WebSocket messages/s and TCP echo round trips/s vs bare Bun loops (loadr echo target)
 *  13. ws10k:   RSS of 10,000 WebSocket sessions held open for a minute
 *  14. js:      a JS module exec vs the YAML plan, a beforeRequest hook's cost, 1,000 VUs with a SharedArray
 *  15. scaleout: 4 parts + aggregator vs one process with 4 workers on the same core; the aggregator merging 100 parts' batches
 * Every tool is optional: a missing one is reported as "not installed" and the rest still runs.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "./lib/args.ts";
import { httpBench } from "./lib/http-bench.ts";
import { ensureAptTools, machine, toolVersions } from "./lib/prereqs.ts";
import { pinning } from "./lib/proc.ts";
import { arrivalTable, httpTable, scalingTable, startupTable, vusTable, flowTable, wasmTable, jsTable, writeDocs, writeResults, type Results } from "./lib/report.ts";
import { jsBench } from "./lib/js-bench.ts";
import { arrivalBench, scalingBench } from "./lib/load-models-bench.ts";
import { startupBench } from "./lib/startup-bench.ts";
import { startTarget, type Target } from "./lib/target.ts";
import { RSS_TARGET_50K_MB, vusBench } from "./lib/vus-bench.ts";
import { wasmBench } from "./lib/wasm-bench.ts";
import { hooksBench, hooksTable } from "./lib/wasm-hooks-bench.ts";
import { nativeBench, nativeTable } from "./lib/native-bench.ts";
import { grpcBench, h2Bench, h2grpcTable } from "./lib/h2grpc-bench.ts";
import { flowBench } from "./lib/flow-bench.ts";
import { realtimeBench, realtimeTable } from "./lib/realtime-bench.ts";
import { SCALEOUT_MIN_SECONDS, scaleOutBench, scaleOutTable } from "./lib/scaleout-bench.ts";

const root = resolve(import.meta.dir, "..");

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const loadr = resolve(root, args.loadr);
  if (args.rawDir) mkdirSync(args.rawDir, { recursive: true });
  await ensureAptTools(args.install);

  const date = new Date().toISOString().slice(0, 10);
  const results: Results = {
    date,
    generated_at: new Date().toISOString(),
    machine: await machine(),
    versions: await toolVersions(root, loadr),
    pinned: pinning.available,
  };
  console.log(`machine: ${results.machine.nproc} cores, ${results.machine.cpu}; pinning: ${pinning.available ? "target core 0, load core 1" : "off"}`);
  if (!results.versions.loadr) console.log(`note: ${loadr} is missing — the loadr rows will fail; run \`bun run build\` first`);

  const tmp = mkdtempSync(join(tmpdir(), "loadr-bench-"));
  let target: Target | undefined;
  const cleanup = async () => {
    await target?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void cleanup().then(() => process.exit(130)));
  try {
    if (args.only.some((b) => b !== "startup" && b !== "realtime" && b !== "ws10k")) {
      target = await startTarget(root, args.target);
      console.log(`target: ${target.kind} at ${target.url}`);
    }
    if (args.only.includes("http") && target) {
      console.log(`\n[http] 50 connections × ${args.duration} s each, ${args.rounds} alternated rounds`);
      const t = target;
      const { rows, ratios } = await httpBench({
        root,
        url: t.url,
        seconds: args.duration,
        connections: 50,
        rounds: args.rounds,
        tmp,
        loadr,
        rawDir: args.rawDir,
        targetCpu: () => t.cpuSeconds(),
      });
      results.http = { target: target.kind, connections: 50, seconds: args.duration, rounds: args.rounds, rows, ratios };
      console.log("\n" + httpTable(results.http));
    }
    if (args.only.includes("vus") && target) {
      console.log(`\n[vus] ${args.vus} VUs, 1 s think time, ${args.vusDuration} s`);
      const v = await vusBench({ loadr, url: target.url, tmp, vus: args.vus, seconds: args.vusDuration, rawDir: args.rawDir });
      results.vus = { ...v, target: target.kind };
      console.log("\n" + vusTable(results.vus));
    }
    if (args.only.includes("wasm")) {
      // its plan runs need the echo target's /json (nginx only serves "ok")
      const echo = target?.kind === "echo" ? target : await startTarget(root, "echo");
      console.log(`\n[wasm] C example plugin; plan runs on ${echo.url}`);
      try {
        results.wasm = await wasmBench({ root, loadr, tmp, targetUrl: echo.url, seconds: Math.min(args.duration, 5), rounds: args.rounds, targetCpu: () => echo.cpuSeconds() }).catch((e: Error) => ({
          status: "failed" as const,
          error: e.message,
        }));
      } finally {
        if (echo !== target) await echo.stop();
      }
      console.log("\n" + wasmTable(results.wasm));
    }
    if (args.only.includes("hooks")) {
      // the setup: the echo target in its own process, whatever --target says
      const echo = target?.kind === "echo" ? target : await startTarget(root, "echo");
      console.log(`\n[hooks] WASM request hooks; plan runs on ${echo.url}`);
      try {
        results.hooks = await hooksBench({ root, loadr, tmp, targetUrl: echo.url, seconds: args.duration, rounds: args.rounds, targetCpu: () => echo.cpuSeconds() }).catch((e: Error) => ({
          status: "failed" as const,
          error: e.message,
        }));
      } finally {
        if (echo !== target) await echo.stop();
      }
      console.log("\n" + hooksTable(results.hooks));
    }
    if (args.only.includes("arrival") && target) {
      const t = target;
      console.log(`\n[arrival] constant-arrival-rate at ${args.rates.join(", ")} iterations/s, ${args.duration} s each`);
      const rows = await arrivalBench({ loadr, url: t.url, tmp, seconds: args.duration, rates: args.rates, targetCpu: () => t.cpuSeconds() });
      results.arrival = { target: t.kind, seconds: args.duration, rows };
      console.log("\n" + arrivalTable(results.arrival));
    }
    if (args.only.includes("scaling") && target) {
      const t = target;
      console.log(`\n[scaling] 1…N workers vs wrk -t1…-tN, 100 connections, ${args.duration} s each, ${args.rounds} alternated rounds`);
      const rows = await scalingBench({ loadr, url: t.url, tmp, seconds: args.duration, connections: 100, rounds: args.rounds, targetCpu: () => t.cpuSeconds() });
      results.scaling = { target: t.kind, seconds: args.duration, connections: 100, rounds: args.rounds, rows };
      console.log("\n" + scalingTable(results.scaling));
    }
    if (args.only.includes("vus50k") && target) {
      console.log(`\n[vus50k] ${args.manyVus} VUs over ${target.spreadUrls.length} address(es), 1 s think time, ${args.vusDuration} s`);
      const v = await vusBench({
        loadr,
        url: target.url,
        urls: target.spreadUrls,
        tmp,
        vus: args.manyVus,
        seconds: args.vusDuration,
        rawDir: args.rawDir,
        rssTargetMB: RSS_TARGET_50K_MB,
      });
      results.vus50k = { ...v, target: target.kind };
      console.log("\n" + vusTable(results.vus50k));
    }
    if (args.only.includes("flow") && target) {
      console.log(`\n[flow] loadr: plain GET vs a 3-request flow (jsonpath, chain, CSV), 50 VUs × ${args.duration} s each, ${args.rounds} alternated rounds`);
      const t = target;
      results.flow = { ...(await flowBench({ loadr, url: t.url, tmp, seconds: args.duration, vus: 50, rounds: args.rounds, targetCpu: () => t.cpuSeconds() })), target: t.kind };
      console.log("\n" + flowTable(results.flow));
    }
    if (args.only.includes("js") && target) {
      console.log(`\n[js] loadr: a module exec vs the YAML plan, beforeRequest on every request — 50 VUs × ${args.duration} s each, ${args.rounds} alternated rounds; 1,000 VUs with a 5 MB SharedArray, ${args.vusDuration} s`);
      const t = target;
      results.js = { ...(await jsBench({ loadr, url: t.url, tmp, seconds: args.duration, vus: 50, rounds: args.rounds, vusSeconds: args.vusDuration, targetCpu: () => t.cpuSeconds() })), target: t.kind };
      console.log("\n" + jsTable(results.js));
    }
    if (args.only.includes("startup")) {
      console.log("\n[startup] loadr --version");
      results.startup = await startupBench({ loadr, tmp });
      console.log("\n" + startupTable(results.startup));
    }
    if (args.only.includes("native")) {
      console.log(`\n[native] echo plugin inline, 5 ms blocking plugin × 64 VUs, redis vs redis-benchmark — ${args.duration} s each, ${args.rounds} alternated rounds`);
      const t = target;
      const n = await nativeBench({ root, loadr, tmp, seconds: args.duration, rounds: args.rounds, httpUrl: t?.url, targetCpu: t ? () => t.cpuSeconds() : undefined });
      results.native = { ...n, seconds: args.duration };
      console.log("\n" + nativeTable(n));
    }
    if (args.only.includes("h2grpc")) {
      console.log(`\n[h2grpc] HTTP/2: loadr vs h2load -m 1, 50 connections; gRPC unary: loadr vs a bare grpc-js loop, 10 channels — ${args.duration} s each, ${args.rounds} alternated rounds`);
      const o = { root, loadr, tmp, seconds: args.duration, rounds: args.rounds };
      results.h2grpc = { h2: await h2Bench({ ...o, connections: 50 }), grpc: await grpcBench({ ...o, connections: 10 }) };
      console.log("\n" + h2grpcTable(results.h2grpc));
    }
    if (args.only.includes("realtime") || args.only.includes("ws10k")) {
      console.log(`\n[realtime] against \`loadr echo\` in its own process: WebSocket and TCP vs bare Bun loops (${args.duration} s each, ${args.rounds} alternated rounds); ${args.heldSessions} sessions held ${args.heldSeconds} s`);
      results.realtime = await realtimeBench({
        root,
        loadr,
        tmp,
        seconds: args.duration,
        rounds: args.rounds,
        heldSessions: args.heldSessions,
        heldSeconds: args.heldSeconds,
        only: { compare: args.only.includes("realtime"), held: args.only.includes("ws10k") },
      });
      console.log("\n" + realtimeTable(results.realtime));
    }
    if (args.only.includes("scaleout") && target) {
      const t = target;
      // a scale-out test runs for minutes: at least SCALEOUT_MIN_SECONDS, so that the compiling of
      // nine JavaScriptCore VMs on one core (lib/scaleout-bench.ts) weighs as it does in one
      const seconds = Math.max(args.duration, SCALEOUT_MIN_SECONDS);
      console.log(`\n[scaleout] 50 VUs × ${seconds} s: one process (1 and 4 workers) vs 4 parts + aggregator on the load core, ${args.rounds} alternated rounds; the aggregator merging 100 parts × 50 series`);
      results.scaleout = { ...(await scaleOutBench({ loadr, url: t.url, tmp, seconds, vus: 50, rounds: args.rounds, targetCpu: () => t.cpuSeconds() })), target: t.kind };
      console.log("\n" + scaleOutTable(results.scaleout));
    }
  } finally {
    await cleanup();
  }
  const file = join(root, "bench", "results", `${date}.json`);
  const merged = writeResults(file, results);
  writeDocs(join(root, "docs", "benchmarks.md"), merged);
  console.log(`\nwrote ${file.replace(root + "/", "")} and docs/benchmarks.md`);
  return 0;
}

process.exit(await main());
