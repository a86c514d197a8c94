/**
 * Flow semantics on the test's own thread (test/support/in-process.ts): the worker-thread set-up
 * runs the plan against the echo target started in-process, so these need no build and show in a
 * debugger or profiler. What only the binary shows (workers, signals, exit codes, the CLI) stays
 * in the cli-* and flow-* suites.
 */
import { describe, expect, test } from "bun:test";
import { ECHO_HEADER } from "./support/run-plan.ts";
import { runInProcess } from "./support/in-process.ts";

const plan = (flow: string, executor = "executor: per-vu-iterations\n    vus: 1\n    iterations: 1") => `${ECHO_HEADER}
scenarios:
  s:
    ${executor}
    flow:
${flow}`;

describe("flows in-process", () => {
  test("a request's extraction feeds the next request; a failed extraction adds its http_req_failed sample", async () => {
    const r = await runInProcess(
      plan(
        `      - request:
          method: POST
          url: /login
          name: login
          body: { json: { username: ada, password: pw } }
          extract:
            - { type: jsonpath, name: token, expression: "$.token" }
            - { type: jsonpath, name: missing, expression: "$.nope" }
      - request:
          url: /echo
          name: use
          headers: { Authorization: "Bearer \${token}" }
          checks: [{ type: jsonpath, name: token sent, expression: "$.headers.authorization", exists: true }, { type: body_contains, name: session token, value: "Bearer sess-" }]`,
        "executor: per-vu-iterations\n    vus: 2\n    iterations: 3",
      ),
    );
    expect(r.sum("http_reqs", { name: "login" })).toBe(6);
    expect(r.sum("http_reqs", { name: "use" })).toBe(6);
    expect(r.summary.checks).toEqual([
      { name: "session token", passes: 6, fails: 0 },
      { name: "token sent", passes: 6, fails: 0 },
    ]);
    // each login: one sample for the exchange (passed) and one extra for the failed extraction
    expect(r.sum("http_req_failed", { name: "login" })).toBe(6);
    expect(r.count("http_req_failed", { name: "login" })).toBe(12);
    expect(r.log.some((l) => l.includes("extraction `missing` failed: jsonpath $.nope matched nothing"))).toBe(true);
  });

  test("if picks then or else from its JS condition, per VU and iteration; a throwing condition is false and counted in vu_exceptions", async () => {
    const r = await runInProcess(
      plan(
        `      - if:
          condition: "session.iteration % 2 === 0"
          then: [ { request: { url: /status/200, name: even } } ]
          else: [ { request: { url: /status/201, name: odd } } ]
      - if:
          condition: "no_such_thing.x"
          then: [ { request: { url: /status/200, name: never } } ]
          else: [ { request: { url: /status/200, name: fallback } } ]`,
        "executor: per-vu-iterations\n    vus: 2\n    iterations: 5",
      ),
    );
    expect(r.sum("http_reqs", { name: "even" })).toBe(6);
    expect(r.sum("http_reqs", { name: "odd" })).toBe(4);
    expect(r.sum("http_reqs", { name: "never" })).toBe(0);
    expect(r.sum("http_reqs", { name: "fallback" })).toBe(10);
    expect(r.sum("vu_exceptions", { site: "condition" })).toBe(10);
  });

  test("repeat runs `times` passes with its counter; while stops on its condition or at max_iterations", async () => {
    const r = await runInProcess(
      plan(
        `      - repeat:
          times: 4
          counter: n
          steps:
            - request: { url: "/echo?n=\${n}", name: rep, checks: [{ type: js, name: counter in range, expression: "JSON.parse(response.body).query.n < 4" }] }
      - js: "session.vars.k = 0"
      - while:
          condition: "session.vars.k < 3"
          steps:
            - js: "session.vars.k++"
            - request: { url: /status/200, name: w }
      - while:
          condition: "true"
          max_iterations: 5
          steps:
            - request: { url: /status/200, name: capped }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 3",
      ),
    );
    expect(r.sum("http_reqs", { name: "rep" })).toBe(12);
    expect(r.summary.checks).toEqual([{ name: "counter in range", passes: 12, fails: 0 }]);
    expect(r.sum("http_reqs", { name: "w" })).toBe(9);
    expect(r.sum("http_reqs", { name: "capped" })).toBe(15);
  });

  test("retry: the last request of an attempt decides, `until` overrides, success stops early, backoff is slept", async () => {
    const r = await runInProcess(
      plan(`      - retry:
          times: 3
          backoff: 50ms
          steps:
            - request: { url: /status/503, name: failing }
      - retry:
          times: 5
          until: "session.vars.attempt >= 1"
          steps:
            - request: { url: /status/200, name: until }
      - retry:
          steps:
            - request: { url: /status/500, name: first-fails }
            - request: { url: /status/200, name: last-passes }`),
    );
    expect(r.sum("http_reqs", { name: "failing" })).toBe(3);
    expect(r.sum("http_reqs", { name: "until" })).toBe(2);
    expect(r.sum("http_reqs", { name: "first-fails" })).toBe(1);
    expect(r.sum("http_reqs", { name: "last-passes" })).toBe(1);
    // two backoffs of 50 ms between the three failing attempts
    expect(r.series("iteration_duration")[0]!.agg.max!).toBeGreaterThanOrEqual(100);
  });

  test("an assertion with on_failure: abort_iteration skips the rest of that iteration only", async () => {
    const r = await runInProcess(
      plan(
        `      - request: { url: "/status/\${js: session.iteration === 1 ? 500 : 200}", name: gate, assert: [{ type: status, equals: 200, on_failure: abort_iteration }] }
      - request: { url: /status/200, name: after }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 3",
      ),
    );
    expect(r.sum("http_reqs", { name: "gate" })).toBe(3);
    expect(r.sum("http_reqs", { name: "after" })).toBe(2);
  });
});
