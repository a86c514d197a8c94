/**
 * The load models end to end through dist/loadr against the echo target: every executor's
 * schedule, the worker partition (same totals on 1, 2 and 3 workers), open-model behaviour under
 * slow responses (dropped_iterations, no coordinated omission), graceful_ramp_down, and tag filters.
 * Tolerances are ones a loaded 2-core CI box holds: exact where the schedule fixes a count,
 * a few tens of percent where wall time decides it.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(60_000);

type Summary = {
  metrics: { metric: string; agg: Record<string, number | null> }[];
  thresholds: { metric: string; expression: string; observed: number | null }[];
  aborted: string | null;
};

async function runPlan(plan: string, args: string[] = []): Promise<{ code: number; stderr: string; summary: Summary }> {
  const dir = scratch({ "plan.yaml": plan });
  const r = await loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json", ...args], { cwd: dir });
  if (r.code !== 0 && r.code !== 99) throw new Error(`loadr exited ${r.code}: ${r.stderr}`);
  return { code: r.code, stderr: r.stderr, summary: JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) };
}
const count = (s: Summary, metric: string) => s.metrics.find((m) => m.metric === metric)?.agg.count ?? 0;
const gaugeMax = (s: Summary, metric: string) => s.metrics.find((m) => m.metric === metric)?.agg.max ?? 0;

const head = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
`;

describe("arrival-rate executors", () => {
  for (const workers of ["1", "2", "3"]) {
    test(`constant-arrival-rate runs exactly rate × duration iterations on ${workers} worker(s)`, async () => {
      const { summary } = await runPlan(
        `${head}
scenarios:
  car:
    executor: constant-arrival-rate
    rate: 60
    time_unit: 500ms
    duration: 2s
    pre_allocated_vus: 4
    max_vus: 240
    flow:
      - request: { url: / }
`,
        ["--workers", workers],
      );
      // max_vus = every arrival, so none can be dropped however slow a loaded box makes them
      expect(count(summary, "iterations")).toBe(240); // 120/s × 2 s
      expect(count(summary, "dropped_iterations")).toBe(0);
    });
  }

  test("0.5 iterations/s over 3 workers: exactly 3 in 6 s (at 0, 2 and 4 s)", async () => {
    const { summary } = await runPlan(
      `${head}
scenarios:
  slow:
    executor: constant-arrival-rate
    rate: 1
    time_unit: 2s
    duration: 5s
    pre_allocated_vus: 3
    flow:
      - request: { url: / }
`,
      ["--workers", "3"],
    );
    expect(count(summary, "iterations")).toBe(3);
  });

  test("slow responses do not lower the rate: arrivals start on schedule, the excess is dropped_iterations", async () => {
    // 40 arrivals over 2 s; each takes 600 ms; 6 VUs can run at most ~6 at once
    const { summary } = await runPlan(`${head}
scenarios:
  open:
    executor: constant-arrival-rate
    rate: 20
    duration: 2s
    pre_allocated_vus: 2
    max_vus: 6
    flow:
      - request: { url: /delay/600 }
`);
    const done = count(summary, "iterations");
    const dropped = count(summary, "dropped_iterations");
    expect(done + dropped).toBe(40); // every scheduled arrival is accounted for, none silently skipped
    expect(dropped).toBeGreaterThan(10);
    expect(done).toBeGreaterThanOrEqual(6);
    expect(gaugeMax(summary, "vus_max")).toBeLessThanOrEqual(6);
  });

  test("with enough VUs a slow target still gets the full rate (no coordinated omission)", async () => {
    const { summary } = await runPlan(`${head}
scenarios:
  open:
    executor: constant-arrival-rate
    rate: 20
    duration: 2s
    pre_allocated_vus: 2
    max_vus: 30
    flow:
      - request: { url: /delay/400 }
`);
    expect(count(summary, "iterations")).toBe(40);
    expect(count(summary, "dropped_iterations")).toBe(0);
  });

  test("ramping-arrival-rate follows its stages: 0 → 100/s over 2 s is 100 arrivals, on 1 or 2 workers, after its start_time", async () => {
    for (const workers of ["1", "2"]) {
      const { summary } = await runPlan(
        `${head}
scenarios:
  ramp:
    executor: ramping-arrival-rate
    start_time: 300ms
    start_rate: 0
    pre_allocated_vus: 10
    max_vus: 40
    stages:
      - { duration: 2s, target: 100 }
    flow:
      - request: { url: / }
`,
        ["--workers", workers],
      );
      expect(count(summary, "iterations")).toBe(100);
    }
  });
});

describe("VU-based executors", () => {
  test("ramping-vus follows its stages: VU-seconds ÷ iteration time iterations, peak in vus_max", async () => {
    // 0→4 over 1 s, hold 4 for 1 s, 4→0 over 1 s: 8 VU·s of 100 ms iterations ≈ 80
    const { summary } = await runPlan(
      `${head}
scenarios:
  ramp:
    executor: ramping-vus
    start_vus: 0
    graceful_ramp_down: 1s
    stages:
      - { duration: 1s, target: 4 }
      - { duration: 1s, target: 4 }
      - { duration: 1s, target: 0 }
    flow:
      - request: { url: / }
      - think_time: { type: constant, duration: 100ms }
`,
      ["--workers", "2"],
    );
    const n = count(summary, "iterations");
    // the upper bound is the schedule's (no more VU-seconds than the stages give); the lower one
    // leaves room for a loaded CI box, where each request and wake-up takes longer
    expect(n).toBeGreaterThan(40);
    expect(n).toBeLessThan(105);
    expect(gaugeMax(summary, "vus_max")).toBeLessThanOrEqual(4);
    expect(gaugeMax(summary, "vus_max")).toBeGreaterThanOrEqual(2);
  });

  const rampDownPlan = (grace: string) => `${head}
scenarios:
  r:
    executor: ramping-vus
    start_vus: 2
    graceful_ramp_down: ${grace}
    stages:
      - { duration: 300ms, target: 2 }
      - { duration: 100ms, target: 0 }
      - { duration: 2s, target: 0 }
    flow:
      - request: { url: / }
      - think_time: { type: constant, duration: 1500ms }
`;

  test("graceful_ramp_down: a de-allocated VU's iteration is interrupted after the grace (no iteration counted)", async () => {
    const { summary } = await runPlan(rampDownPlan("200ms"));
    expect(count(summary, "http_reqs")).toBe(2);
    expect(count(summary, "iterations")).toBe(0);
  });

  test("graceful_ramp_down: within the grace the iteration completes", async () => {
    const { summary } = await runPlan(rampDownPlan("5s"));
    expect(count(summary, "iterations")).toBe(2);
  });

  test("externally-controlled without a controller idles at 0 VUs until its duration ends", async () => {
    const { summary } = await runPlan(`${head}
scenarios:
  ext:
    executor: externally-controlled
    max_vus: 5
    duration: 1s
    flow:
      - request: { url: / }
`);
    expect(count(summary, "iterations")).toBe(0);
  });

  test("an externally-controlled scenario without --api is warned about at start", async () => {
    const dir = scratch({
      "plan.yaml": `${head}
scenarios:
  ext:
    executor: externally-controlled
    max_vus: 2
    duration: 300ms
    flow: [ { request: { url: / } } ]
`,
    });
    const r = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: scenario `ext` is externally-controlled but the control API is off");
  });

  test("VU ids are unique across scenarios and workers: 7 VUs are ids 1..7, one request each", async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7];
    const { summary, code } = await runPlan(
      `${head}
scenarios:
  a:
    executor: per-vu-iterations
    vus: 3
    iterations: 1
    flow: [ { request: { url: /, name: "v\${vu}" } } ]
  b:
    executor: ramping-vus
    start_vus: 4
    stages: [ { duration: 500ms, target: 4 } ]
    flow:
      - request: { url: /, name: "v\${vu}" }
      - think_time: { type: constant, duration: 2s }
thresholds:
${ids.map((id) => `  "http_reqs{name:v${id}}": ["count == 1"]`).join("\n")}
`,
      ["--workers", "2"],
    );
    expect(count(summary, "http_reqs")).toBe(7);
    expect(summary.thresholds.map((t) => t.observed)).toEqual(ids.map(() => 1));
    expect(code).toBe(0);
  });
});

describe("scenario selection", () => {
  const plan = `${head}
scenarios:
  smoke:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    tags: { kind: smoke }
    flow: [ { request: { url: / } } ]
  load:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    tags: { kind: load, team: web }
    flow: [ { request: { url: / } } ]
  soak:
    executor: per-vu-iterations
    vus: 1
    iterations: 4
    tags: { kind: soak, team: web }
    flow: [ { request: { url: / } } ]
`;
  test("--tags keeps scenarios with a matching tag value; --exclude-tags wins", async () => {
    expect(count((await runPlan(plan, ["--tags", "smoke,load"])).summary, "iterations")).toBe(3);
    expect(count((await runPlan(plan, ["--tags", "web", "--exclude-tags", "soak"])).summary, "iterations")).toBe(2);
    expect(count((await runPlan(plan, ["--exclude-tags", "smoke"])).summary, "iterations")).toBe(6);
  });

  test("the filter line is printed, and a filter that keeps nothing is one clear error", async () => {
    const dir = scratch({ "plan.yaml": plan });
    const ok = await loadr(["run", "plan.yaml", "--tags", "smoke"], { cwd: dir });
    expect(ok.stderr).toContain("→ running 1 of 3 scenario(s) after tag filter");
    const none = await loadr(["run", "plan.yaml", "--tags", "nope"], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
    expect(none.stderr).toContain("no scenarios match the tag filter (had 3)");
  });
});

describe("stopping an open model", () => {
  const stopPlan = (grace: string, delayMs = 1500) => `${head}
scenarios:
  open:
    executor: constant-arrival-rate
    rate: 10
    duration: 20s
    pre_allocated_vus: 5
    max_vus: 30
    graceful_stop: ${grace}
    flow:
      - request: { url: /delay/${delayMs} }
`;
  /**
   * SIGTERM once the progress line shows the load running (its first tick) with at least
   * `inFlight` live VUs: 5 are pre-allocated, so a 6th exists only once 6 iterations were in flight
   * at once. `sigSecs`: seconds from the spawn to the signal, an upper bound of the load's time.
   */
  async function stopWhenRunning(plan: string, inFlight = 0) {
    const dir = scratch({ "plan.yaml": plan });
    const { LOADR, untilLoadRuns } = await import("./support/cli.ts");
    const t0 = Date.now();
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "--progress", "--summary-export", "s.json"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const killer = setTimeout(() => proc.kill("SIGKILL"), 40_000);
    const load = untilLoadRuns(proc);
    await load.running;
    const vus = () => Math.max(0, ...[...load.stderr().matchAll(/ vus +(\d+)/g)].map((m) => Number(m[1])));
    while (vus() < inFlight && proc.exitCode === null) await Bun.sleep(50);
    const sigSecs = (Date.now() - t0) / 1000;
    proc.kill("SIGTERM");
    const code = await proc.exited;
    clearTimeout(killer);
    return { code, sigSecs, secs: (Date.now() - t0) / 1000, summary: JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary };
  }

  test("graceful stop: arrivals stop at once, in-flight iterations finish within graceful_stop", async () => {
    // the stop comes once 6 of the 1.5 s iterations were in flight together, however long a
    // loaded machine took to get there
    const { code, sigSecs, secs, summary } = await stopWhenRunning(stopPlan("10s"), 6);
    expect(code).toBe(99);
    expect(summary.aborted).toBe("stopped by SIGTERM");
    const n = count(summary, "iterations");
    // every iteration in flight at the stop finishes and counts
    expect(n).toBeGreaterThanOrEqual(6);
    // no arrival after it: at most 10/s for as long as the process lived before the signal (the
    // load started later), and one more for the tick the signal landed in; arrivals going on
    // through the grace period would add 10/s until it ends (10 s)
    expect(n).toBeLessThanOrEqual(Math.ceil(10 * sigSecs) + 1);
    expect(count(summary, "dropped_iterations")).toBe(0);
    expect(secs).toBeLessThan(sigSecs + 8);
  });

  test("past graceful_stop the in-flight iterations are dropped, not counted", async () => {
    // 5 s responses: none can finish before the stop's 200 ms grace ends, however slow the box
    const { secs, summary } = await stopWhenRunning(stopPlan("200ms", 5000));
    expect(count(summary, "iterations")).toBe(0);
    expect(count(summary, "http_reqs")).toBe(0);
    // (the echo service's own stop waits for its 5 s responses to finish: that, not loadr, sets the time)
    expect(secs).toBeLessThan(15);
  });

  test("abort_on_fail stops a ramping run early and says why", async () => {
    const { code, summary } = await runPlan(`${head}
scenarios:
  ramp:
    executor: ramping-arrival-rate
    pre_allocated_vus: 5
    stages: [ { duration: 20s, target: 50 } ]
    flow: [ { request: { url: /status/500 } } ]
thresholds:
  http_req_failed:
    - { threshold: "rate < 0.1", abort_on_fail: true }
`);
    expect(code).toBe(99);
    expect(summary.aborted).toContain("abort_on_fail");
  });
});
