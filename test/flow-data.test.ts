/** Data feeders (reference §1.9) end to end: csv/json/inline, mode, on_eof, pick, across workers; bad files. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

const USERS = "username,password\nalice,a1\nbob,b2\ncarol,c3\ndave,d4\nerin,e5\n";
const SKUS = JSON.stringify([
  { sku: "W-1", name: "Widget", price: 3 },
  { sku: "G-2", name: "Gadget", price: 4.5 },
  { sku: "D-3", name: "Doohickey", tags: ["a"] },
]);

const plan = (data: string, flow: string, opts: string) => `${ECHO_HEADER}
data:
${data}
scenarios:
  s:
    ${opts}
    flow:
${flow}`;

/** The query value `u` of every /echo request, by the user it named (from the request-name tag). */
const users = (r: Awaited<ReturnType<typeof runPlan>>) =>
  Object.fromEntries(r.series("http_reqs").map((s) => [s.tags.name!, s.agg.sum!]));

describe("data feeders", () => {
  test("shared + on_eof stop: every row is used exactly once across 2 workers, then the VUs retire", async () => {
    const r = await runPlan(
      plan(
        "  users: { type: csv, path: users.csv, on_eof: stop }",
        `      - request: { url: "/echo?u=\${data.users.username}", name: "\${data.users.username}-\${data.users.password}" }`,
        "executor: per-vu-iterations\n    vus: 2\n    iterations: 10",
      ),
      { "users.csv": USERS },
      ["--workers", "2"],
    );
    expect(r.code).toBe(0);
    expect(users(r)).toEqual({ "alice-a1": 1, "bob-b2": 1, "carol-c3": 1, "dave-d4": 1, "erin-e5": 1 });
  });

  test("one row per source per iteration: later references in the iteration reuse it; recycle wraps", async () => {
    const r = await runPlan(
      plan(
        "  users: { type: csv, path: users.csv }",
        `      - request: { url: "/echo?a=\${data.users.username}", name: first }
      - request:
          url: "/echo?b=\${data.users.username}"
          name: second
          checks: [{ type: js, name: same row, expression: "JSON.parse(response.body).query.b === session.data('users').username" }]`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 7",
      ),
      { "users.csv": USERS },
    );
    expect(r.code).toBe(0);
    expect(r.summary.checks).toEqual([{ name: "same row", passes: 7, fails: 0 }]);
    expect(r.sum("http_reqs", { name: "first" })).toBe(7);
  });

  test("per_vu: each VU walks the rows from the start; has_header false names columns col0..", async () => {
    const r = await runPlan(
      plan(
        "  users: { type: csv, path: users.csv, mode: per_vu, on_eof: stop, has_header: false, delimiter: ';' }",
        `      - request: { url: "/echo", name: "\${data.users.col0}" }`,
        "executor: per-vu-iterations\n    vus: 3\n    iterations: 5",
      ),
      { "users.csv": "x;1\ny;2\n" },
      ["--workers", "2"],
    );
    expect(r.code).toBe(0);
    expect(users(r)).toEqual({ x: 3, y: 3 });
  });

  test("pick random never exhausts (on_eof ignored); shuffle visits every row once per pass", async () => {
    const r = await runPlan(
      plan(
        `  skus: { type: json, path: skus.json, pick: random, on_eof: stop }
  users: { type: csv, path: users.csv, mode: per_vu, pick: shuffle, on_eof: stop }`,
        `      - request: { url: "/echo?sku=\${data.skus.sku}", name: sku }
      - request: { url: "/echo", name: "\${data.users.username}" }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 5",
      ),
      { "skus.json": SKUS, "users.csv": USERS },
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "sku" })).toBe(5);
    const u = users(r);
    delete u.sku;
    expect(u).toEqual({ alice: 1, bob: 1, carol: 1, dave: 1, erin: 1 });
  });

  test("json and inline rows keep non-strings as JSON text", async () => {
    const r = await runPlan(
      plan(
        `  skus: { type: json, path: skus.json }
  inl: { type: inline, rows: [ { n: 5, flag: true, obj: { a: 1 } } ] }`,
        `      - request:
          url: "/echo?price=\${data.skus.price}&n=\${data.inl.n}&flag=\${data.inl.flag}&obj=\${data.inl.obj}"
          checks:
            - { type: jsonpath, name: price, expression: "$.query.price", equals: "3" }
            - { type: jsonpath, name: n, expression: "$.query.n", equals: "5" }
            - { type: jsonpath, name: flag, expression: "$.query.flag", equals: "true" }
            - { type: jsonpath, name: obj, expression: "$.query.obj", equals: '{"a":1}' }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 1",
      ),
      { "skus.json": SKUS },
    );
    expect(r.code).toBe(0);
    for (const c of r.summary.checks) expect(c.fails).toBe(0);
    expect(r.summary.checks.length).toBe(4);
  });

  test("an unknown column is unresolved: the request is not sent (error: prepare)", async () => {
    const r = await runPlan(
      plan(
        "  users: { type: csv, path: users.csv }",
        `      - request: { url: "/echo?x=\${data.users.nope}", name: bad }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 2",
      ),
      { "users.csv": USERS },
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_req_failed", { name: "bad", error: "prepare" })).toBe(2);
    expect(r.sum("http_reqs")).toBe(0);
  });

  const bad: [string, string, Record<string, string>, RegExp][] = [
    ["a ragged CSV row", "{ type: csv, path: d.csv }", { "d.csv": "a,b\n1,2\n3\n" }, /data source `d` \(d\.csv\): CSV record 3 has 1 field\(s\) but the header has 2/],
    ["a CSV with only a header", "{ type: csv, path: d.csv }", { "d.csv": "a,b\n" }, /data source `d` \(d\.csv\): CSV has no data rows/],
    ["an empty CSV", "{ type: csv, path: d.csv }", { "d.csv": "" }, /CSV has no data rows/],
    ["a JSON object", "{ type: json, path: d.json }", { "d.json": '{"a":1}' }, /JSON data source must be an array of objects/],
    ["a JSON array of numbers", "{ type: json, path: d.json }", { "d.json": "[1,2]" }, /each JSON data row must be an object \(element 0 is number\)/],
    ["an empty JSON array", "{ type: json, path: d.json }", { "d.json": "[]" }, /JSON data source has no rows/],
    ["invalid JSON", "{ type: json, path: d.json }", { "d.json": "[{" }, /d\.json\): invalid JSON/],
  ];
  for (const [what, src, files, msg] of bad)
    test(`startup error, one line, exit 1: ${what}`, async () => {
      const r = await runPlan(
        plan(`  d: ${src}`, `      - request: { url: "/echo?x=\${data.d.a}" }`, "executor: per-vu-iterations\n    vus: 1\n    iterations: 1"),
        files,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toContain("    at ");
      expect(r.stderr.trim().split("\n").filter((l) => l.startsWith("error")).length).toBe(1);
    });
});

describe("data feeders and JavaScript", () => {
  test("session.data() fetches this iteration's row; running out inside JS retires the VU like a template would", async () => {
    const r = await runPlan(
      plan(
        "  users: { type: csv, path: users.csv, on_eof: stop }",
        `      - if:
          condition: "session.data('users').username.length > 0"
          then:
            - request: { url: "/echo?u=\${data.users.username}", name: "\${data.users.username}" }`,
        "executor: per-vu-iterations\n    vus: 1\n    iterations: 9",
      ),
      { "users.csv": USERS },
    );
    expect(r.code).toBe(0);
    expect(users(r)).toEqual({ alice: 1, bob: 1, carol: 1, dave: 1, erin: 1 });
    expect(r.sum("vu_exceptions")).toBe(0);
    expect(r.stderr).not.toContain("stopped:");
  });
});
