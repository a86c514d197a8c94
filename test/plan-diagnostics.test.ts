import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDiagnostic } from "../src/plan/diagnostics.ts";
import { loadPlan, loadPlanText } from "../src/plan/load.ts";
import { jaroWinkler } from "../src/plan/suggest.ts";
import { errors, load, planWithFlow, warnings } from "./plan-helpers.ts";

const FIXTURES = join(import.meta.dir, "fixtures/plans");

describe("unknown keys (strict structs)", () => {
  test("unknown field with did-you-mean, at the key's line and column", () => {
    const r = load("name: x\ndefaults:\n  http:\n    timout: 5s\nscenarios:\n  s: {vus: 1, duration: 1s, flow: []}\n");
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d).toMatchObject({ severity: "error", path: "defaults.http.timout", line: 4, column: 5, suggestion: "did you mean `timeout`?" });
    expect(d.message).toStartWith("unknown field `timout`, expected one of `base_url`, `headers`, `timeout`");
  });
  test("top level, scenario, request and plugin entries are strict", () => {
    const r = load(`nmae: x
plugins: [{name: p, memory: 1MB}]
scenarios:
  s:
    vus: 1
    duraton: 1s
    flow:
      - request: {url: "http://x/", hedaers: {}}
`);
    const byPath = Object.fromEntries(errors(r).map((d) => [d.path, d]));
    expect(byPath["nmae"]!.suggestion).toBe("did you mean `name`?");
    expect(byPath["plugins[0].memory"]!.suggestion).toBe("did you mean `memory_limit`?");
    expect(byPath["scenarios.s.duraton"]).toMatchObject({ line: 6, column: 5, suggestion: "did you mean `duration`?" });
    expect(byPath["scenarios.s.flow[0].request.hedaers"]).toMatchObject({ line: 8, suggestion: "did you mean `headers`?" });
  });
  test("tagged structs (conditions, extractors, think times) ignore unknown keys", () => {
    const r = load(planWithFlow(`      - request:
          url: http://x/
          assert: [{type: status, equals: 200, on_fail: abort_test}]
          extract: [{type: header, name: h, header: x, whatever: 1}]
      - think_time: {type: constant, duration: 1, jitter: 3}
`));
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.scenarios.s!.flow[0]).toMatchObject({ request: { assert: [{ type: "status", on_failure: "continue" }] } });
  });
  test("no suggestion when nothing is close", () => {
    const r = load("zzzzqqq: 1\nscenarios:\n  s: {vus: 1, duration: 1s, flow: []}\n");
    expect(r.diagnostics[0]!.suggestion).toBeNull();
  });
  test("Jaro-Winkler matches strsim", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 4);
  });
});

describe("the single-key step rule (§1.7)", () => {
  test("unknown step type with did-you-mean", () => {
    const d = errors(load(planWithFlow("      - reqest: {url: /x}\n")));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ path: "scenarios.s.flow[0].reqest", line: 6, column: 9, suggestion: "did you mean `request`?" });
    expect(d[0]!.message).toBe(
      "unknown step type `reqest`, expected one of request, think_time, js, group, repeat, while, if, random, foreach, switch, during, retry, parallel, rendezvous",
    );
  });
  test("a second key in the same mapping", () => {
    const d = errors(load(planWithFlow("      - request: {url: http://x/}\n        think_time: {type: constant, duration: 1}\n")));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ path: "scenarios.s.flow[0].think_time", line: 7, column: 9 });
    expect(d[0]!.message).toBe("step has extra key `think_time`; each step is a single-key mapping (check indentation)");
  });
  test("an empty mapping", () => {
    const d = errors(load(planWithFlow("      - {}\n")));
    expect(d[0]!.message).toStartWith("empty step; expected one of request, think_time,");
    expect(d[0]!.path).toBe("scenarios.s.flow[0]");
  });
  test("nested steps follow the same rule, and control-flow bodies are strict", () => {
    const d = errors(load(planWithFlow(`      - group:
          name: g
          steps:
            - repeat: {times: 2, step: []}
            - wait: 1
`)));
    expect(d.map((x) => [x.path, x.suggestion])).toEqual([
      ["scenarios.s.flow[0].group.steps[0].repeat.step", "did you mean `steps`?"],
      ["scenarios.s.flow[0].group.steps[1].wait", null],
    ]);
  });
});

