/**
 * What `loadr run` prints around the load and how its options arrive (src/cli/run-lines.ts,
 * progress.ts, run-overrides.ts, run-env.ts, src/run/outline.ts): the banner, the verdict, the
 * progress modes, per-executor overrides and LOADR_* variables — on the functions themselves.
 */
import { describe, expect, test } from "bun:test";
import { bannerLines, verdictLine } from "../src/cli/run-lines.ts";
import { Progress } from "../src/cli/progress.ts";
import { applyOverrides } from "../src/cli/run-overrides.ts";
import { withRunEnv } from "../src/cli/run-env.ts";
import { OPTIONS } from "../src/cli/run.ts";
import { prepareRun } from "../src/run/prepare.ts";
import { runOutline } from "../src/run/outline.ts";
import { parseOutputFlag } from "../src/outputs/spec.ts";
import type { Summary } from "../src/metrics/summary.ts";
import { load } from "./plan-helpers.ts";

const PLAN = `name: shop
scenarios:
  browse: {executor: constant-vus, vus: 10, duration: 30s, flow: []}
  api:
    executor: constant-arrival-rate
    rate: 20
    duration: 1m
    pre_allocated_vus: 5
    max_vus: 50
    start_time: 10s
    graceful_stop: 5s
    flow: []
  ramp: {executor: ramping-vus, stages: [{duration: 10s, target: 4}, {duration: 20s, target: 1}], flow: []}
  once: {executor: shared-iterations, vus: 1, iterations: 3, flow: []}
`;
const plan = () => load(PLAN).plan!;

describe("the start banner", () => {
  test("plan, each scenario's executor in words, the most VUs, the longest run and the outputs", () => {
    const run = prepareRun(plan(), { baseDir: ".", env: {}, controlApi: false, source: { file: "shop.yaml", locate: () => undefined } });
    const outline = runOutline(run, [parseOutputFlag("json=out.ndjson,format=k6"), parseOutputFlag("prometheus=https://user:secret@prom.example/api/v1/write")], { summaryExport: "-", report: "r.html" });
    expect(bannerLines(outline, "9.9.9")).toEqual([
      "loadr 9.9.9 — shop (shop.yaml)",
      // api: 10s start + 1m + 5s graceful stop; per-vu/shared-iterations: 10m max_duration + 30s
      "  scenarios: 4 scenarios, up to 65 VUs, at most 10m30s (graceful stops included)",
      "    * browse: 10 looping VUs for 30s (constant-vus)",
      "    * api: 20 iterations/s for 1m on up to 50 VUs, from 10s (constant-arrival-rate)",
      "    * ramp: up to 4 looping VUs for 30s over 2 stages (ramping-vus)",
      "    * once: 3 iterations shared among 1 VU (at most 10m) (shared-iterations)",
      "  outputs:   json (out.ndjson, k6 format), prometheus (https://prom.example/api/v1/write), summary (stdout), report r.html",
    ]);
  });

  test("an externally-controlled scenario without duration runs until stopped; no outputs says so", () => {
    const p = load("scenarios:\n  x: {executor: externally-controlled, max_vus: 3, flow: []}\n").plan!;
    const lines = bannerLines(runOutline(prepareRun(p, { baseDir: ".", env: {}, controlApi: true }), []), "1");
    expect(lines).toEqual([
      "loadr 1",
      "  scenarios: 1 scenario, up to 3 VUs, until stopped",
      "    * x: up to 3 VUs set through the control API, until stopped (externally-controlled)",
      "  outputs:   none (the summary is printed at the end)",
    ]);
  });
});

describe("the verdict line", () => {
  const summary = (o: Partial<Summary>): Summary =>
    ({
      duration_secs: 5.04, aborted: null, thresholds_passed: true, thresholds: [],
      breakdown: { total: { requests: 12345, failures: 0 } }, ...o,
    }) as unknown as Summary;

  test("passed, failed (naming the threshold and its observed value in its unit), aborted, no thresholds", () => {
    const ok = { metric: "http_req_duration", expression: "p(95)<500", observed: 12.5, passed: true, abort_on_fail: false, unit: "ms" as const };
    const bad = { metric: "http_req_failed", expression: "rate<0.01", observed: 0.25, passed: false, abort_on_fail: false, unit: "fraction" as const };
    expect(verdictLine(summary({ thresholds: [ok] }), 0)).toBe("✓ PASSED — 1 of 1 thresholds passed; 12,345 requests, 0 failed, 5.0s (exit code 0)");
    expect(verdictLine(summary({ thresholds: [ok, bad], thresholds_passed: false, breakdown: { total: { requests: 40, failures: 10 } } as never }), 99)).toBe(
      "✗ THRESHOLDS FAILED — 1 of 2 thresholds failed: http_req_failed rate<0.01 (observed 25.00%); 40 requests, 10 failed, 5.0s (exit code 99)",
    );
    expect(verdictLine(summary({ aborted: "stopped by user (Ctrl-C)" }), 99)).toBe(
      "✗ ABORTED stopped by user (Ctrl-C) — no thresholds; 12,345 requests, 0 failed, 5.0s (exit code 99)",
    );
  });
});

