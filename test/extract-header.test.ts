import { describe, expect, test } from "bun:test";
import { compileExtractor } from "../src/extract/compile.ts";
import { makeResponseView } from "../src/extract/response-view.ts";

const view = (headers: [string, string][]) =>
  makeResponseView({
    status: 200, statusText: "", headers, body: new Uint8Array(),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });

const H: [string, string][] = [
  ["Content-Type", "application/json"],
  ["X-Request-Id", "r1"],
  ["x-request-id", "r2"],
];
const rnd = () => 0.999999;

describe("header extractor", () => {
  test("matches the header name case-insensitively", () => {
    expect(compileExtractor({ type: "header", name: "ct", header: "content-type" }).run(view(H), rnd)).toEqual({
      ok: true,
      value: "application/json",
    });
    expect(compileExtractor({ type: "header", name: "ct", header: "CONTENT-TYPE" }).run(view(H), rnd)).toEqual({
      ok: true,
      value: "application/json",
    });
  });

  test("returns the first matching header when repeated (header has no index)", () =>
    expect(compileExtractor({ type: "header", name: "id", header: "X-REQUEST-ID" }).run(view(H), rnd)).toEqual({
      ok: true,
      value: "r1",
    }));

  test("an `index` key is ignored for header (always the first)", () =>
    expect(
      compileExtractor({ type: "header", name: "id", header: "x-request-id", index: "last" } as never).run(view(H), rnd),
    ).toEqual({ ok: true, value: "r1" }));

  test("missing header and no default → error naming the header", () =>
    expect(compileExtractor({ type: "header", name: "t", header: "X-Token" }).run(view(H), rnd)).toEqual({
      ok: false,
      error: "header X-Token matched nothing",
    }));

  test("missing header with default → the default", () =>
    expect(compileExtractor({ type: "header", name: "t", header: "X-Token", default: "anon" }).run(view(H), rnd)).toEqual({
      ok: true,
      value: "anon",
    }));

  test("an empty header name throws at compile time", () =>
    expect(() => compileExtractor({ type: "header", name: "t", header: "" })).toThrow(/header must be a non-empty string/));
});

describe("extractor dispatch", () => {
  test("the compiled extractor carries the variable name", () =>
    expect(compileExtractor({ type: "header", name: "my_var", header: "a" }).name).toBe("my_var"));

  test("an unknown type throws naming it", () =>
    expect(() => compileExtractor({ type: "nope", name: "x", expression: "a" } as never)).toThrow('unsupported extractor type "nope"'));
});