describe("many errors", () => {
  test("a plan with 10 errors reports all 10, each located", async () => {
    const r = await loadPlan(join(FIXTURES, "ten-errors.yaml"));
    expect(r.plan).toBeUndefined();
    expect(errors(r)).toHaveLength(10);
    for (const d of r.diagnostics) {
      expect(d.line).toBeGreaterThan(0);
      expect(d.column).toBeGreaterThan(0);
    }
    expect(r.diagnostics.map((d) => d.path)).toEqual([
      "defaults.http.timout",
      "scenarios.a",
      "scenarios.b.stages",
      "scenarios.c.flow[0].reqest",
      "scenarios.c.flow[1].request.url",
      "scenarios.c.flow[2].request.extract[0].expression",
      "scenarios.c.flow[2].request.extract[1].expression",
      "scenarios.d.iterations",
      "scenarios.d.flow[0].request.timeout",
      "thresholds.http_req_duration",
    ]);
  });
});

describe("document-level errors", () => {
  test("YAML syntax error: one diagnostic with line and column", () => {
    const r = load("name: x\nscenarios:\n  a: [\n");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toStartWith("YAML syntax error: ");
    expect(r.diagnostics[0]!.line).toBe(4);
    expect(r.diagnostics[0]!.column).toBe(1);
  });
  test("duplicate keys are a syntax error", () => {
    const r = load("name: a\nname: b\n");
    expect(r.diagnostics[0]!.message).toStartWith("YAML syntax error: ");
    expect(r.diagnostics[0]!.line).toBe(2);
  });
  test("a test needs at least one scenario", () => {
    for (const text of ["name: x\n", "", "scenarios: {}\n"]) {
      const r = load(text);
      expect(r.diagnostics).toEqual([
        expect.objectContaining({ severity: "error", path: "scenarios", message: "a test needs at least one scenario" }),
      ]);
    }
  });
  test("a scenario needs flow or exec; exec needs a js block", () => {
    expect(errors(load("scenarios:\n  s: {vus: 1, duration: 1s}\n"))[0]!.message).toBe("a scenario needs a `flow` and/or an `exec` function");
    expect(errors(load("scenarios:\n  s: {vus: 1, duration: 1s, exec: default}\n"))[0]).toMatchObject({
      path: "scenarios.s.exec",
      message: "`exec` needs a `js:` block",
    });
  });
  test("a missing file is reported by loadPlan", async () => {
    const r = await loadPlan("/nonexistent/plan.yaml");
    expect(r.diagnostics[0]!.message).toBe("cannot read `/nonexistent/plan.yaml`: no such file");
  });
  test("type errors read like the reference's", () => {
    const r = load("scenarios:\n  s: {vus: many, duration: 1s, flow: []}\n");
    expect(r.diagnostics[0]).toMatchObject({ path: "scenarios.s.vus", message: 'invalid type: string "many", expected a number' });
  });
});

