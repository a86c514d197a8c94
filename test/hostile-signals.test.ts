/**
 * The hostile suite, signals: SIGTERM or SIGINT ends a run within the longest graceful_stop + 5 s
 * with its summary written, whatever its VUs are doing (docs/reliability.md). Before, a worker
 * busy with a loop of passes that do no I/O, or with starting 100,000 VUs at once, read the stop
 * only when it was done (never, or after seconds): the coordinator then terminated it at
 * graceful_stop + 5 s and its results since its last report were lost. Now the worker itself
 * stops within its graceful_stop and the run ends as aborted (99), not as a failure.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { rampTo100k, timedRun, total } from "./support/timed-run.ts";

setDefaultTimeout(60_000);

/** graceful_stop is 1 s: the workers end within it, far before the coordinator's 1 + 5 s */
async function stopsGracefully(plan: string, signal: "SIGTERM" | "SIGINT") {
  const r = await timedRun(plan, { args: ["--workers", "1"], signal, signalAfterMs: 2500, killAfterMs: 40_000 });
  expect(r.killed).toBe(false);
  expect(r.stderr).not.toContain("did not finish");
  expect(r.code).toBe(99);
  expect(r.summary.aborted).toBe(signal === "SIGTERM" ? "stopped by SIGTERM" : "stopped by user (Ctrl-C)");
  expect(r.afterSignalMs!).toBeLessThan(4500);
  return r;
}

describe("a signal stops a worker that never waits", () => {
  test("SIGTERM during `while: true` over js steps", async () => {
    const r = await stopsGracefully(
      `
scenarios:
  s:
    executor: constant-vus
    vus: 1
    duration: 1h
    graceful_stop: 1s
    flow:
      - js: "session.counterAdd('passes_started', 1)"
      - while: { condition: "true", max_iterations: 1000000000000, steps: [{ js: "1" }] }
`,
      "SIGTERM",
    );
    // the worker reported before it was stopped: its counter is in the summary
    expect(total(r.summary, "passes_started")).toBe(1);
  });

  test("SIGINT while 100,000 VUs are being started at once", async () => {
    // starting them all takes seconds, during which the worker used to read no message
    await stopsGracefully(
      rampTo100k("1h"),
      "SIGINT",
    );
  });
});
