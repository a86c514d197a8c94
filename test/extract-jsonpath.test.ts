import { describe, expect, test } from "bun:test";
import { type JsonValue, query } from "jsonpath-rfc9535";
import { compileExtractor } from "../src/extract/compile.ts";
import { compileJsonPath } from "../src/extract/jsonpath-query.ts";
import { makeResponseView } from "../src/extract/response-view.ts";

const view = (body: string) =>
  makeResponseView({
    status: 200, statusText: "", headers: [], body: new TextEncoder().encode(body),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });

const DOC = { items: [{ id: 1, tag: "a" }, { id: 2, tag: "b" }, { id: 3, tag: "c" }], token: "tok", obj: { k: [true, null] } };
const BODY = JSON.stringify(DOC);
const first = () => 0;
const last = () => 0.999999;

describe("jsonpath extractor: index modes", () => {
  const ex = (index?: "first" | "last" | "random" | "all") =>
    compileExtractor({ type: "jsonpath", name: "id", expression: "$.items[*].id", ...(index ? { index } : {}) });

  test("no index = first match", () => expect(ex().run(view(BODY), last)).toEqual({ ok: true, value: 1 }));
  test("first", () => expect(ex("first").run(view(BODY), last)).toEqual({ ok: true, value: 1 }));
  test("last", () => expect(ex("last").run(view(BODY), first)).toEqual({ ok: true, value: 3 }));
  test("random uses the given generator", () => {
    expect(ex("random").run(view(BODY), first)).toEqual({ ok: true, value: 1 });
    expect(ex("random").run(view(BODY), () => 0.5)).toEqual({ ok: true, value: 2 });
    expect(ex("random").run(view(BODY), last)).toEqual({ ok: true, value: 3 });
  });
  test("all = array of every match in document order", () =>
    expect(ex("all").run(view(BODY), first)).toEqual({ ok: true, value: [1, 2, 3] }));
});

describe("jsonpath extractor: values", () => {
  const run = (expression: string, body = BODY) =>
    compileExtractor({ type: "jsonpath", name: "v", expression }).run(view(body), first);

  test("keeps native JSON types (number, string, object, array, bool, null)", () => {
    expect(run("$.items[0].id")).toEqual({ ok: true, value: 1 });
    expect(run("$.token")).toEqual({ ok: true, value: "tok" });
    expect(run("$.items[1]")).toEqual({ ok: true, value: { id: 2, tag: "b" } });
    expect(run("$.obj.k")).toEqual({ ok: true, value: [true, null] });
    expect(run("$.obj.k[0]")).toEqual({ ok: true, value: true });
    expect(run("$.obj.k[1]")).toEqual({ ok: true, value: null });
  });

  test("filters and descendant segments work", () => {
    expect(run("$.items[?@.id > 1].tag")).toEqual({ ok: true, value: "b" });
    expect(run("$..tag")).toEqual({ ok: true, value: "a" });
  });
});

describe("jsonpath extractor: no match", () => {
  test("no match and no default → error naming the expression", () =>
    expect(compileExtractor({ type: "jsonpath", name: "t", expression: "$.nope" }).run(view(BODY), first)).toEqual({
      ok: false,
      error: "jsonpath $.nope matched nothing",
    }));

  test("no match with default → the default, for every index mode", () => {
    for (const index of ["first", "last", "random", "all"] as const) {
      expect(
        compileExtractor({ type: "jsonpath", name: "t", expression: "$.nope", default: "dflt", index }).run(view(BODY), first),
      ).toEqual({ ok: true, value: "dflt" });
    }
  });

  test("a default is ignored when something matched", () =>
    expect(
      compileExtractor({ type: "jsonpath", name: "t", expression: "$.token", default: "dflt" }).run(view(BODY), first),
    ).toEqual({ ok: true, value: "tok" }));

  test("an invalid JSON body is no match (default, else error)", () => {
    expect(compileExtractor({ type: "jsonpath", name: "t", expression: "$", default: "d" }).run(view("<html>"), first)).toEqual({
      ok: true,
      value: "d",
    });
    expect(compileExtractor({ type: "jsonpath", name: "t", expression: "$" }).run(view("<html>"), first)).toEqual({
      ok: false,
      error: "jsonpath $ matched nothing",
    });
  });
});

describe("jsonpath compile", () => {
  test("an invalid expression throws at compile time with the expression in the message", () => {
    expect(() => compileExtractor({ type: "jsonpath", name: "t", expression: "$[" })).toThrow(/invalid JSONPath \$\[:/);
    expect(() => compileExtractor({ type: "jsonpath", name: "t", expression: "token" })).toThrow(/invalid JSONPath token/);
  });

  test("an invalid index mode throws at compile time", () =>
    expect(() =>
      compileExtractor({ type: "jsonpath", name: "t", expression: "$", index: "second" as unknown as "first" }),
    ).toThrow(/invalid index "second"/));

  test("the pre-compiled query selects exactly what the library's query() selects", () => {
    // Guards our use of the library's internals (see jsonpath-query.ts) across upgrades.
    const doc: JsonValue = { a: [{ b: 1 }, { b: 2, c: "xy" }, { b: "3" }], s: { t: { b: 4 } } };
    for (const e of ["$", "$.a[*].b", "$..b", "$.a[?@.b > 1]", "$.a[?match(@.c, 'x.')]", "$.a[?search(@.c, 'y')]",
      "$.a[?length(@.c) == 2]", "$.a[-1:]", "$.a[::2]", "$.s.*", "$.nope", "$[?count(@.*) > 1]"]) {
      expect(compileJsonPath(e).all(doc)).toEqual(query(doc, e));
      expect(compileJsonPath(e).first(doc)).toEqual(query(doc, e)[0]);
    }
  });

  test("singular queries (the direct fast path) select exactly what query() selects", () => {
    const doc: JsonValue = { a: [{ b: 1 }, { b: null, "c d": [7, 8] }], s: { "0": "zero", t: { b: false } }, n: null };
    for (const e of ["$.a[0].b", "$.a[1].b", "$.a[-1]['c d'][-2]", "$.a[2]", "$.a[-3]", "$.s['0']", "$.s[0]", "$.a.b",
      "$.a['0']", "$.s.t.b", "$.n", "$.n.x", "$.nope.x", "$[\"s\"][\"t\"]", "$.a[1]['c d'][1]"]) {
      expect({ e, all: compileJsonPath(e).all(doc) }).toEqual({ e, all: query(doc, e) });
      expect({ e, first: compileJsonPath(e).first(doc) }).toEqual({ e, first: query(doc, e)[0] });
    }
    for (const doc2 of [[1, 2], "text", 5, null] as JsonValue[])
      for (const e of ["$[0]", "$[-1]", "$.a", "$"]) expect(compileJsonPath(e).all(doc2)).toEqual(query(doc2, e));
  });

  test("the compiled query is reused across responses", () => {
    const ex = compileExtractor({ type: "jsonpath", name: "t", expression: "$.n" });
    expect(ex.run(view('{"n":1}'), first)).toEqual({ ok: true, value: 1 });
    expect(ex.run(view('{"n":"two"}'), first)).toEqual({ ok: true, value: "two" });
  });
});
