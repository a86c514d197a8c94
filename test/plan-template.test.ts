import { describe, expect, test } from "bun:test";
import {
  compileJsonTemplate,
  compileTemplate,
  renderJsonTemplate,
  renderTemplate,
  stringifyValue,
  TemplateError,
  UnresolvedError,
} from "../src/plan/template.ts";

const vars: Record<string, unknown> = { vu: 7, name: "ann", flag: true, obj: { a: [1, 2] }, num: "123", nil: null };
const resolve = (e: string) => vars[e];

describe("templates (§1.11)", () => {
  test("a string without ${ is static, and renders to the very same string", () => {
    const t = compileTemplate("/items?page=1");
    expect(t).toEqual({ kind: "static", text: "/items?page=1" });
    expect(renderTemplate(t, () => { throw new Error("resolver must not be called"); })).toBe("/items?page=1");
  });
  test("parts are split and expressions trimmed", () => {
    const t = compileTemplate("/u/${ name }/v${vu}");
    expect(t).toEqual({ kind: "dynamic", source: "/u/${ name }/v${vu}", parts: ["/u/", { expr: "name" }, "/v", { expr: "vu" }] });
    expect(renderTemplate(t, resolve)).toBe("/u/ann/v7");
  });
  test("braces are counted inside an expression", () => {
    const t = compileTemplate("${js: ({a:1}).a}!");
    expect(t.kind === "dynamic" && t.parts[0]).toEqual({ expr: "js: ({a:1}).a" });
  });
  test("$${ escapes to a literal ${; a lone $ is literal", () => {
    const t = compileTemplate("cost $5, $${name} and ${name}");
    expect(renderTemplate(t, resolve)).toBe("cost $5, ${name} and ann");
    expect(compileTemplate("$${x}")).toEqual({ kind: "static", text: "${x}" });
  });
  test("unterminated and empty expressions: the reference's messages with byte offsets", () => {
    expect(() => compileTemplate("/a/${id")).toThrow(new TemplateError("unterminated `${` starting at byte 3; close it with `}` or escape it as `$${`", 3));
    expect(() => compileTemplate("é${  }")).toThrow("empty `${}` expression at byte 2");
  });
  test("stringification: strings verbatim, everything else compact JSON", () => {
    expect(stringifyValue("x")).toBe("x");
    expect(stringifyValue(null)).toBe("null");
    expect(stringifyValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(renderTemplate(compileTemplate("${obj}|${nil}|${flag}"), resolve)).toBe('{"a":[1,2]}|null|true');
  });
  test("an unresolved expression throws UnresolvedError naming it", () => {
    try {
      renderTemplate(compileTemplate("/x/${missing}"), resolve);
      throw new Error("expected a throw");
    } catch (e) {
      expect(e).toBeInstanceOf(UnresolvedError);
      expect((e as UnresolvedError).expr).toBe("missing");
    }
  });
});

describe("typed JSON leaves", () => {
  test("a leaf that is exactly one ${expr} is re-parsed as JSON", () => {
    const t = compileJsonTemplate({ id: "${vu}", on: "${flag}", o: "${obj}", s: "${name}", n: "${num}", label: "vu ${vu}", k: 3 });
    expect(renderJsonTemplate(t, resolve)).toEqual({ id: 7, on: true, o: { a: [1, 2] }, s: "ann", n: 123, label: "vu 7", k: 3 });
  });
  test("object keys are not templated; arrays are walked", () => {
    const t = compileJsonTemplate({ "${name}": ["${vu}", "x"] });
    expect(renderJsonTemplate(t, resolve)).toEqual({ "${name}": [7, "x"] });
  });
  test("a subtree without templates stays one static node", () => {
    const value = { a: { b: [1, "two"] } };
    const t = compileJsonTemplate(value);
    expect(t).toEqual({ kind: "static", value });
    expect(renderJsonTemplate(t, resolve)).toBe(value);
  });
  test("unresolved typed leaves throw too", () => {
    expect(() => renderJsonTemplate(compileJsonTemplate({ a: "${nope}" }), resolve)).toThrow(UnresolvedError);
  });
});
