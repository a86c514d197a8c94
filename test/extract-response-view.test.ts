import { describe, expect, test } from "bun:test";
import { compileCondition } from "../src/checks/conditions.ts";
import { compileExtractor } from "../src/extract/compile.ts";
import { findHeader, makeResponseView } from "../src/extract/response-view.ts";
import type { ProtocolResponse } from "../src/protocols/types.ts";

function resp(body: string | Uint8Array, headers: [string, string][] = [], status = 200, duration = 5): ProtocolResponse {
  return {
    status,
    statusText: "",
    headers,
    body: typeof body === "string" ? new TextEncoder().encode(body) : body,
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 1, waiting: 3, receiving: 1, duration },
    bytesSent: 0,
    bytesReceived: 0,
    protocolVersion: "HTTP/1.1",
    url: "http://x/",
  };
}

describe("makeResponseView", () => {
  test("copies status, headers, body and takes durationMs from timings.duration", () => {
    const r = resp("hi", [["A", "1"]], 201, 42.5);
    const v = makeResponseView(r);
    expect(v.status).toBe(201);
    expect(v.headers).toBe(r.headers);
    expect(v.body).toBe(r.body);
    expect(v.durationMs).toBe(42.5);
  });

  test("bodyRange() reads through to the response's; a discarded body has none (readers see the empty body)", () => {
    const range = { bytes: Buffer.from("xxhiyy"), from: 2, to: 4 };
    const r = { ...resp("hi"), bodyRange: () => range };
    expect(makeResponseView(r).bodyRange()).toBe(range);
    expect(makeResponseView(r, true).bodyRange()).toBeNull();
    expect(makeResponseView(r, true).body.length).toBe(0);
    expect(makeResponseView(resp("hi")).bodyRange()).toBeNull();
  });

  test("text() and json() are lazy: nothing is decoded until asked", () => {
    const v = makeResponseView(resp('{"a":1}'));
    expect(v.textDecodeCount).toBe(0);
    expect(v.jsonParseCount).toBe(0);
    expect(v.text()).toBe('{"a":1}');
    expect(v.textDecodeCount).toBe(1);
    expect(v.jsonParseCount).toBe(0);
  });

  test("text() decodes once however often it is called", () => {
    const v = makeResponseView(resp("héllo"));
    const a = v.text();
    const b = v.text();
    expect(a).toBe("héllo");
    expect(b).toBe(a);
    expect(v.textDecodeCount).toBe(1);
  });

  test("json() parses once and shares the body text decode", () => {
    const v = makeResponseView(resp('{"a":[1,2]}'));
    expect(v.json()).toEqual({ a: [1, 2] });
    expect(v.json()).toBe(v.json());
    v.text();
    expect(v.jsonParseCount).toBe(1);
    expect(v.textDecodeCount).toBe(1);
  });

  test("json() is undefined for an invalid, empty or BOM-prefixed body, and is not retried", () => {
    for (const body of ["not json", "", "\uFEFF{}"]) {
      const v = makeResponseView(resp(body));
      expect(v.json()).toBeUndefined();
      expect(v.json()).toBeUndefined();
      expect(v.jsonParseCount).toBe(1);
    }
  });

  test("several extractors and conditions on one view parse the JSON once", () => {
    const v = makeResponseView(resp('{"token":"t","id":7}'));
    const rnd = () => 0;
    expect(compileExtractor({ type: "jsonpath", name: "a", expression: "$.token" }).run(v, rnd)).toEqual({ ok: true, value: "t" });
    expect(compileExtractor({ type: "jsonpath", name: "b", expression: "$.id" }).run(v, rnd)).toEqual({ ok: true, value: 7 });
    expect(compileExtractor({ type: "regex", name: "c", expression: '"id":(\\d+)' }).run(v, rnd)).toEqual({ ok: true, value: "7" });
    expect(compileCondition({ type: "jsonpath", expression: "$.id", equals: 7 }).check(v)).toBe(true);
    expect(compileCondition({ type: "body_contains", value: "token" }).check(v)).toBe(true);
    expect(v.jsonParseCount).toBe(1);
    expect(v.textDecodeCount).toBe(1);
  });

  test("a non-UTF-8 body does not throw: invalid bytes become U+FFFD, json() is undefined", () => {
    const v = makeResponseView(resp(new Uint8Array([0x61, 0xff, 0xfe, 0x62, 0xc3])));
    expect(() => v.text()).not.toThrow();
    expect(v.text()).toBe("a\uFFFD\uFFFDb\uFFFD");
    expect(v.json()).toBeUndefined();
    // and the extractors/conditions that read text keep working on it
    expect(compileCondition({ type: "body_contains", value: "b" }).check(v)).toBe(true);
    expect(compileExtractor({ type: "jsonpath", name: "x", expression: "$.a", default: "d" }).run(v, () => 0)).toEqual({
      ok: true,
      value: "d",
    });
  });

  test("an empty body is empty text", () => {
    expect(makeResponseView(resp(new Uint8Array())).text()).toBe("");
  });
});

describe("header lookup", () => {
  const headers: [string, string][] = [
    ["Content-Type", "text/plain"],
    ["Set-Cookie", "a=1"],
    ["set-cookie", "b=2"],
  ];

  test("view.header() is case-insensitive on the name", () => {
    const v = makeResponseView(resp("", headers));
    expect(v.header("content-type")).toBe("text/plain");
    expect(v.header("CONTENT-TYPE")).toBe("text/plain");
  });

  test("returns the first of repeated headers, in wire order", () => {
    expect(findHeader(headers, "set-cookie")).toBe("a=1");
  });

  test("returns undefined for a missing header", () => {
    expect(findHeader(headers, "x-missing")).toBeUndefined();
    expect(makeResponseView(resp("", headers)).header("Content-Length")).toBeUndefined();
  });
});
