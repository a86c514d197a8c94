/**
 * Flow step kinds end to end through dist/loadr against the echo target (reference §1.7, §2.8).
 * repeat, while, if and retry run in-process in test/flow-inprocess.test.ts.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

const scenario = (flow: string, opts = "executor: per-vu-iterations\n    vus: 1\n    iterations: 1") => `${ECHO_HEADER}
scenarios:
  s:
    ${opts}
    flow:
${flow}`;

describe("flow steps", () => {
  test("random weighted 9:1 favours the heavy choice; the choice label is pushed on the group stack", async () => {
    const r = await runPlan(
      scenario(
        `      - random:
          choices:
            - { weight: 9, name: common, steps: [ { request: { url: /status/200, name: pick } } ] }
            - { weight: 1, name: rare, steps: [ { request: { url: /status/200, name: pick } } ] }
            - { weight: 0, name: never, steps: [ { request: { url: /status/200, name: pick } } ] }`,
        "executor: per-vu-iterations\n    vus: 2\n    iterations: 200",
      ),
    );
    expect(r.code).toBe(0);
    const common = r.sum("http_reqs", { name: "pick", group: "::common" });
    const rare = r.sum("http_reqs", { name: "pick", group: "::rare" });
    expect(common + rare).toBe(400);
    expect(common).toBeGreaterThan(3 * rare);
    expect(rare).toBeGreaterThan(0);
    expect(r.sum("http_reqs", { group: "::never" })).toBe(0);
  });

  test("random round_robin shares one counter across all VUs and workers: a/b/c twice each over 6 iterations", async () => {
    const r = await runPlan(
      scenario(
        `      - random:
          strategy: round_robin
          choices:
            - { name: a, steps: [ { request: { url: /status/200, name: rr } } ] }
            - { name: b, steps: [ { request: { url: /status/200, name: rr } } ] }
            - { steps: [ { request: { url: /status/200, name: rr } } ] }`,
        "executor: shared-iterations\n    vus: 2\n    iterations: 6",
      ),
      {},
      ["--workers", "2"],
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { group: "::a" })).toBe(2);
    expect(r.sum("http_reqs", { group: "::b" })).toBe(2);
    expect(r.sum("http_reqs", { group: "::branch-2" })).toBe(2);
  });

  test("foreach iterates inline arrays and JSON rendered from templates; invalid JSON runs zero passes", async () => {
    const r = await runPlan(
      scenario(`      - foreach:
          items: [a, b, c, d]
          var: letter
          steps:
            - request: { url: "/echo?l=\${letter}&i=\${index}", name: inline, checks: [{ type: js, name: item and index agree, expression: "const q = JSON.parse(response.body).query; 'abcd'[q.i] === q.l" }] }
      - request:
          url: /json
          extract: [{ type: jsonpath, name: ids, expression: "$.items[*].id", index: all }]
      - foreach:
          items: "\${ids}"
          steps:
            - request: { url: "/echo?id=\${item}", name: extracted }
      - foreach:
          items: "\${js: [10, 20, 30].map(x => x + 1)}"
          steps:
            - request: { url: "/echo?v=\${item}", name: fromjs }
      - foreach:
          items: "not json"
          steps:
            - request: { url: /status/200, name: none }
      - foreach:
          items: 7
          steps:
            - request: { url: "/echo?one=\${item}", name: single }`),
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "inline" })).toBe(4);
    expect(r.summary.checks).toEqual([{ name: "item and index agree", passes: 4, fails: 0 }]);
    expect(r.sum("http_reqs", { name: "extracted" })).toBe(2);
    expect(r.sum("http_reqs", { name: "fromjs" })).toBe(3);
    expect(r.sum("http_reqs", { name: "none" })).toBe(0);
    expect(r.sum("http_reqs", { name: "single" })).toBe(1);
  });

  test("switch runs the case equal to the rendered value, else default", async () => {
    const r = await runPlan(
      scenario(
        `      - request:
          url: /echo?tier=gold
          extract: [{ type: jsonpath, name: tier, expression: "$.query.tier" }]
      - switch:
          value: "\${tier}"
          cases:
            silver: [ { request: { url: /status/200, name: silver } } ]
            gold: [ { request: { url: /status/200, name: gold } } ]
          default: [ { request: { url: /status/200, name: other } } ]
      - switch:
          value: "\${undefined_name}"
          cases:
            x: [ { request: { url: /status/200, name: x } } ]
          default: [ { request: { url: /status/200, name: dflt } } ]`,
      ),
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "gold" })).toBe(1);
    expect(r.sum("http_reqs", { name: "silver" }) + r.sum("http_reqs", { name: "other" })).toBe(0);
    expect(r.sum("http_reqs", { name: "dflt" })).toBe(1);
  });

  test("during repeats its steps until the duration is over (1 s with 100 ms think time → 5–15 passes)", async () => {
    const r = await runPlan(
      scenario(`      - during:
          duration: 1s
          steps:
            - request: { url: /status/200, name: d }
            - think_time: { type: constant, duration: 100ms }`),
    );
    expect(r.code).toBe(0);
    const n = r.sum("http_reqs", { name: "d" });
    expect(n).toBeGreaterThanOrEqual(5);
    expect(n).toBeLessThanOrEqual(15);
    expect(r.series("iteration_duration")[0]!.agg.max!).toBeGreaterThanOrEqual(1000);
  });

  test("a during of JS-only passes does not starve the worker: another scenario's VU keeps sending", async () => {
    const r = await runPlan(`${ECHO_HEADER}
scenarios:
  spin:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - during:
          duration: 1s
          steps:
            - js: "session.counterAdd('spins', 1)"
  traffic:
    executor: constant-vus
    vus: 1
    duration: 1s
    flow:
      - request: { url: /status/200, name: t }
`, {}, ["--workers", "1"]);
    expect(r.code).toBe(0);
    expect(r.sum("spins")).toBeGreaterThan(100);
    // a starved worker sends 1 (before the spin takes the thread); one that yields every 20 ms
    // sent 64-70 here, and 20 on a loaded machine: a bound between that a loaded machine keeps
    expect(r.sum("http_reqs", { name: "t" })).toBeGreaterThanOrEqual(5);
  });

  test("parallel runs branches concurrently and merges their variables back", async () => {
    const r = await runPlan(
      scenario(`      - parallel:
          branches:
            - - request: { url: /delay/200, name: p }
              - request: { url: "/echo?from=a", name: pa, extract: [{ type: jsonpath, name: a, expression: "$.query.from" }] }
            - - request: { url: /delay/200, name: p }
              - request: { url: "/echo?from=b", name: pb, extract: [{ type: jsonpath, name: b, expression: "$.query.from" }] }
            - - request: { url: /delay/200, name: p }
      - request:
          url: "/echo?ab=\${a}\${b}"
          name: after
          checks: [{ type: jsonpath, name: merged, expression: "$.query.ab", equals: ab }]`),
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "p" })).toBe(3);
    expect(r.summary.checks).toEqual([{ name: "merged", passes: 1, fails: 0 }]);
    // three 200 ms branches one after another would take ≥ 600 ms
    expect(r.series("iteration_duration")[0]!.agg.max!).toBeLessThan(580);
  });

  test("rendezvous releases when `users` VUs wait, across workers, well before its timeout", async () => {
    const r = await runPlan(
      scenario(
        `      - request: { url: "/delay/\${js: session.vu * 150}", name: stagger }
      - rendezvous: { name: gate, users: 2, timeout: 5s }
      - request: { url: /status/200, name: after }`,
        "executor: per-vu-iterations\n    vus: 2\n    iterations: 2",
      ),
      {},
      ["--workers", "2"],
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "after" })).toBe(4);
    expect(r.stderr).not.toContain("timed out");
    expect(r.series("iteration_duration")[0]!.agg.max!).toBeLessThan(2500);
  });

  test("a rendezvous that never fills warns after its timeout and the flow goes on", async () => {
    const r = await runPlan(
      scenario(`      - rendezvous: { name: lonely, users: 3, timeout: 300ms }
      - request: { url: /status/200, name: after }`),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("rendezvous `lonely` timed out");
    expect(r.sum("http_reqs", { name: "after" })).toBe(1);
  });
});

describe("js steps and ${js: ...}", () => {
  test("session API: vars, vu, iteration, scenario, custom metrics; ${js:} renders into the request", async () => {
    const r = await runPlan(
      scenario(
        `      - js: |
          session.vars.greeting = "hi-" + session.vu + "-" + session.iteration + "-" + session.scenario;
          session.counterAdd("js_counter", 2, { kind: "x" });
          session.trendAdd("js_trend", 12.5);
          session.gaugeSet("js_gauge", 7);
          session.rateAdd("js_rate", true);
      - request:
          url: "/echo?g=\${greeting}&sum=\${js: 40 + 2}&env=\${js: __ENV.LOADR_FLOW_ENV}&obj=\${js: ({a: 1})}"
          name: q
          checks:
            - { type: jsonpath, name: greeting, expression: "$.query.g", equals: "hi-1-1-s" }
            - { type: jsonpath, name: sum, expression: "$.query.sum", equals: "42" }
            - { type: jsonpath, name: env, expression: "$.query.env", equals: "from-env" }
            - { type: jsonpath, name: obj, expression: "$.query.obj", equals: '{"a":1}' }
      - js: "typeof process + typeof Bun + typeof require"
      - request: { url: "/echo?scope=\${js: typeof process + '-' + typeof Bun + '-' + typeof require}", name: scope,
                   checks: [{ type: jsonpath, name: no runner globals, expression: "$.query.scope", equals: undefined-undefined-undefined }] }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 2",
      ),
      {},
      [],
      { LOADR_FLOW_ENV: "from-env" },
    );
    expect(r.code).toBe(0);
    const byName = Object.fromEntries(r.summary.checks.map((c: any) => [c.name, c]));
    expect(byName.greeting).toEqual({ name: "greeting", passes: 1, fails: 1 }); // iteration 0 then 1
    for (const n of ["sum", "env", "obj", "no runner globals"]) expect(byName[n].fails).toBe(0);
    expect(r.sum("js_counter", { kind: "x" })).toBe(4);
    expect(r.count("js_trend")).toBe(2);
    expect(r.count("js_rate")).toBe(2);
  });

  test("session cookies: cookieSet is sent, cookieGet reads what the server set, cookiesClear empties the jar", async () => {
    const r = await runPlan(
      scenario(`      - request:
          url: "/cookies/set?srv=1"
          name: set
          checks: [{ type: js, name: set from js, expression: "session.cookieSet(response.url, 'made', 'in-js'), true" }]
      - request:
          url: /cookies
          name: jar
          checks:
            - { type: jsonpath, name: js cookie sent, expression: "$.made", equals: in-js }
            - { type: js, name: server cookie readable, expression: "session.cookieGet(response.url, 'srv') === '1'" }
      - js: "session.cookiesClear()"
      - request:
          url: /cookies
          name: cleared
          checks: [{ type: js, name: jar empty, expression: "response.body === '{}'" }]`),
    );
    expect(r.code).toBe(0);
    expect(r.summary.checks.map((c: any) => [c.name, c.fails])).toEqual([
      ["jar empty", 0],
      ["js cookie sent", 0],
      ["server cookie readable", 0],
      ["set from js", 0],
    ]);
  });

  test("a JS step that throws or loops is counted in vu_exceptions; the VU and the run go on", async () => {
    const r = await runPlan(
      `${ECHO_HEADER}
js:
  timeout: 100ms
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - js: "throw new Error('boom 42')"
      - js: "while (true) {}"
      - request: { url: /status/200, name: still }
      - request: { url: "/echo?x=\${js: nope.nope}", name: broken }
`,
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "still" })).toBe(2);
    expect(r.sum("vu_exceptions", { site: "js_step", exception: "boom N" })).toBe(2);
    expect(r.sum("vu_exceptions", { site: "js_step", exception: "script timed out (limit Nms)" })).toBe(2);
    // a ${js:} that throws makes the request unsendable: an http_req_failed {error: prepare} sample
    expect(r.sum("http_req_failed", { name: "broken", error: "prepare" })).toBe(2);
    expect(r.sum("vu_exceptions", { site: "template" })).toBe(2);
    expect(r.stderr).not.toContain("    at ");
  });
});
