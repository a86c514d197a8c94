/**
 * The bench harness's statistics (bench/lib/stats.ts), CPU accounting (bench/lib/cpu.ts,
 * bench/lib/measure.ts) and how a tool's rounds become its row and ratios (bench/lib/http-bench.ts).
 * Pure functions, in-process; /proc/stat is a real capture (test/fixtures/bench/README.md).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { CONTENDED_CORES, contention, isContended, parseProcStat } from "../bench/lib/cpu.ts";
import { httpRatios, LOADR, LOADR_JSON, toolRow, type ToolRun } from "../bench/lib/http-bench.ts";
import { summarizeRuns, type RunFigures } from "../bench/lib/measure.ts";
import { alternate, cpuUsPerRequest, median, pairedRatio, rotation, roundRatios } from "../bench/lib/stats.ts";

describe("median", () => {
  test("odd and even counts; unsorted input is not modified", () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("failed values (undefined, null, NaN) are left out; none at all is NaN", () => {
    expect(median([undefined, 2, null, NaN, 4])).toBe(3);
    expect(median([])).toBeNaN();
    expect(median([undefined])).toBeNaN();
  });
});

describe("alternation", () => {
  test("each round starts one side further: A B, B A, A B, … for two sides", () => {
    expect([0, 1, 2, 3].map((r) => rotation(["A", "B"], r).join(""))).toEqual(["AB", "BA", "AB", "BA"]);
    expect([0, 1, 2].map((r) => rotation(["a", "b", "c"], r).join(""))).toEqual(["abc", "bca", "cab"]);
    expect(rotation([], 3)).toEqual([]);
  });

  test("alternate runs rounds × sides in rotated order and files each result under its round", async () => {
    const order: string[] = [];
    const out = await alternate(["A", "B"] as const, 3, async (side, round) => {
      order.push(`${side}${round}`);
      return `${side}@${round}`;
    });
    expect(order).toEqual(["A0", "B0", "B1", "A1", "A2", "B2"]);
    expect(out).toEqual({ A: ["A@0", "A@1", "A@2"], B: ["B@0", "B@1", "B@2"] });
  });

  test("the ratio is the median of the rounds' own ratios, not a ratio of medians", () => {
    // other work slowed b's run in round 2 and both runs of round 3: each spoils its own round only
    const a = [100, 100, 50];
    const b = [200, 100, 100];
    const r = pairedRatio(a, b)!;
    expect(r.rounds).toEqual([0.5, 1, 0.5]);
    expect(r.median).toBe(0.5);
    expect(median(a) / median(b)).toBe(1);
  });

  test("a failed run leaves its round out without shifting the others' pairing", () => {
    expect(roundRatios([10, undefined, 30], [5, 5, 10])).toEqual([2, 3]);
    expect(roundRatios([10, 20], [0, 10])).toEqual([2]);
    expect(pairedRatio([undefined], [1])).toBeUndefined();
  });
});

describe("CPU per request", () => {
  test("user + system seconds ÷ requests, in µs; nothing measured is undefined", () => {
    expect(cpuUsPerRequest(9.03, 483_039)).toBeCloseTo(18.694, 3);
    expect(cpuUsPerRequest(1, 0)).toBeUndefined();
    expect(cpuUsPerRequest(0, 100)).toBeUndefined();
  });

  test("/proc/stat: busy = user + nice + system + irq + softirq, per core and in all, in seconds", async () => {
    const text = await Bun.file(join(import.meta.dir, "fixtures", "bench", "proc-stat.txt")).text();
    const t = parseProcStat(text);
    const line = (name: string) => text.split("\n").find((l) => l.startsWith(name + " "))!.trim().split(/\s+/).slice(1).map(Number);
    const busy = (v: number[]) => (v[0]! + v[1]! + v[2]! + v[5]! + v[6]!) / 100;
    expect(t.cores.length).toBe(2);
    expect(t.cores[0]).toBeCloseTo(busy(line("cpu0")), 6);
    expect(t.cores[1]).toBeCloseTo(busy(line("cpu1")), 6);
    expect(t.all).toBeCloseTo(busy(line("cpu")), 6);
    // idle, iowait and steal are not busy
    expect(parseProcStat("cpu  1 0 1 500 7 0 0 9 0 0\ncpu0 1 0 1 500 7 0 0 9 0 0\n")).toEqual({ all: 0.02, cores: [0.02] });
  });

  test("contention: what the core's busy time holds beyond the pinned tool (load core) and the target (target core)", () => {
    const before = { all: 100, cores: [50, 50] };
    const after = { all: 120, cores: [59, 61] };
    // 10 s: the tool used 8 s of core 1, the target 6 s of core 0
    const c = contention({ before, after, toolSeconds: 8, targetSeconds: 6, wallSeconds: 10, cores: { load: 1, target: 0 } });
    expect(c.loadCore).toBeCloseTo(0.3, 10);
    expect(c.targetCore).toBeCloseTo(0.3, 10);
    expect(c.machine).toBeCloseTo(0.6, 10);
    // not pinned: machine-wide only; never negative (tick-sampled /proc/stat can lag the rusage)
    const u = contention({ before, after, toolSeconds: 25, targetSeconds: 0, wallSeconds: 10 });
    expect(u).toEqual({ machine: 0 });
    expect(contention({ before: null, after, toolSeconds: 1, targetSeconds: 0, wallSeconds: 1 }).machine).toBeNull();
  });

  test("a run is contended above CONTENDED_CORES of other work on either pinned core, or machine-wide when not pinned", () => {
    const over = CONTENDED_CORES + 0.01;
    expect(isContended({ machine: 0.5, loadCore: 0, targetCore: 0 })).toBe(false);
    expect(isContended({ machine: 0, loadCore: over, targetCore: 0 })).toBe(true);
    expect(isContended({ machine: 0, loadCore: 0, targetCore: over })).toBe(true);
    expect(isContended({ machine: over })).toBe(true);
    expect(isContended({ machine: CONTENDED_CORES })).toBe(false);
    expect(isContended({ machine: null })).toBe(false);
    expect(isContended(undefined)).toBe(false);
  });
});

describe("rows and ratios of the http bench", () => {
  const run = (rps: number, cpuUsPerReq: number, loadCore = 0): ToolRun => ({
    status: "ok",
    rps,
    requests: rps * 10,
    errors: 0,
    p50: 1,
    p95: 2,
    p99: 3,
    cpuUsPerReq,
    contention: { machine: loadCore, loadCore, targetCore: 0 },
  });
  const failed: ToolRun = { status: "failed", error: "exit 1: boom" };

  test("a row is the median of its rounds; a failed round is left out, errors add up", () => {
    const row = toolRow("wrk", "wrk -t1", [run(100, 10, 0.5), failed, run(300, 14, 0.1), run(200, 12, 0.2)]);
    expect(row.status).toBe("ok");
    expect(row.okRuns).toBe(3);
    expect(row.rps).toBe(200);
    expect(row.rpsMin).toBe(100);
    expect(row.rpsMax).toBe(300);
    expect(row.cpuUsPerReq).toBe(12);
    expect(row.otherLoadCore).toBe(0.2);
    // 0.5 and 0.2 cores of other work on the load core are over CONTENDED_CORES, 0.1 is not
    expect(row.contendedRuns).toBe(2);
    expect(row.p99).toBe(3);
    expect(toolRow("hey", "hey", [failed, failed])).toMatchObject({ status: "failed", error: "exit 1: boom" });
  });

  test("loadr ÷ peer by requests/s and by CPU per request, per round then median; json row: the share it keeps", () => {
    const rows = [
      toolRow(LOADR, "", [run(50, 20), run(60, 18), run(40, 22)]),
      toolRow(LOADR_JSON, "", [run(40, 25), run(45, 24), run(36, 26)]),
      toolRow("wrk", "", [run(100, 10), run(100, 9), run(80, 11)]),
      { tool: "hey", status: "not installed" as const },
    ];
    const r = httpRatios(rows);
    expect(Object.keys(r).sort()).toEqual([LOADR_JSON, "wrk"]);
    expect(r.wrk!.rps!.rounds).toEqual([0.5, 0.6, 0.5]);
    expect(r.wrk!.rps!.median).toBe(0.5);
    // the peer's CPU per request ÷ loadr's: < 1 = loadr spends more per request
    expect(r.wrk!.cpu!.median).toBeCloseTo(0.5, 10);
    expect(r[LOADR_JSON]!.rps!.rounds).toEqual([0.8, 0.75, 0.9]);
    expect(r[LOADR_JSON]!.rps!.median).toBe(0.8);
    expect(r[LOADR_JSON]!.cpu!.median).toBeCloseTo(0.8, 10);
  });

  test("summaries of runs: medians of figures, other work per core", () => {
    const runs: (RunFigures | undefined)[] = [
      { rps: 10, requests: 100, cpuUsPerReq: 5, targetCores: 0.5, contention: { machine: 0.1, loadCore: 0.05, targetCore: 0.02 } },
      undefined,
      { rps: 30, requests: 300, cpuUsPerReq: 7, targetCores: 0.7, contention: { machine: 0.3, loadCore: 0.25, targetCore: 0.04 } },
    ];
    expect(summarizeRuns(runs)).toEqual({
      okRuns: 2,
      rps: 20,
      rpsMin: 10,
      rpsMax: 30,
      cpuUsPerReq: 6,
      targetCores: 0.6,
      otherMachine: 0.2,
      otherLoadCore: 0.15,
      otherTargetCore: 0.03,
      // the second run had 0.25 cores of other work on its own core
      contendedRuns: 1,
    });
  });
});