describe("requests, extractors and conditions", () => {
  test("template syntax errors in url and headers", () => {
    const d = errors(load(planWithFlow(`      - request:
          url: "http://x/\${id"
          headers: {A: "\${ }"}
`)));
    expect(d.map((x) => [x.path, x.message])).toEqual([
      ["scenarios.s.flow[0].request.url", "unterminated `${` starting at byte 9; close it with `}` or escape it as `$${`"],
      ["scenarios.s.flow[0].request.headers.A", "empty `${}` expression at byte 0"],
    ]);
  });
  test("empty url, body with two variants, multipart part with value and file", () => {
    const d = errors(load(planWithFlow(`      - request: {url: ""}
      - request: {url: http://x/, body: {json: {}, form: {}}}
      - request: {url: http://x/, body: {multipart: [{name: a, value: v, file: f}]}}
`)));
    expect(d.map((x) => x.message)).toEqual([
      "request `url` cannot be empty",
      "body has `json` and `form`; set exactly one of `json`, `file`, `form`, `multipart`",
      "a multipart part needs exactly one of `value` or `file`",
    ]);
  });
  test("invalid regex and JSONPath in extractors and conditions", () => {
    const d = errors(load(planWithFlow(`      - request:
          url: http://x/
          extract:
            - {type: regex, name: a, expression: "a(b"}
            - {type: regex, name: b, expression: "ab", group: 1}
            - {type: jsonpath, name: c, expression: "items[0]"}
            - {chain: d, jsonpath: "$.[", as: int}
          assert:
            - {type: body_matches, pattern: "[z-a]"}
            - {type: jsonpath, expression: "$$"}
            - {type: status}
`)));
    expect(d.map((x) => x.path)).toEqual([
      "scenarios.s.flow[0].request.extract[0].expression",
      "scenarios.s.flow[0].request.extract[1].group",
      "scenarios.s.flow[0].request.extract[2].expression",
      "scenarios.s.flow[0].request.extract[3].jsonpath",
      "scenarios.s.flow[0].request.assert[0].pattern",
      "scenarios.s.flow[0].request.assert[1].expression",
      "scenarios.s.flow[0].request.assert[2]",
    ]);
    expect(d[0]!.message).toStartWith("invalid regex `a(b`");
    expect(d[1]!.message).toBe("regex `ab` has 0 capture group(s) but `group` is 1");
    expect(d[2]!.message).toStartWith("invalid JSONPath `items[0]`");
    expect(d[6]!.message).toBe("`status` condition needs at least one of `equals`, `one_of`, `matches`");
  });
  test("Rust-style regex spellings are accepted", () => {
    const r = load(planWithFlow(`      - request:
          url: http://x/
          extract: [{type: regex, name: a, expression: "(?i)id=(?P<id>\\\\d+)"}]
`));
    expect(r.diagnostics).toEqual([]);
  });
  test("unknown condition type is an unknown variant with did-you-mean", () => {
    const d = errors(load(planWithFlow("      - request: {url: http://x/, checks: [{type: stauts, equals: 200}]}\n")));
    expect(d[0]).toMatchObject({ path: "scenarios.s.flow[0].request.checks[0].type", suggestion: "did you mean `status`?" });
  });
  test("unknown protocol and unknown plugin references", () => {
    const d = errors(load(planWithFlow(`      - request: {url: http://x/, protocol: htp}
      - request: {url: http://x/, extract: [{type: plugin, name: v, plugin: upperr}]}
`, "plugins: [{name: upper}]\n")));
    expect(d.map((x) => [x.path, x.suggestion])).toEqual([
      ["scenarios.s.flow[0].request.protocol", "did you mean `http`?"],
      ["scenarios.s.flow[1].request.extract[0].plugin", "did you mean `upper`?"],
    ]);
  });
});

