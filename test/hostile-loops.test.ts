/**
 * The hostile suite, flow loops: a loop whose passes do no I/O never lets its worker's event loop
 * turn, so before loop passes yielded (src/engine/worker/flow/loop-pass.ts) no timer fired — not
 * the scenario's deadline, not its graceful stop — and each of these runs went on forever. Now a
 * scenario's duration bounds it: it ends at duration + graceful_stop (docs/reliability.md).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { timedRun, total } from "./support/timed-run.ts";

setDefaultTimeout(60_000);

/** One scenario running `flow`: by default 1 VU for 1 s with 1 s of graceful stop. */
const scenario = (flow: string, o: { vus?: number; duration?: string; grace?: string; head?: string } = {}) => `${o.head ?? ""}
scenarios:
  s:
    executor: constant-vus
    vus: ${o.vus ?? 1}
    duration: ${o.duration ?? "1s"}
    graceful_stop: ${o.grace ?? "1s"}
    flow:
${flow}
`;

/**
 * Ends on its own, by the schedule: the summary's run time is within [min, max) seconds — by
 * default duration + graceful_stop, 2 s, give or take the load of the machine.
 */
async function endsOnSchedule(plan: string, [min, max] = [1.9, 5]) {
  const r = await timedRun(plan, { args: ["--workers", "1", "-q"], killAfterMs: 40_000 });
  expect(r.killed).toBe(false);
  expect(r.stderr).not.toContain("Bun v");
  expect(r.code).toBe(0);
  expect(r.summary).toBeDefined();
  expect(r.summary.duration_secs).toBeGreaterThanOrEqual(min);
  expect(r.summary.duration_secs).toBeLessThan(max);
  return r;
}

describe("loops of passes that do no I/O end with the scenario", () => {
  test("`while: true` over js steps (1e12 passes allowed) is cancelled when the graceful stop runs out", async () => {
    const r = await endsOnSchedule(scenario(`      - while: { condition: "true", max_iterations: 1000000000000, steps: [{ js: "session.vars.n = (session.vars.n || 0) + 1" }] }`));
    // the one iteration never completed: cancelled, so not counted
    expect(total(r.summary, "iterations")).toBe(0);
  });

  test("`repeat: 1e12` of a request that fails before any I/O (an unresolved template)", async () => {
    const r = await endsOnSchedule(scenario(`      - repeat: { times: 1000000000000, steps: [{ request: { url: "http://127.0.0.1:9/\${nothing_sets_this}" } }] }`));
    expect(total(r.summary, "iterations")).toBe(0);
  });

  test("`foreach` passes adding up to 3e7 (6,000 items × 5,000)", async () => {
    // Nested, so the lists stay small: one list of 3e7 items is a 60 MB string and a JSON.parse,
    // one synchronous step that nothing interrupts and that takes over 10 s on a loaded machine
    // (docs/reliability.md). The 3e7 passes are what used to hold the worker for minutes.
    const list = (n: number) => `'\${js: "[" + "0,".repeat(${n - 1}) + "0]"}'`;
    await endsOnSchedule(
      scenario(`      - foreach:
          items: ${list(6000)}
          var: a
          steps:
            - foreach: { items: ${list(5000)}, var: b, steps: [{ js: "1" }] }`),
    );
  });

  test("`retry` of 1e12 attempts whose `until` never holds", async () => {
    await endsOnSchedule(scenario(`      - retry: { times: 1000000000000, until: "false", steps: [{ js: "1" }] }`));
  });

  test("`during` of an hour over js steps", async () => {
    await endsOnSchedule(scenario(`      - during: { duration: 1h, steps: [{ js: "1" }] }`));
  });
});

describe("iterations that do no I/O", () => {
  test("100 VUs whose requests fail before any I/O see the deadline on time", async () => {
    // the event loop turns only once every VU has yielded: one VU yielding must not hide the
    // starvation from the others (that made the deadline late by a turn per VU)
    const r = await endsOnSchedule(scenario(`      - request: { url: "http://127.0.0.1:9/\${nothing_sets_this}" }`, { vus: 100, grace: "10s" }), [0.9, 2]);
    expect(total(r.summary, "iterations")).toBeGreaterThan(0);
  });
});

describe("a `${js: ...}` that runs to its timeout", () => {
  test("starts no new iteration after the deadline", async () => {
    // each iteration spends the whole js.timeout (2 s) in its URL template: the first one ends
    // past the 1 s deadline, and no second one may begin (before: it did, and the run took 4 s+)
    const r = await endsOnSchedule(
      scenario(`      - request: { url: "http://127.0.0.1:9/\${js: while (true) {}}" }`, { grace: "30s", head: "js: { timeout: 2s }" }),
      [1.9, 3.9],
    );
    expect(total(r.summary, "iterations")).toBe(1);
    expect(total(r.summary, "vu_exceptions")).toBe(1);
  });
});
