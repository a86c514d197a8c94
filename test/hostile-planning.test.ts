/**
 * The hostile suite, planning: what one process cannot do is refused or bounded before it
 * blocks the run (docs/reliability.md) — a ramp to 100,000 VUs in 0 s starts in bounded batches
 * and ends by its deadline; a rate above 1,000,000 iterations/s is refused at validation; VUs
 * whose sockets cannot fit the open-file limit are a warning at `validate` and a refusal at `run`.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { rampTo100k, timedRun } from "./support/timed-run.ts";

setDefaultTimeout(60_000);

describe("starting VUs", () => {
  test("a ramp to 100,000 VUs in 0 s ends by its deadline + graceful_stop", async () => {
    // Before: the 100,000 starts ran in one go (~14 s here), deaf to the 1 s deadline; the run
    // took as long. Now a stopped scenario starts no more VUs.
    const r = await timedRun(
      rampTo100k("1s"),
      { args: ["--workers", "1", "-q"], killAfterMs: 40_000 },
    );
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    expect(r.summary.duration_secs).toBeLessThan(4.5);
  });
});

describe("rates one process cannot start", () => {
  test("a constant or ramping arrival rate above 1,000,000/s is an error at validate and at run, naming the limit", async () => {
    const plan = `
scenarios:
  c: { executor: constant-arrival-rate, rate: 2000, time_unit: 1ms, duration: 1s, pre_allocated_vus: 1, flow: [{ js: "1" }] }
  r: { executor: ramping-arrival-rate, stages: [{ duration: 1s, target: 1500000 }], pre_allocated_vus: 1, flow: [{ js: "1" }] }
  ok: { executor: constant-arrival-rate, rate: 1000000, duration: 1s, pre_allocated_vus: 1, flow: [{ js: "1" }] }
`;
    const v = await timedRun(plan, { command: "validate" });
    expect(v.code).toBe(1);
    const lines = v.stderr.split("\n").filter((l) => l.includes(" error at "));
    expect(lines).toEqual([
      expect.stringContaining("(scenarios.c.rate): 2,000,000 iterations/s is more than one loadr process can start (at most 1,000,000/s)"),
      expect.stringContaining("(scenarios.r.stages): 1,500,000 iterations/s is more than one loadr process can start (at most 1,000,000/s)"),
    ]);
    const r = await timedRun(plan, { args: ["-q"] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(scenarios.c.rate): 2,000,000 iterations/s");
    expect(r.summary).toBeUndefined();
  });
});

describe("VUs whose sockets cannot fit the open-file limit", () => {
  const plan = `
scenarios:
  a: { executor: constant-vus, vus: 600, duration: 1s, flow: [{ request: { url: "http://127.0.0.1:9/" } }] }
  later: { executor: constant-vus, vus: 600, duration: 1s, start_time: 1m, flow: [{ request: { url: "http://127.0.0.1:9/" } }] }
  quiet: { executor: constant-vus, vus: 5000, duration: 1s, flow: [{ think_time: { type: constant, duration: 1s } }] }
`;
  // 600 VUs at once send requests (`later` starts after `a` and its 30 s graceful_stop; `quiet` opens no socket): 600 + 128 files
  const why = "600 VUs at once need at least 728 open files (a socket each, plus 128 for loadr), above this process's limit of 512: raise it to 728 or more (`ulimit -n 728`";

  test("a warning at validate, naming the number to raise the limit to", async () => {
    const v = await timedRun(plan, { command: "validate", shellPrefix: "ulimit -n 512" });
    expect(v.code).toBe(0);
    expect(v.stderr).toContain(`warning at line 2, column 1 (scenarios): ${why}`);
    // enough files: nothing to say
    const ok = await timedRun(plan, { command: "validate", shellPrefix: "ulimit -n 1024" });
    expect(ok.stderr).not.toContain("open files");
  });

  test("a refusal at run start, before any load", async () => {
    const r = await timedRun(plan, { shellPrefix: "ulimit -n 512", args: ["-q"] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${why}`);
    expect(r.summary).toBeUndefined();
  });
});
