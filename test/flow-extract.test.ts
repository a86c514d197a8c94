/** xpath and css extractors, fused chains, xpath and js conditions (reference §1.10) through dist/loadr. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";
import { applyTransform, coerce, compileTransform, type Transform } from "../src/extract/chain-values.ts";

setDefaultTimeout(30_000);

const one = (flow: string) => `${ECHO_HEADER}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
${flow}`;

const checkMap = (r: Awaited<ReturnType<typeof runPlan>>) =>
  Object.fromEntries((r.summary.checks as { name: string; passes: number; fails: number }[]).map((c) => [c.name, c.fails === 0 && c.passes > 0]));

describe("extractors", () => {
  test("xpath (node text, attributes, functions) and css (text, attribute, index) feed later requests", async () => {
    const r = await runPlan(
      one(`      - request:
          url: /xml
          extract:
            - { type: xpath, name: second, expression: "//item[2]/name" }
            - { type: xpath, name: id, expression: "//item[1]/@id" }
            - { type: xpath, name: count, expression: "count(//item)" }
            - { type: xpath, name: missing, expression: "//nothing", default: none }
      - request:
          url: /html
          extract:
            - { type: css, name: csrf, expression: "input[name=csrf]", attribute: value }
            - { type: css, name: links, expression: "a", attribute: href, index: all }
      - request:
          url: "/echo?s=\${second}&id=\${id}&c=\${count}&m=\${missing}&csrf=\${csrf}&links=\${links}"
          checks:
            - { type: jsonpath, name: s, expression: "$.query.s", equals: beta }
            - { type: jsonpath, name: id, expression: "$.query.id", equals: "1" }
            - { type: jsonpath, name: c, expression: "$.query.c", equals: "2" }
            - { type: jsonpath, name: m, expression: "$.query.m", equals: none }
            - { type: jsonpath, name: csrf, expression: "$.query.csrf", equals: csrf-token-xyz }
            - { type: js, name: links, expression: "JSON.parse(JSON.parse(response.body).query.links).length >= 2" }`),
    );
    expect(r.code).toBe(0);
    expect(checkMap(r)).toEqual({ s: true, id: true, c: true, m: true, csrf: true, links: true });
  });

  test("an xpath over a body that is not XML is an extraction failure (one extra http_req_failed), not a crash", async () => {
    const r = await runPlan(one(`      - request: { url: /json, name: j, extract: [{ type: xpath, name: x, expression: "//a" }] }`));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("not well-formed XML");
    expect(r.count("http_req_failed", { name: "j" })).toBe(2);
  });

  test("chains: jmespath + as + transforms + check record checks samples; a failed check keeps the old value", async () => {
    const r = await runPlan(
      one(`      - request:
          url: /demo/inventory
          extract:
            - chain: top
              jmespath: "items[?price > \`10\`].name"
              transform: [uppercase, { prepend: "<" }, { append: ">" }]
              check: { equals: "<BETA>" }
            - chain: total
              jmespath: count
              as: int
              check: { min: 1, max: 5 }
            - chain: cheap
              jmespath: "items[*].price"
              index: last
              as: string
              check: { one_of: ["19", 42] }
            - chain: trace
              header: X-Request-Id
              transform: [{ replace: ["-", "_"] }, { substring: [0, 5] }]
              check: { matches: "^req_1" }
            - chain: absent
              jmespath: "nope"
              default: 7
              as: float
            - chain: status
              jsonpath: "$.status"
              check: { not_empty: true }
            - chain: fails
              jmespath: status
              check: { equals: "bad", on_failure: continue }
      - request:
          url: "/echo?top=\${top}&total=\${total}&cheap=\${cheap}&trace=\${trace}&absent=\${absent}"
          checks:
            - { type: jsonpath, name: echoed, expression: "$.query", equals: { top: "<BETA>", total: "2", cheap: "19", trace: "req_1", absent: "7" } }
      - request: { url: "/echo?f=\${fails}", name: unsent }`),
    );
    expect(r.code).toBe(0);
    expect(checkMap(r)).toEqual({ top: true, total: true, cheap: true, trace: true, status: true, fails: false, echoed: true });
    // `fails` failed its check, so it was never saved and the request using it could not render
    expect(r.sum("http_req_failed", { name: "unsent", error: "prepare" })).toBe(1);
  });

  test("a chain check with on_failure: abort_test stops the run with the reference's reason", async () => {
    const r = await runPlan(
      `${ECHO_HEADER}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 50
    flow:
      - request:
          url: /json
          name: tok
          extract:
            - { chain: token, jsonpath: "$.token", check: { equals: "other", on_failure: abort_test } }
`,
    );
    expect(r.code).toBe(99);
    expect(r.summary.aborted).toBe("chain `token` check failed on `tok`");
  });
});

describe("conditions", () => {
  test("xpath and js conditions with their auto-generated names", async () => {
    const r = await runPlan(
      one(`      - request:
          url: /xml
          checks:
            - { type: xpath, expression: "//item[1]/name", equals: alpha }
            - { type: xpath, expression: "//missing", exists: false }
            - { type: js, expression: "response.status === 200 && response.headers['content-type'].includes('xml')" }
            - { type: js, expression: "const b = response.body; b.length > 10" }
            - { type: js, name: throws, expression: "response.nope.nope" }`),
    );
    expect(r.code).toBe(0);
    expect(checkMap(r)).toEqual({
      "xpath //item[1]/name": true,
      "xpath //missing": true,
      "js: response.status === 200 && response.headers['content-type'].includes('xml')": true,
      "js: const b = response.body; b.length > 10": true,
      throws: false,
    });
    expect(r.sum("vu_exceptions", { site: "check" })).toBe(1);
  });

  test("a failing js assert marks the request failed and can abort the iteration", async () => {
    const r = await runPlan(
      one(`      - request:
          url: /status/200
          name: guarded
          assert: [{ type: js, expression: "response.status === 201", on_failure: abort_iteration }]
      - request: { url: /status/200, name: skipped }`),
    );
    expect(r.code).toBe(0);
    expect(r.count("http_req_failed", { name: "guarded" })).toBe(2);
    expect(r.sum("http_reqs", { name: "skipped" })).toBe(0);
  });
});

describe("chain value steps", () => {
  test("coercion follows the reference's rules", () => {
    expect(coerce("42", "int")).toBe(42);
    expect(coerce(3.9, "int")).toBe(3);
    expect(coerce(" 2.5 ", "float")).toBe(2.5);
    expect(coerce("YES", "bool")).toBe(true);
    expect(coerce("off", "bool")).toBe(false);
    expect(coerce(null, "string")).toBe("");
    expect(coerce({ a: 1 }, "string")).toBe('{"a":1}');
    expect(coerce("x", "int")).toBeInstanceOf(Error);
    expect(coerce("maybe", "bool")).toBeInstanceOf(Error);
  });

  test("transforms turn values into strings", () => {
    expect(applyTransform("a b/é", "url_encode")).toBe("a%20b%2F%C3%A9");
    expect(applyTransform("a+b%2F", "url_decode")).toBe("a b/");
    expect(applyTransform("hé", "base64_encode")).toBe("aMOp");
    expect(applyTransform("aMOp", "base64_decode")).toBe("hé");
    expect(applyTransform("/w==", "base64_decode")).toBeInstanceOf(Error); // 0xff is not UTF-8
    expect(applyTransform("héllo", { substring: [1, 3] })).toBe("éll");
    expect(applyTransform("abc", { substring: [5] })).toBe("");
    expect(applyTransform(12, { append: "!" })).toBe("12!");
    expect(applyTransform(" x ", "trim")).toBe("x");
  });

  test("a compiled transform keeps no state between values: each result is what a fresh one gives", () => {
    const inputs: unknown[] = ["aMOp", "%zz", "a+b%2F", "/w==", "aMOp", " héllo ", 7, null, { k: [1] }, "", "aMOp"];
    const all: Transform[] = ["trim", "lowercase", "uppercase", "url_encode", "url_decode", "base64_encode", "base64_decode",
      { append: "!" }, { prepend: "<" }, { replace: ["l", "L"] }, { substring: [1, 2] }, { substring: [2] }];
    const text = (r: string | Error) => (r instanceof Error ? `Error: ${r.message}` : r);
    for (const t of all) {
      const once = compileTransform(t);
      for (const v of [...inputs, ...inputs]) expect(text(once(v))).toBe(text(compileTransform(t)(v)));
    }
  });
});
