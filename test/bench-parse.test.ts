/** The bench harness's parsers, on real output of each tool captured on this machine (test/fixtures/bench/README.md). */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseArgs } from "../bench/lib/args.ts";
import {
  parseAutocannon,
  parseHey,
  parseHyperfine,
  parseLoadrSummary,
  parseWrk,
  procStatusBytes,
  startupFromSamples,
} from "../bench/lib/parse.ts";
import { httpRatios, toolRow } from "../bench/lib/http-bench.ts";
import { MARKER, renderGenerated, type Results } from "../bench/lib/report.ts";

const fixture = (name: string) => Bun.file(join(import.meta.dir, "fixtures", "bench", name)).text();

describe("wrk", () => {
  test("with the Lua hook: rps from the summary, exact p50/p95/p99 from WRK_JSON (µs → ms)", async () => {
    const r = parseWrk(await fixture("wrk-latency-lua.txt"));
    expect(r.rps).toBeCloseTo(88485.3, 1);
    expect(r.requests).toBe(893304);
    expect(r.errors).toBe(0);
    expect(r.p50).toBeCloseTo(0.449, 6);
    expect(r.p95).toBeCloseTo(3.468, 6);
    expect(r.p99).toBeCloseTo(10.71, 6);
  });

  test("without the hook: p50/p99 from the --latency table with units, p95 unknown", async () => {
    const r = parseWrk(await fixture("wrk-latency-only.txt"));
    expect(r.rps).toBeCloseTo(106975.52, 2);
    expect(r.requests).toBe(331840);
    expect(r.p50).toBeCloseTo(0.273, 6);
    expect(r.p99).toBeCloseTo(0.97, 6);
    expect(r.p95).toBeNull();
  });

  test("non-2xx responses count as errors", async () => {
    const r = parseWrk(await fixture("wrk-non2xx.txt"));
    expect(r.requests).toBe(77712);
    expect(r.errors).toBe(77712);
  });

  test("output without a Requests/sec line is an error, not zeros", () => {
    expect(() => parseWrk("unable to connect to 127.0.0.1:1 Connection refused")).toThrow(/Requests\/sec/);
  });
});

describe("hey", () => {
  test("rps, request count from the status distribution, percentiles in seconds → ms", async () => {
    const r = parseHey(await fixture("hey.txt"));
    expect(r.rps).toBeCloseTo(29754.3354, 4);
    expect(r.requests).toBe(297604);
    expect(r.errors).toBe(0);
    expect(r.p50).toBeCloseTo(1.5, 6);
    expect(r.p95).toBeCloseTo(3.8, 6);
    expect(r.p99).toBeCloseTo(6.2, 6);
  });

  test("non-2xx statuses and transport errors count as errors", async () => {
    const five = parseHey(await fixture("hey-503.txt"));
    expect(five.requests).toBe(50);
    expect(five.errors).toBe(50);
    const refused = parseHey(await fixture("hey-refused.txt"));
    expect(refused.errors).toBe(10);
    expect(refused.p50).toBeNull();
  });
});

describe("autocannon", () => {
  test("rps = total ÷ duration; p50/p99 in ms; no p95 (autocannon has none)", async () => {
    const r = parseAutocannon(await fixture("autocannon.json"));
    const j = JSON.parse(await fixture("autocannon.json")) as { requests: { total: number }; duration: number };
    expect(r.requests).toBe(j.requests.total);
    expect(r.rps).toBeCloseTo(j.requests.total / j.duration, 6);
    expect(r.p99).toBe(2);
    expect(r.p95).toBeNull();
    expect(r.note).toContain("p97.5=");
  });
});

