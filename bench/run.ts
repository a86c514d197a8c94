/**
 * `bun run bench` — the benchmark harness. See bench/README.md.
 *   1. http:    loadr vs wrk, autocannon, hey — 50 connections, closed model, GET /, one core each
 *   2. vus:     loadr's RSS holding 10,000 VUs in a 1 s think-time loop, and achieved vs ideal rate
 *   3. startup: `loadr --version` wall time
 * Every tool is optional: a missing one is reported as "not installed" and the rest still runs.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "./lib/args.ts";
import { httpBench } from "./lib/http-bench.ts";
import { ensureAptTools, machine, toolVersions } from "./lib/prereqs.ts";
import { pinning } from "./lib/proc.ts";
import { flowTable, httpTable, ratios, startupTable, vusTable, writeDocs, writeResults, type Results } from "./lib/report.ts";
import { startupBench } from "./lib/startup-bench.ts";
import { startTarget, type Target } from "./lib/target.ts";
import { vusBench } from "./lib/vus-bench.ts";
import { flowBench } from "./lib/flow-bench.ts";

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
    if (args.only.includes("http") || args.only.includes("vus") || args.only.includes("flow")) {
      target = await startTarget(root, args.target);
      console.log(`target: ${target.kind} at ${target.url}`);
    }
    if (args.only.includes("http") && target) {
      console.log(`\n[http] 50 connections × ${args.duration} s each`);
      const t = target;
      const rows = await httpBench({
        root,
        url: t.url,
        seconds: args.duration,
        connections: 50,
        tmp,
        loadr,
        rawDir: args.rawDir,
        targetCpu: () => t.cpuSeconds(),
      });
      results.http = { target: target.kind, connections: 50, seconds: args.duration, rows, ratios: ratios(rows) };
      console.log("\n" + httpTable(results.http));
    }
    if (args.only.includes("vus") && target) {
      console.log(`\n[vus] ${args.vus} VUs, 1 s think time, ${args.vusDuration} s`);
      const v = await vusBench({ loadr, url: target.url, tmp, vus: args.vus, seconds: args.vusDuration, rawDir: args.rawDir });
      results.vus = { ...v, target: target.kind };
      console.log("\n" + vusTable(results.vus));
    }
    if (args.only.includes("flow") && target) {
      console.log(`\n[flow] loadr: plain GET vs a 3-request flow (jsonpath, chain, CSV), 50 VUs × ${args.duration} s each`);
      results.flow = { ...(await flowBench({ loadr, url: target.url, tmp, seconds: args.duration, vus: 50 })), target: target.kind };
      console.log("\n" + flowTable(results.flow));
    }
    if (args.only.includes("startup")) {
      console.log("\n[startup] loadr --version");
      results.startup = await startupBench({ loadr, tmp });
      console.log("\n" + startupTable(results.startup));
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
