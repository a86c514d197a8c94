import { describe, expect, test } from "bun:test";
import { parseExpression, parseSelector, parseThresholds, ThresholdError } from "../src/plan/thresholds.ts";
import { errors, load } from "./plan-helpers.ts";

const err = (expr: string) => {
  try {
    parseExpression(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(ThresholdError);
    return (e as Error).message;
  }
  throw new Error(`\`${expr}\` parsed`);
};

describe("threshold syntax (§1.12)", () => {
  test("aggregations, operators and bounds", () => {
    expect(parseExpression("p(95) < 500")).toEqual({ agg: "p", p: 95, op: "<", bound: 500, expression: "p(95) < 500" });
    expect(parseExpression("p(99.9)<=1.5s")).toMatchObject({ agg: "p", p: 99.9, op: "<=", bound: 1500 });
    expect(parseExpression("rate>0.99")).toMatchObject({ agg: "rate", op: ">", bound: 0.99 });
    expect(parseExpression("count = 3")).toMatchObject({ agg: "count", op: "==", bound: 3 });
    expect(parseExpression("value != 2")).toMatchObject({ agg: "value", op: "!=" });
    expect(parseExpression("avg >= 400ms")).toMatchObject({ agg: "avg", op: ">=", bound: 400 });
    for (const a of ["min", "max", "med"] as const) expect(parseExpression(`${a} < 1`).agg).toBe(a);
  });
  test("every error text", () => {
    expect(err("  ")).toBe("empty threshold expression");
    expect(err("mean < 3")).toBe("unknown aggregation `mean` (expected one of: avg, min, max, med, p(N), rate, count, value)");
    expect(err("p(0) < 3")).toBe("invalid percentile `0`: must be a number in (0, 100]");
    expect(err("p(abc) < 3")).toBe("invalid percentile `abc`: must be a number in (0, 100]");
    expect(err("p(100.5) < 3")).toBe("invalid percentile `100.5`: must be a number in (0, 100]");
    expect(err("avg 3")).toBe("missing comparison operator in `avg 3` (expected <, <=, >, >=, ==, or !=)");
    expect(err("avg < fast")).toBe("invalid numeric bound `fast`");
    expect(() => parseSelector("{a:1}")).toThrow("invalid metric selector `{a:1}`: empty metric name");
    expect(() => parseSelector("m{a:1")).toThrow("invalid metric selector `m{a:1`: missing closing `}`");
    expect(() => parseSelector("m{a}")).toThrow("invalid metric selector `m{a}`: tag filter `a` is not `key:value`");
  });
  test("the left-most operator wins", () => {
    expect(err("avg < 3 >= 2")).toBe("invalid numeric bound `3 >= 2`");
    // `<=` and `<` start at the same place: the longer one is taken.
    expect(parseExpression("avg<=3")).toMatchObject({ op: "<=", bound: 3 });
  });
  test("selectors: tags trimmed, sorted, split on the first colon", () => {
    expect(parseSelector("http_req_duration{ status:200 , name : a:b }")).toEqual({
      metric: "http_req_duration",
      tags: { name: "a:b", status: "200" },
      selector: "http_req_duration{name:a:b,status:200}",
    });
  });
  test("parseThresholds: the Plan's entries → specs in order", () => {
    const r = load(`thresholds:
  "http_req_duration{scenario:s}": ["p(95) < 500ms", {threshold: "max < 2s", abort_on_fail: true, delay_abort_eval: 10s}]
  checks: rate > 0.9
scenarios:
  s: {vus: 1, duration: 1s, flow: []}
`);
    const specs = parseThresholds(r.plan!.thresholds);
    expect(specs).toEqual([
      { selector: "http_req_duration{scenario:s}", metric: "http_req_duration", tags: { scenario: "s" }, expression: "p(95) < 500ms", agg: "p", p: 95, op: "<", bound: 500, abortOnFail: false, delayAbortEvalMs: 0 },
      { selector: "http_req_duration{scenario:s}", metric: "http_req_duration", tags: { scenario: "s" }, expression: "max < 2s", agg: "max", op: "<", bound: 2000, abortOnFail: true, delayAbortEvalMs: 10_000 },
      { selector: "checks", metric: "checks", tags: {}, expression: "rate > 0.9", agg: "rate", op: ">", bound: 0.9, abortOnFail: false, delayAbortEvalMs: 0 },
    ]);
  });
  test("parseThresholds throws the first ThresholdError", () => {
    expect(() => parseThresholds({ x: [{ threshold: "avg", abort_on_fail: false, delay_abort_eval: 0 }] })).toThrow(ThresholdError);
  });
  test("invalid thresholds in a plan are located errors, all of them", () => {
    const d = errors(load(`thresholds:
  a: "p(0) < 1"
  b: ["avg < 1", "nope < 1"]
  "c{x}": avg < 1
scenarios:
  s: {vus: 1, duration: 1s, flow: []}
`));
    expect(d.map((x) => [x.path, x.line, x.column])).toEqual([
      ["thresholds.a", 2, 6],
      ["thresholds.b[1]", 3, 18],
      ["thresholds.c{x}", 4, 3],
    ]);
  });
});
