/**
 * The hostile suite, workers: a worker thread that exits, throws, or never returns from a native
 * call. Before, an exit hung the run forever, a stuck call held the process past any deadline,
 * and a throw printed Bun's whole report; now the run ends on time with exit 1, one line of why
 * (the report only with -v), and the summary of what was measured (docs/reliability.md).
 *
 * Real triggers, no test hooks: a `js` step reaches the worker's own `process` through the
 * runner's Function constructor (a plan's JS is not a sandbox: src/engine/worker/js/context.ts);
 * the stuck call is a C plugin declaring `"blocking": false` (test/fixtures/native/stuck.c).
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { scratch } from "./support/cli.ts";
import { buildC } from "./support/native.ts";
import { timedRun, total } from "./support/timed-run.ts";

setDefaultTimeout(60_000);

const echoLoop = (js: string) => `
plugins: [{ name: echo }]
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: 20s
    flow:
      - request: { url: "\${services.echo.url}/json" }
      - js: ${JSON.stringify(js)}
`;

/** After ~1.5 s of requests, VU 1's next js step does `what` with the runner's realm at hand. */
const later = (what: string) =>
  `session.vars.t0 ??= Date.now(); if (session.vu === 1 && Date.now() - session.vars.t0 > 1500) console.log.constructor(${JSON.stringify(what)})()`;

describe("a worker that exits or throws ends the run", () => {
  test("process.exit() in a worker: exit 1 at once, one line, the summary of what was measured", async () => {
    const r = await timedRun(echoLoop(later("process.exit(7)")), { args: ["--workers", "2"], killAfterMs: 40_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    // VU 1 is in whichever worker started first
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: the run stopped on an internal error: worker [12] of 2 exited \(code 7\) before the run ended$/);
    expect(r.summary.aborted).toMatch(/worker [12] of 2 exited \(code 7\)/);
    expect(total(r.summary, "http_reqs")).toBeGreaterThan(0);
    expect(r.summary.duration_secs).toBeLessThan(10); // the 20 s scenario ended with the failure
  });

  test("an uncaught exception in a worker: one line of why; the report only with -v", async () => {
    const plan = echoLoop(later(`setTimeout(() => { throw new TypeError("boom from a timer") }, 0)`));
    const r = await timedRun(plan, { args: ["--workers", "2"], killAfterMs: 40_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the run stopped on an internal error: worker [12] of 2 failed: TypeError: boom from a timer\n/);
    expect(r.stderr).not.toContain("    at ");
    expect(r.stderr).not.toContain(" | ");
    expect(total(r.summary, "http_reqs")).toBeGreaterThan(0);
    expect(r.summary.duration_secs).toBeLessThan(10);

    const v = await timedRun(plan, { args: ["--workers", "2", "-v"], killAfterMs: 40_000 });
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/info: worker [12] of 2: /);
    expect(v.stderr).toContain("TypeError: boom from a timer");
    expect(v.stderr).toMatch(/\n\s+at /);
  });
});

describe("a worker stuck in a native call that never returns", () => {
  let stuck: string;
  beforeAll(() => {
    stuck = buildC(join(import.meta.dir, "fixtures/native/stuck.c"), join(scratch(), "libstuck.so"), ["-fvisibility=default"]);
  });

  // one VU calls the plugin inline (`blocking: false`) on its worker thread; after ~1.5 s the call
  // never returns, and the VU says so (a warning on stderr) just before it makes that call
  const stuckPlan = (duration: string) => `
plugins:
  - { name: stuck, path: ${stuck} }
scenarios:
  s:
    executor: constant-vus
    vus: 1
    duration: ${duration}
    graceful_stop: 1s
    flow:
      - request: { url: "stuck://h/ok" }
      - request: { url: "stuck://h/\${js: session.vars.t0 ??= Date.now(); Date.now() - session.vars.t0 > 1500 ? (console.warn('calling stuck'), 'stuck') : 'ok'}" }
`;

  test("is abandoned at the end of the schedule + 5 s; the run keeps its last report, and the process exits", async () => {
    const r = await timedRun(stuckPlan("3s"), { args: ["--workers", "1"], killAfterMs: 40_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: the run stopped on an internal error: worker 1 of 1 did not finish by the end of the schedule + 5 s (stuck in a plugin call that never returns?) and was abandoned",
    );
    // 3 s + 1 s graceful_stop + 5 s
    expect(r.summary.duration_secs).toBeGreaterThan(8.5);
    expect(r.summary.duration_secs).toBeLessThan(11);
    // the worker's report of its first second is kept
    expect(total(r.summary, "stuck_reqs")).toBeGreaterThan(0);
  });

  test("SIGTERM: the run ends within graceful_stop + 5 s and the process exits", async () => {
    // the signal comes once the worker is stuck, not at a time a loaded machine may still spend setting up
    const r = await timedRun(stuckPlan("60s"), { args: ["--workers", "1"], signalWhen: "calling stuck", killAfterMs: 40_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("did not finish within graceful_stop + 5 s of the stop");
    expect(r.afterSignalMs!).toBeLessThan(6000 + 1500);
    expect(r.summary.aborted).toBe("stopped by SIGTERM");
    expect(total(r.summary, "stuck_reqs")).toBeGreaterThan(0);
  });
});
