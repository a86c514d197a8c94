import { describe, expect, test } from "bun:test";
import { compileExtractor } from "../src/extract/compile.ts";
import { makeResponseView } from "../src/extract/response-view.ts";

const view = (body: string) =>
  makeResponseView({
    status: 200, statusText: "", headers: [], body: new TextEncoder().encode(body),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });

const BODY = "<b>one</b> <b>two</b> <b>three</b>";
const first = () => 0;
const last = () => 0.999999;
const ex = (index?: "first" | "last" | "random" | "all", extra: { default?: string; left?: string; right?: string } = {}) =>
  compileExtractor({ type: "boundary", name: "b", left: "<b>", right: "</b>", ...(index ? { index } : {}), ...extra });

describe("boundary extractor: index modes", () => {
  test("no index = first match", () => expect(ex().run(view(BODY), last)).toEqual({ ok: true, value: "one" }));
  test("first", () => expect(ex("first").run(view(BODY), last)).toEqual({ ok: true, value: "one" }));
  test("last", () => expect(ex("last").run(view(BODY), first)).toEqual({ ok: true, value: "three" }));
  test("random uses the given generator", () => {
    expect(ex("random").run(view(BODY), first)).toEqual({ ok: true, value: "one" });
    expect(ex("random").run(view(BODY), () => 0.5)).toEqual({ ok: true, value: "two" });
    expect(ex("random").run(view(BODY), last)).toEqual({ ok: true, value: "three" });
  });
  test("all = every non-overlapping left…right substring", () =>
    expect(ex("all").run(view(BODY), first)).toEqual({ ok: true, value: ["one", "two", "three"] }));
});

describe("boundary extractor: scanning", () => {
  test("scanning resumes after each right, so matches never overlap", () =>
    expect(ex("all", { left: "[", right: "]" }).run(view("[a[b]c]d[e]"), first)).toEqual({ ok: true, value: ["a[b", "e"] }));
  test("an empty value between the boundaries is a match", () =>
    expect(ex("all").run(view("<b></b>"), first)).toEqual({ ok: true, value: [""] }));
  test("a left without a right is no match", () =>
    expect(ex("first").run(view("<b>unterminated"), first)).toEqual({ ok: false, error: 'boundary "<b>"…"</b>" matched nothing' }));
  test("empty left and right terminate", () =>
    expect(ex("all", { left: "", right: "" }).run(view("ab"), first)).toEqual({ ok: true, value: ["", "", ""] }));
});

describe("boundary extractor: no match", () => {
  test("no match and no default → error naming both boundaries", () =>
    expect(ex().run(view("nothing here"), first)).toEqual({ ok: false, error: 'boundary "<b>"…"</b>" matched nothing' }));
  test("no match with default → the default, for every index mode", () => {
    for (const index of ["first", "last", "random", "all"] as const) {
      expect(ex(index, { default: "none" }).run(view("nothing"), first)).toEqual({ ok: true, value: "none" });
    }
  });
});
