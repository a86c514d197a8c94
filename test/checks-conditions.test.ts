import { describe, expect, test } from "bun:test";
import { compileCondition } from "../src/checks/conditions.ts";
import type { ConditionSpec } from "../src/checks/specs.ts";
import { makeResponseView } from "../src/extract/response-view.ts";

function view(o: { status?: number; body?: string | Uint8Array; headers?: [string, string][]; duration?: number } = {}) {
  const body = o.body ?? "";
  return makeResponseView({
    status: o.status ?? 200, statusText: "", headers: o.headers ?? [],
    body: typeof body === "string" ? new TextEncoder().encode(body) : body,
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: o.duration ?? 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });
}
const check = (spec: ConditionSpec, v: ReturnType<typeof view>) => compileCondition(spec).check(v);

describe("status", () => {
  test("equals passes on the same status, fails otherwise", () => {
    expect(check({ type: "status", equals: 200 }, view({ status: 200 }))).toBe(true);
    expect(check({ type: "status", equals: 200 }, view({ status: 201 }))).toBe(false);
  });
  test("one_of passes when the status is listed, fails otherwise", () => {
    expect(check({ type: "status", one_of: [200, 201] }, view({ status: 201 }))).toBe(true);
    expect(check({ type: "status", one_of: [200, 201] }, view({ status: 404 }))).toBe(false);
  });
  test("matches is an unanchored regex over the decimal status", () => {
    expect(check({ type: "status", matches: "2.." }, view({ status: 204 }))).toBe(true);
    expect(check({ type: "status", matches: "2.." }, view({ status: 404 }))).toBe(false);
    // unanchored: "2" is found inside 302 as well
    expect(check({ type: "status", matches: "2" }, view({ status: 302 }))).toBe(true);
    expect(check({ type: "status", matches: "^2" }, view({ status: 302 }))).toBe(false);
  });
  test("all given constraints must hold", () => {
    expect(check({ type: "status", equals: 200, matches: "2.." }, view({ status: 200 }))).toBe(true);
    expect(check({ type: "status", equals: 200, one_of: [201] }, view({ status: 200 }))).toBe(false);
  });
  test("a transport failure (status 0) fails a status check", () =>
    expect(check({ type: "status", one_of: [200] }, view({ status: 0 }))).toBe(false));
});

describe("body_contains", () => {
  const v = view({ body: '{"type":"ack"}' });
  test("passes when the substring is present, fails when absent", () => {
    expect(check({ type: "body_contains", value: '"type":"ack"' }, v)).toBe(true);
    expect(check({ type: "body_contains", value: "nack" }, v)).toBe(false);
  });
  test("negate passes when absent, fails when present", () => {
    expect(check({ type: "body_contains", value: "nack", negate: true }, v)).toBe(true);
    expect(check({ type: "body_contains", value: "ack", negate: true }, v)).toBe(false);
  });
  test("is case-sensitive", () => expect(check({ type: "body_contains", value: "ACK" }, v)).toBe(false));
});

describe("body_matches", () => {
  const v = view({ body: "order 42 shipped\nstatus: ok" });
  test("passes when the regex matches anywhere, fails otherwise", () => {
    expect(check({ type: "body_matches", pattern: "order \\d+" }, v)).toBe(true);
    expect(check({ type: "body_matches", pattern: "^status" }, v)).toBe(false);
    expect(check({ type: "body_matches", pattern: "(?m)^status" }, v)).toBe(true);
  });
  test("negate inverts it", () => {
    expect(check({ type: "body_matches", pattern: "error", negate: true }, v)).toBe(true);
    expect(check({ type: "body_matches", pattern: "shipped", negate: true }, v)).toBe(false);
  });
  test("the same compiled condition gives the same answer on every response (no lastIndex state)", () => {
    const c = compileCondition({ type: "body_matches", pattern: "ok" });
    expect([c.check(v), c.check(v), c.check(v)]).toEqual([true, true, true]);
  });
});

