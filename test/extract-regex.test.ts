import { describe, expect, test } from "bun:test";
import { compileExtractor } from "../src/extract/compile.ts";
import { makeResponseView } from "../src/extract/response-view.ts";

const view = (body: string) =>
  makeResponseView({
    status: 200, statusText: "", headers: [], body: new TextEncoder().encode(body),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });

const BODY = "id=11; id=22; id=33;";
const first = () => 0;
const last = () => 0.999999;

describe("regex extractor: index modes", () => {
  const ex = (index?: "first" | "last" | "random" | "all") =>
    compileExtractor({ type: "regex", name: "id", expression: "id=(\\d+)", ...(index ? { index } : {}) });

  test("no index = first match", () => expect(ex().run(view(BODY), last)).toEqual({ ok: true, value: "11" }));
  test("first", () => expect(ex("first").run(view(BODY), last)).toEqual({ ok: true, value: "11" }));
  test("last", () => expect(ex("last").run(view(BODY), first)).toEqual({ ok: true, value: "33" }));
  test("random uses the given generator", () => {
    expect(ex("random").run(view(BODY), first)).toEqual({ ok: true, value: "11" });
    expect(ex("random").run(view(BODY), () => 0.5)).toEqual({ ok: true, value: "22" });
    expect(ex("random").run(view(BODY), last)).toEqual({ ok: true, value: "33" });
  });
  test("all = array of every match, as strings", () =>
    expect(ex("all").run(view(BODY), first)).toEqual({ ok: true, value: ["11", "22", "33"] }));
  test("the compiled regex is reusable: a second run starts from the beginning again", () => {
    const e = ex("all");
    e.run(view(BODY), first);
    expect(e.run(view("id=5"), first)).toEqual({ ok: true, value: ["5"] });
    const f = ex("first");
    f.run(view(BODY), first);
    expect(f.run(view("id=9 id=8"), first)).toEqual({ ok: true, value: "9" });
  });
});

describe("regex extractor: groups", () => {
  const run = (expression: string, group?: number, index: "first" | "all" = "first") =>
    compileExtractor({ type: "regex", name: "g", expression, index, ...(group !== undefined ? { group } : {}) }).run(
      view("k=a1 k=b2"),
      first,
    );

  test("group defaults to 1", () => expect(run("k=(\\w)(\\d)")).toEqual({ ok: true, value: "a" }));
  test("group 2 picks the second group", () => expect(run("k=(\\w)(\\d)", 2, "all")).toEqual({ ok: true, value: ["1", "2"] }));
  test("group 0 is the whole match", () => expect(run("k=\\w\\d", 0, "all")).toEqual({ ok: true, value: ["k=a1", "k=b2"] }));
  test("a match where the group did not take part yields nothing", () =>
    expect(run("k=(?:(a)|b)\\d", 1, "all")).toEqual({ ok: true, value: ["a"] }));
  test("named groups count as groups (Rust (?P<n>) spelling too)", () =>
    expect(run("k=(?P<letter>\\w)", 1)).toEqual({ ok: true, value: "a" }));
  test("empty matches do not loop forever", () =>
    expect(
      compileExtractor({ type: "regex", name: "e", expression: "x*", group: 0, index: "all" }).run(view("ab😀"), first),
    ).toEqual({ ok: true, value: ["", "", "", ""] }));
});

describe("regex extractor: no match", () => {
  test("no match and no default → error naming the regex", () =>
    expect(compileExtractor({ type: "regex", name: "t", expression: "zz(\\d)" }).run(view(BODY), first)).toEqual({
      ok: false,
      error: "regex /zz(\\d)/ matched nothing",
    }));
  test("no match with default → the default, for every index mode", () => {
    for (const index of ["first", "last", "random", "all"] as const) {
      expect(
        compileExtractor({ type: "regex", name: "t", expression: "zz(\\d)", default: "none", index }).run(view(BODY), first),
      ).toEqual({ ok: true, value: "none" });
    }
  });
});

describe("regex extractor: compile errors", () => {
  test("an invalid regex throws naming it", () =>
    expect(() => compileExtractor({ type: "regex", name: "t", expression: "a(b" })).toThrow(/invalid regex \/a\(b\//));
  test("fewer groups than `group` throws", () =>
    expect(() => compileExtractor({ type: "regex", name: "t", expression: "a(b)", group: 2 })).toThrow(
      "regex /a(b)/ has 1 capture group but group 2 was requested",
    ));
  test("the default group 1 with no groups throws", () =>
    expect(() => compileExtractor({ type: "regex", name: "t", expression: "ab" })).toThrow(
      "regex /ab/ has 0 capture groups but group 1 was requested",
    ));
  test("group 0 with no groups is fine", () =>
    expect(compileExtractor({ type: "regex", name: "t", expression: "ab", group: 0 }).run(view("xaby"), first)).toEqual({
      ok: true,
      value: "ab",
    }));
  test("a negative or fractional group throws", () => {
    expect(() => compileExtractor({ type: "regex", name: "t", expression: "(a)", group: -1 })).toThrow(/non-negative integer/);
    expect(() => compileExtractor({ type: "regex", name: "t", expression: "(a)", group: 1.5 })).toThrow(/non-negative integer/);
  });
});