describe("progress without a terminal", () => {
  test("a newline-terminated line per interval, on the tick nearest to it; none when off; redraw uses \\r", () => {
    let t = 0;
    const out: string[] = [];
    const p = new Progress("lines", 10_000, (s) => void out.push(s), () => t);
    p.start();
    for (t = 1000; t <= 31_000; t += 1000) p.draw(`  running ${t}   `);
    // ticks come a little early or late: 9.8 s counts as the 10 s line
    t = 40_800;
    p.draw("  running late   ");
    p.end();
    expect(out).toEqual(["  running 10000\n", "  running 20000\n", "  running 30000\n", "  running late\n"]);

    const none: string[] = [];
    const off = new Progress("off", 10_000, (s) => void none.push(s), () => 99_999);
    off.start();
    off.draw("x");
    off.end();
    expect(none).toEqual([]);

    const drawn: string[] = [];
    const r = new Progress("redraw", 10_000, (s) => void drawn.push(s));
    r.draw("a ");
    r.draw("b ");
    r.end();
    expect(drawn).toEqual(["\ra ", "\rb ", "\n"]);
  });
});

describe("command-line overrides", () => {
  test("each applies to the scenarios whose executor has the field; the others get one line each", () => {
    const { plan: p, notes } = applyOverrides(plan(), { vus: { value: 7, from: "--vus" }, duration: { value: 2000, from: "LOADR_DURATION" } });
    expect([p.scenarios.browse!.vus, p.scenarios.browse!.duration]).toEqual([7, 2000]);
    expect([p.scenarios.api!.vus, p.scenarios.api!.duration]).toEqual([undefined, 2000]);
    expect(p.scenarios.once!.vus).toBe(7);
    expect(p.scenarios.ramp!.stages).toEqual(plan().scenarios.ramp!.stages);
    expect(notes).toEqual([
      "--vus does not apply to scenario `api` (constant-arrival-rate: it starts `rate` iterations per `time_unit` for `duration`, on up to `max_vus` VUs)",
      "--vus, LOADR_DURATION do not apply to scenario `ramp` (ramping-vus: its VUs and length come from `stages`)",
      "LOADR_DURATION does not apply to scenario `once` (shared-iterations: it runs its `iterations` (bounded by `max_duration`))",
    ]);
  });

  test("an override no scenario can take is an error naming the executors that have it", () => {
    const p = load("scenarios:\n  r: {executor: ramping-vus, stages: [{duration: 1s, target: 1}], flow: []}\n").plan!;
    expect(() => applyOverrides(p, { iterations: { value: 3, from: "-i/--iterations" } })).toThrow(
      "-i/--iterations applies to no scenario of this plan (`r` is ramping-vus; only per-vu-iterations, shared-iterations have `iterations`)",
    );
  });
});

describe("run options from LOADR_* variables", () => {
  const env = { LOADR_VUS: "5", LOADR_OUTPUT: "json=a.ndjson; csv=b.csv", LOADR_NO_COLOR: "true", LOADR_HTTP_DEBUG: "1", LOADR_API: "127.0.0.1:1" };
  const options = { ...OPTIONS, quiet: { type: "boolean", multiple: true }, "no-color": { type: "boolean" } } as const;

  test("fill the flags not given; a flag wins over its variable; LOADR_API is not `--api`", () => {
    const { values, from } = withRunEnv({ duration: "3s" } as Record<string, unknown>, options, { ...env, LOADR_DURATION: "9s" });
    expect(values).toEqual({ duration: "3s", vus: "5", output: ["json=a.ndjson", "csv=b.csv"], "no-color": true, "http-debug": "headers" });
    expect([from("vus"), from("duration")]).toEqual(["LOADR_VUS", "--duration"]);
    expect(withRunEnv({ vus: "2" } as Record<string, unknown>, options, env).values.vus).toBe("2");
  });

  test("a boolean variable that is neither true nor false is an error naming it", () => {
    expect(() => withRunEnv({}, options, { LOADR_QUIET: "maybe" })).toThrow("LOADR_QUIET must be true or false (1/0, yes/no), got `maybe`");
  });
});