describe("jsonpath", () => {
  const v = view({ body: '{"user":{"id":7,"roles":["a","b"],"nick":null,"meta":{"x":1,"y":[1,2]}}}' });
  test("exists (the default) passes when the path selects something, fails otherwise", () => {
    expect(check({ type: "jsonpath", expression: "$.user.id" }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.email" }, v)).toBe(false);
    expect(check({ type: "jsonpath", expression: "$.user.id", exists: true }, v)).toBe(true);
  });
  test("a selected null exists", () => expect(check({ type: "jsonpath", expression: "$.user.nick" }, v)).toBe(true));
  test("exists: false passes when nothing is selected, fails otherwise", () => {
    expect(check({ type: "jsonpath", expression: "$.user.email", exists: false }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.id", exists: false }, v)).toBe(false);
  });
  test("equals compares the first match by exact JSON equality", () => {
    expect(check({ type: "jsonpath", expression: "$.user.id", equals: 7 }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.id", equals: "7" }, v)).toBe(false);
    expect(check({ type: "jsonpath", expression: "$.user.roles", equals: ["a", "b"] }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.roles", equals: ["b", "a"] }, v)).toBe(false);
    expect(check({ type: "jsonpath", expression: "$.user.meta", equals: { y: [1, 2], x: 1 } }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.meta", equals: { x: 1 } }, v)).toBe(false);
    expect(check({ type: "jsonpath", expression: "$.user.nick", equals: null }, v)).toBe(true);
    expect(check({ type: "jsonpath", expression: "$.user.roles[*]", equals: "a" }, v)).toBe(true);
  });
  test("equals fails when nothing is selected", () =>
    expect(check({ type: "jsonpath", expression: "$.user.email", equals: null }, v)).toBe(false));
  test("a body that is not JSON selects nothing", () => {
    expect(check({ type: "jsonpath", expression: "$" }, view({ body: "<html>" }))).toBe(false);
    expect(check({ type: "jsonpath", expression: "$", exists: false }, view({ body: "<html>" }))).toBe(true);
  });
});

describe("header", () => {
  const v = view({ headers: [["Content-Type", "application/json; charset=utf-8"]] });
  test("exists passes when present (any case), fails when absent", () => {
    expect(check({ type: "header", header: "content-type", exists: true }, v)).toBe(true);
    expect(check({ type: "header", header: "X-Missing", exists: true }, v)).toBe(false);
  });
  test("exists: false passes when absent, fails when present", () => {
    expect(check({ type: "header", header: "X-Missing", exists: false }, v)).toBe(true);
    expect(check({ type: "header", header: "Content-Type", exists: false }, v)).toBe(false);
  });
  test("equals compares the whole value exactly", () => {
    expect(check({ type: "header", header: "Content-Type", equals: "application/json; charset=utf-8" }, v)).toBe(true);
    expect(check({ type: "header", header: "Content-Type", equals: "application/json" }, v)).toBe(false);
    expect(check({ type: "header", header: "X-Missing", equals: "" }, v)).toBe(false);
  });
  test("contains looks for a substring of the value", () => {
    expect(check({ type: "header", header: "Content-Type", contains: "json" }, v)).toBe(true);
    expect(check({ type: "header", header: "Content-Type", contains: "xml" }, v)).toBe(false);
    expect(check({ type: "header", header: "X-Missing", contains: "" }, v)).toBe(false);
  });
});

describe("size", () => {
  const v = view({ body: "héllo" }); // 6 bytes, 5 characters
  test("counts body bytes, not characters", () => expect(check({ type: "size", equals: 6 }, v)).toBe(true));
  test("equals fails on another size", () => expect(check({ type: "size", equals: 5 }, v)).toBe(false));
  test("min and max are inclusive", () => {
    expect(check({ type: "size", min: 6, max: 6 }, v)).toBe(true);
    expect(check({ type: "size", min: 7 }, v)).toBe(false);
    expect(check({ type: "size", max: 5 }, v)).toBe(false);
  });
  test("does not decode the body", () => {
    const w = view({ body: "abc" });
    compileCondition({ type: "size", min: 1 }).check(w);
    expect(w.textDecodeCount).toBe(0);
  });
});

describe("duration", () => {
  test("passes when the duration is <= max (ms), fails above", () => {
    expect(check({ type: "duration", max: 500 }, view({ duration: 499.9 }))).toBe(true);
    expect(check({ type: "duration", max: 500 }, view({ duration: 500 }))).toBe(true);
    expect(check({ type: "duration", max: 500 }, view({ duration: 500.1 }))).toBe(false);
  });
});

describe("name and on_failure", () => {
  test("an explicit name wins over the generated one", () =>
    expect(compileCondition({ type: "status", equals: 200, name: "ok" }).name).toBe("ok"));
  test("on_failure defaults to continue", () => expect(compileCondition({ type: "status", equals: 200 }).onFailure).toBe("continue"));
  test("on_failure is passed through", () => {
    for (const f of ["continue", "abort_iteration", "abort_scenario", "abort_test"] as const) {
      expect(compileCondition({ type: "status", equals: 200, on_failure: f }).onFailure).toBe(f);
    }
  });
});

describe("compile errors", () => {
  test("status without any constraint", () =>
    expect(() => compileCondition({ type: "status" })).toThrow("status condition needs at least one of equals, one_of, matches"));
  test("size without any constraint", () =>
    expect(() => compileCondition({ type: "size" })).toThrow("size condition needs at least one of min, max, equals"));
  test("header without any constraint", () =>
    expect(() => compileCondition({ type: "header", header: "X-A" })).toThrow(
      "header condition on X-A needs at least one of exists, equals, contains",
    ));
  test("bad regex in status.matches and body_matches", () => {
    expect(() => compileCondition({ type: "status", matches: "2((" })).toThrow(/^invalid regex \/2\(\(\//);
    expect(() => compileCondition({ type: "body_matches", pattern: "[a" })).toThrow(/^invalid regex \/\[a\//);
  });
  test("bad JSONPath", () =>
    expect(() => compileCondition({ type: "jsonpath", expression: "$.a[" })).toThrow(/^invalid JSONPath \$\.a\[: /));
  test("body_contains without a string value", () =>
    expect(() => compileCondition({ type: "body_contains" } as never)).toThrow("body_contains condition needs a string `value`"));
  test("duration without max", () =>
    expect(() => compileCondition({ type: "duration" } as never)).toThrow("duration condition needs `max` (a duration)"));
  test("an unknown on_failure", () =>
    expect(() => compileCondition({ type: "status", equals: 1, on_failure: "explode" as never })).toThrow(/invalid on_failure "explode"/));
  test("an unknown type", () =>
    expect(() => compileCondition({ type: "nope", expression: "/a" } as never)).toThrow('unsupported condition type "nope"'));
});