describe("references and warnings", () => {
  test("${vars.x} and ${secrets.x} referencing undefined entries are errors", () => {
    const d = errors(load(planWithFlow("      - request: {url: \"http://x/${vars.categry}/${secrets.tok}\"}\n", "variables: {category: a}\nsecrets: {token: {env: T}}\n")));
    expect(d.map((x) => [x.message, x.suggestion])).toEqual([
      ["`${vars.categry}` refers to `categry`, which is not defined in `variables:`", "did you mean `category`?"],
      ["`${secrets.tok}` refers to `tok`, which is not defined in `secrets:`", "did you mean `token`?"],
    ]);
  });
  test("bare ${name} in a URL not produced earlier is a warning; extracted, foreach and built-in names are not", () => {
    const r = load(planWithFlow(`      - request: {url: "http://x/\${order}"}
      - request: {url: http://x/, extract: [{type: header, name: order, header: x}]}
      - request: {url: "http://x/\${order}/\${vu}/\${iteration}/\${scenario}/\${env.HOME}"}
      - foreach:
          items: [1, 2]
          steps:
            - request: {url: "http://x/\${item}/\${index}"}
`));
    expect(errors(r)).toEqual([]);
    expect(warnings(r).map((w) => [w.path, w.line])).toEqual([["scenarios.s.flow[0].request.url", 6]]);
    expect(warnings(r)[0]!.message).toBe("`${order}` is neither a `variables:` key nor extracted by an earlier request in this scenario");
    expect(r.plan).toBeDefined();
  });
  test("non-standard method and empty group warn", () => {
    const r = load(planWithFlow("      - request: {url: http://x/, method: purge}\n      - group: {name: g, steps: []}\n"));
    expect(warnings(r).map((w) => w.message)).toEqual(["non-standard HTTP method `PURGE`", "empty group"]);
  });
  test("missing files are errors only with checkFiles", () => {
    const dir = mkdtempSync(join(tmpdir(), "loadr-plan-"));
    writeFileSync(join(dir, "present.json"), "{}");
    const text = `defaults:
  http:
    tls: {ca_file: ca.pem}
secrets:
  key: {file: secret.txt}
scenarios:
  s:
    vus: 1
    duration: 1s
    flow:
      - request: {url: http://x/, body: {file: present.json}}
      - request: {url: http://x/, body: {file: missing.json}}
`;
    writeFileSync(join(dir, "plan.yaml"), text);
    expect(loadPlanText(text, "plan.yaml", dir).diagnostics).toEqual([]);
    const d = loadPlanText(text, "plan.yaml", dir, { checkFiles: true }).diagnostics;
    expect(d.map((x) => x.path)).toEqual([
      "defaults.http.tls.ca_file",
      "secrets.key.file",
      "scenarios.s.flow[1].request.body.file",
    ]);
    expect(d[2]!.message).toStartWith("body file `missing.json` not found");
  });
});

describe("text form (§1.13)", () => {
  test("all parts present", () => {
    expect(
      formatDiagnostic({ severity: "error", path: "a.b", message: "unknown field `x`", line: 3, column: 5, suggestion: "did you mean `y`?" }),
    ).toBe("error at line 3, column 5 (a.b): unknown field `x` — did you mean `y`?");
  });
  test("optional parts omitted, file prefix", () => {
    expect(formatDiagnostic({ severity: "warning", path: "", message: "m", line: null, column: null, suggestion: null })).toBe("warning: m");
    expect(formatDiagnostic({ severity: "error", path: "p", message: "m", line: 2, column: null, suggestion: null }, "t.yaml")).toBe(
      "t.yaml: error at line 2 (p): m",
    );
  });
});

describe("chains", () => {
  test("chain source rules are errors; an empty check warns", () => {
    const r = load(planWithFlow(`      - request:
          url: http://x/
          extract:
            - {chain: a}
            - {chain: b, jsonpath: "$.x", regex: "(x)"}
            - {chain: c, left: "<"}
            - {chain: d, jsonpath: "$.d", check: {}}
            - {chain: e, jsonpath: "$.e", check: {min: 5, max: 1}, transform: [trim, {replace: [a]}]}
`));
    expect(r.diagnostics.map((d) => [d.severity, d.path, d.message])).toEqual([
      ["error", "scenarios.s.flow[0].request.extract[0]", "chain has no source; set one of jmespath, jsonpath, regex, header, css, xpath, left/right"],
      ["error", "scenarios.s.flow[0].request.extract[1]", "chain has multiple sources (jsonpath, regex); pick one"],
      ["error", "scenarios.s.flow[0].request.extract[2].left", "`left` and `right` must be set together"],
      ["error", "scenarios.s.flow[0].request.extract[4].check.min", "`check.min` cannot be greater than `check.max`"],
      ["error", "scenarios.s.flow[0].request.extract[4].transform[1].replace", "`replace` needs exactly 2 arguments: [from, to]"],
    ]);
    const ok = load(planWithFlow(`      - request:
          url: http://x/
          extract:
            - {chain: d, jsonpath: "$.d", check: {}}
`));
    expect(ok.diagnostics.map((d) => [d.severity, d.message])).toEqual([["warning", "empty `check` on chain; it always passes"]]);
  });
});
