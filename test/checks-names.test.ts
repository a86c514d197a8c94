import { describe, expect, test } from "bun:test";
import { compileCondition } from "../src/checks/conditions.ts";
import { rustDebugQuote } from "../src/checks/check-names.ts";

const name = (spec: Parameters<typeof compileCondition>[0]) => compileCondition(spec).name;

describe("auto-generated check names (reference §1.10 table)", () => {
  test("status is 200", () => expect(name({ type: "status", equals: 200 })).toBe("status is 200"));
  test("status in [200, 201]", () => expect(name({ type: "status", one_of: [200, 201] })).toBe("status in [200, 201]"));
  test("status matches 2..", () => expect(name({ type: "status", matches: "2.." })).toBe("status matches 2.."));
  test("equals takes precedence over one_of and matches in the name", () =>
    expect(name({ type: "status", equals: 204, one_of: [204], matches: "2" })).toBe("status is 204"));
  test("body contains with the value Debug-quoted", () =>
    expect(name({ type: "body_contains", value: '"type":"ack"' })).toBe('body contains "\\"type\\":\\"ack\\""'));
  test("body does not contain when negated", () =>
    expect(name({ type: "body_contains", value: "error", negate: true })).toBe('body does not contain "error"'));
  test("body matches /<pattern>/ (pattern verbatim, negated or not)", () => {
    expect(name({ type: "body_matches", pattern: "id=\\d+" })).toBe("body matches /id=\\d+/");
    expect(name({ type: "body_matches", pattern: "x", negate: true })).toBe("body matches /x/");
  });
  test("jsonpath <expr>", () => expect(name({ type: "jsonpath", expression: "$.data.id" })).toBe("jsonpath $.data.id"));
  test("header <Header-Name> as written", () =>
    expect(name({ type: "header", header: "Content-Type", exists: true })).toBe("header Content-Type"));
  test("body size", () => expect(name({ type: "size", min: 1 })).toBe("body size"));
  test("duration < humantime", () => {
    expect(name({ type: "duration", max: 500 })).toBe("duration < 500ms");
    expect(name({ type: "duration", max: 1500 })).toBe("duration < 1s 500ms");
    expect(name({ type: "duration", max: 2000 })).toBe("duration < 2s");
    expect(name({ type: "duration", max: 90_000 })).toBe("duration < 1m 30s");
  });
});

describe("rustDebugQuote matches Rust's {:?} for str", () => {
  test("wraps in double quotes, plain text untouched", () => expect(rustDebugQuote("hello world")).toBe('"hello world"'));
  test("escapes double quotes", () => expect(rustDebugQuote('say "hi"')).toBe('"say \\"hi\\""'));
  test("does not escape single quotes", () => expect(rustDebugQuote("it's")).toBe('"it\'s"'));
  test("escapes backslashes", () => expect(rustDebugQuote("a\\b")).toBe('"a\\\\b"'));
  test("escapes \\n \\r \\t \\0 with their short forms", () =>
    expect(rustDebugQuote("a\nb\rc\td\0e")).toBe('"a\\nb\\rc\\td\\0e"'));
  test("escapes other control characters as \\u{hex}", () => {
    expect(rustDebugQuote("\u001b[0m")).toBe('"\\u{1b}[0m"');
    expect(rustDebugQuote("\u007f\u0085")).toBe('"\\u{7f}\\u{85}"');
  });
  test("escapes non-printables: NBSP, zero-width space, line separator, combining marks", () =>
    expect(rustDebugQuote("a\u00a0b\u200bc\u2028e\u0301")).toBe('"a\\u{a0}b\\u{200b}c\\u{2028}e\\u{301}"'));
  test("keeps printable non-ASCII and astral characters", () => expect(rustDebugQuote("héllo 日本 😀")).toBe('"héllo 日本 😀"'));
  test("empty string", () => expect(rustDebugQuote("")).toBe('""'));
});
