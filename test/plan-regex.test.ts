import { describe, expect, test } from "bun:test";
import { captureGroupCount, compileRegex } from "../src/plan/regex.ts";

describe("Rust regex spellings translated to JS", () => {
  test("leading inline flags (?i) (?s) (?m) become JS flags", () => {
    expect(compileRegex("(?i)abc").test("ABC")).toBe(true);
    expect(compileRegex("(?s)a.b").test("a\nb")).toBe(true);
    expect(compileRegex("a.b").test("a\nb")).toBe(false);
    expect(compileRegex("(?im)^b$").test("a\nB")).toBe(true);
  });

  test("unsupported inline flags are a clear error", () =>
    expect(() => compileRegex("(?x)a b")).toThrow("invalid regex /(?x)a b/: inline flag `x` is not supported (only i, m, s)"));

  test("(?P<name>...) is a named group", () => {
    const re = compileRegex("(?P<year>\\d{4})");
    expect(re.exec("in 2024")?.groups?.year).toBe("2024");
  });

  test("escaped punctuation that JS u-mode refuses is accepted as the literal character", () => {
    expect(compileRegex('\\"id\\"').test('"id"')).toBe(true);
    expect(compileRegex("a\\-b").test("a-b")).toBe(true);
    expect(compileRegex("[a\\-c]").test("-")).toBe(true);
    expect(compileRegex("[a\\-c]").test("b")).toBe(false);
    expect(compileRegex("\\#\\%").test("#%")).toBe(true);
  });

  test("\\A and \\z anchor to the whole input even with (?m)", () => {
    expect(compileRegex("(?m)\\Ab").test("a\nb")).toBe(false);
    expect(compileRegex("(?m)a\\z").test("a\nb")).toBe(false);
    expect(compileRegex("\\Aa.*b\\z").test("axb")).toBe(true);
  });

  test("\\< and \\> are word start and end", () => {
    expect(compileRegex("\\<cat\\>").test("a cat here")).toBe(true);
    expect(compileRegex("\\<cat\\>").test("concatenate")).toBe(false);
  });

  test("a ] first in a class is a literal", () => {
    expect(compileRegex("[]a]").test("]")).toBe(true);
    expect(compileRegex("[^]a]").test("]")).toBe(false);
  });

  test("an invalid regex throws a message with the source", () =>
    expect(() => compileRegex("(unclosed")).toThrow(/^invalid regex \/\(unclosed\/: /));

  test("captureGroupCount counts plain and named groups but not (?:)", () => {
    expect(captureGroupCount(compileRegex("(a)(?:b)(?P<c>c)", "g"))).toBe(2);
    expect(captureGroupCount(compileRegex("abc"))).toBe(0);
  });
});