describe("loadr summary", () => {
  test("real --summary-export of the http bench: http_reqs → count and per_second, http_req_duration → med/p95/p99", async () => {
    const r = parseLoadrSummary(await fixture("loadr-summary.json"));
    expect(r.requests).toBe(418645);
    expect(r.rps).toBeCloseTo(41843.578, 3);
    expect(r.p50).toBe(0.764);
    expect(r.p95).toBe(3.291);
    expect(r.p99).toBe(7.179);
    expect(r.avg).toBeCloseTo(1.18792, 5);
    expect(r.errors).toBe(0);
    expect(r.durationSecs).toBe(10.005);
  });

  test("errors = http_req_failed.rate × count (hand-written contract sample with failures)", async () => {
    const r = parseLoadrSummary(await fixture("loadr-summary.contract.json"));
    expect(r.requests).toBe(612345);
    expect(r.rps).toBeCloseTo(612345 / 10.02, 6);
    expect(r.p50).toBe(0.61);
    expect(r.p95).toBe(1.55);
    expect(r.p99).toBe(2.51);
    expect(r.avg).toBe(0.78);
    expect(r.errors).toBe(12);
  });

  test("a summary without a *_reqs metric is refused", () => {
    expect(() => parseLoadrSummary(JSON.stringify({ duration_secs: 1, metrics: [] }))).toThrow(/_reqs/);
  });
});

describe("start-up and memory figures", () => {
  test("hyperfine JSON seconds → ms", async () => {
    const r = parseHyperfine(await fixture("hyperfine.json"));
    expect(r.runs).toBe(5);
    expect(r.meanMs).toBeCloseTo(1.3548886, 6);
    expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
  });

  test("own loop: mean, median (even count), min, max", () => {
    expect(startupFromSamples([4, 1, 3, 2])).toEqual({ meanMs: 2.5, medianMs: 2.5, minMs: 1, maxMs: 4, runs: 4 });
  });

  test("/proc/<pid>/status VmRSS and VmHWM in bytes", async () => {
    const text = await fixture("proc-status.txt");
    const kb = Number(text.match(/^VmRSS:\s+(\d+)/m)![1]);
    expect(procStatusBytes(text, "VmRSS")).toBe(kb * 1024);
    expect(procStatusBytes(text, "VmHWM")).toBeGreaterThanOrEqual(kb * 1024);
    expect(procStatusBytes("Name: x\n", "VmRSS")).toBeNull();
  });
});

describe("harness flags and report", () => {
  test("--only and --duration", () => {
    expect(parseArgs(["--only", "http", "--duration", "3"])).toMatchObject({ only: ["http"], duration: 3 });
    expect(parseArgs(["--only=vus,startup"]).only).toEqual(["vus", "startup"]);
    expect(() => parseArgs(["--only", "nope"])).toThrow(/unknown bench/);
    expect(() => parseArgs(["--duration", "0"])).toThrow(/positive/);
    expect(parseArgs(["--target", "echo"]).target).toBe("echo");
    expect(() => parseArgs(["--target", "x"])).toThrow(/--target/);
  });

  test("--rounds: a positive count (fractions round up)", () => {
    expect(parseArgs([]).rounds).toBe(4);
    expect(parseArgs(["--rounds", "6"]).rounds).toBe(6);
    expect(parseArgs(["--rounds=0.5"]).rounds).toBe(1);
    expect(() => parseArgs(["--rounds", "0"])).toThrow(/positive/);
  });

  test("ratios are loadr's rps over each peer's that ran", () => {
    const one = (rps: number) => [{ status: "ok" as const, rps, requests: rps, cpuUsPerReq: 1 }];
    const r = httpRatios([toolRow("loadr", "", one(50)), toolRow("wrk", "", one(100)), { tool: "hey", status: "not installed" }]);
    expect(Object.keys(r)).toEqual(["wrk"]);
    expect(r.wrk!.rps!.median).toBe(0.5);
  });

  test("the generated docs part starts at the marker and shows a missing tool as such", () => {
    const res: Results = {
      date: "2026-01-01",
      generated_at: "",
      machine: { nproc: 2, cpu: "cpu", kernel: "k", memGiB: 1 },
      versions: { bun: "1.4.4" },
      pinned: true,
      http: { target: "nginx", connections: 50, seconds: 10, rows: [{ tool: "hey", status: "not installed" }], ratios: {} },
    };
    const md = renderGenerated(res);
    expect(md.startsWith(MARKER)).toBe(true);
    expect(md).toContain("| hey | not installed |");
  });
});
