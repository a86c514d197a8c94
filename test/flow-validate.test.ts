/** `loadr validate` on issue 4's constructs: every problem at its line and column (reference §1.13). */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(30_000);

async function validate(plan: string) {
  const dir = scratch({ "plan.yaml": plan, "users.csv": "username\nalice\n" });
  return loadr(["validate", join(dir, "plan.yaml")]);
}

describe("validate", () => {
  test("invalid XPath, CSS, JMESPath and JavaScript are errors at their line and column", async () => {
    const r = await validate(`scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: http://127.0.0.1:1/x
          extract:
            - { type: xpath, name: a, expression: "//a[" }
            - { type: css, name: b, expression: "div[" }
            - { chain: c, jmespath: "items[" }
          checks:
            - { type: js, expression: "response.status ===" }
      - if: { condition: "a b c", then: [] }
      - js: "let = ;"
      - retry: { until: "(", steps: [] }
      - request: { url: "http://127.0.0.1:1/\${js: 1 +}" }
`);
    expect(r.code).toBe(1);
    const lines = r.stdout + r.stderr;
    expect(lines).toContain("error at line 10, column 51 (scenarios.s.flow[0].request.extract[0].expression): invalid XPath `//a[`");
    expect(lines).toContain("error at line 11, column 49 (scenarios.s.flow[0].request.extract[1].expression): invalid CSS selector `div[`");
    expect(lines).toContain("error at line 12, column 37 (scenarios.s.flow[0].request.extract[2].jmespath): invalid JMESPath `items[`");
    expect(lines).toContain("error at line 14, column 39 (scenarios.s.flow[0].request.checks[0].expression): invalid JavaScript `response.status ===`");
    expect(lines).toContain("error at line 15, column 26 (scenarios.s.flow[1].if.condition): invalid JavaScript `a b c`");
    expect(lines).toContain("error at line 16, column 13 (scenarios.s.flow[2].js): invalid JavaScript `let = ;`");
    expect(lines).toContain("(scenarios.s.flow[3].retry.until): invalid JavaScript `(`");
    expect(lines).toContain("error at line 18, column 25 (scenarios.s.flow[4].request.url): invalid JavaScript in `${js: 1 +}`");
  });

  test("undefined data sources, variables and secrets in any templated request field; unproduced names warn", async () => {
    const r = await validate(`data:
  users: { type: inline, rows: [ { a: 1 } ] }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: "http://127.0.0.1:1/\${token}"
          headers: { X-U: "\${data.userz.a}" }
          params: { v: "\${vars.nope}" }
          body: { json: { s: "\${secrets.k}" } }
      - foreach:
          items: [1]
          steps:
            - request: { url: "http://127.0.0.1:1/\${item}" }
`);
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/error at line 11, column \d+ \(scenarios\.s\.flow\[0\]\.request\.headers\.X-U\): `\$\{data\.userz\.a\}` refers to `userz`, which is not defined in `data:` — did you mean `users`\?/);
    expect(out).toContain("(scenarios.s.flow[0].request.params.v): `${vars.nope}` refers to `nope`, which is not defined in `variables:`");
    expect(out).toContain("(scenarios.s.flow[0].request.body.json.s): `${secrets.k}` refers to `k`, which is not defined in `secrets:`");
    expect(out).toMatch(/warning at line 10, column \d+ \(scenarios\.s\.flow\[0\]\.request\.url\): `\$\{token\}` is neither/);
    expect(out).not.toContain("`${item}` is neither");
  });

  test("the reference's whole step and extractor vocabulary validates cleanly", async () => {
    const r = await validate(`data:
  users: { type: csv, path: users.csv, mode: per_vu, pick: shuffle, on_eof: stop }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    throttle: { requests_per_second: 5 }
    flow:
      - js: "session.vars.n = 0"
      - while: { condition: "session.vars.n < 2", max_iterations: 3, steps: [ { js: { script: "session.vars.n++" } } ] }
      - repeat: { times: 2, counter: i, steps: [] }
      - random: { strategy: round_robin, choices: [ { name: a, steps: [] }, { weight: 2, steps: [] } ] }
      - switch: { value: "\${vu}", cases: { "1": [] }, default: [] }
      - during: { duration: 1s, steps: [] }
      - retry: { times: 2, until: "true", backoff: 10ms, steps: [] }
      - parallel: { branches: [ [], [] ] }
      - rendezvous: { name: r, users: 1 }
      - request:
          url: "http://127.0.0.1:1/\${data.users.username}"
          extract:
            - { type: xpath, name: x, expression: "//a/@href" }
            - { type: css, name: y, expression: "a.b > c[d=e]", attribute: href }
            - { chain: z, jmespath: "a[0].b", as: int, transform: [trim, { substring: [0, 2] }], check: { min: 1, on_failure: abort_iteration } }
          checks:
            - { type: xpath, expression: "//a", equals: "x" }
            - { type: js, expression: "response.status == 200" }
`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("run names what this build cannot run yet", () => {
  test("observe warns once at start; a JS module no longer does; the run goes on", async () => {
    const dir = scratch({
      "plan.yaml": `plugins: [{ name: echo }]
js:
  script: "export function setup() {}"
observe:
  - { type: prometheus, source: "http://127.0.0.1:1", query: up }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "\${services.echo.url}/echo" }
`,
    });
    const r = await loadr(["run", join(dir, "plan.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("js");
    expect(r.stderr).toContain("warning: `observe:` is validated but not run by this build yet");
  });
});
