import { expect, test } from "bun:test";
import { headerRanges, splitHeaderBlock } from "../src/protocols/header-block.ts";
import { Feed, ResponseParser } from "../src/protocols/http/response-parser.ts";

const RESPONSE =
  "HTTP/1.1 100 Continue\r\n\r\n" +
  "HTTP/1.1 203 Non-Authoritative Information\r\nServer: t\r\nX-Odd:\ta\rb \r\nContent-Encoding: gzip\r\n" +
  "set-COOKIE: s=1\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\nhello";

/** Feeds `chunks` to a fresh parser; what it made of them. */
function parse(chunks: Buffer[]) {
  const p = new ResponseParser();
  p.reset(false);
  let r: Feed = Feed.More;
  for (const c of chunks) {
    r = p.feed(c);
    if (r !== Feed.More) break;
  }
  const body = p.wholeChunk !== null ? p.wholeChunk.subarray(p.wholeStart, p.wholeEnd) : p.body();
  const block = p.headChunk === null ? null : { bytes: p.headChunk, from: p.headersFrom, to: p.headersTo };
  // the ranges the parser kept give the same headers as scanning the bytes again
  if (block !== null && p.lineCount >= 0) expect(splitHeaderBlock({ ...block, lines: p.lines, count: p.lineCount })).toEqual(splitHeaderBlock(block));
  return {
    result: r,
    error: p.error,
    status: p.status,
    statusText: p.statusText,
    version: p.version,
    keepAlive: p.keepAlive,
    contentEncoding: p.contentEncoding,
    hasSetCookie: p.hasSetCookie,
    headBytes: p.headBytes,
    headers: block === null ? [] : splitHeaderBlock(block),
    body: Buffer.from(body).toString("latin1"),
  };
}

test("a response split at every byte position parses the same as in one piece", () => {
  const whole = Buffer.from(RESPONSE, "latin1");
  const one = parse([whole]);
  expect(one).toEqual({
    result: Feed.Done,
    error: "",
    status: 203,
    statusText: "Non-Authoritative Information",
    version: "HTTP/1.1",
    keepAlive: true,
    contentEncoding: "gzip",
    hasSetCookie: true,
    headBytes: whole.length - 5,
    headers: [
      ["Server", "t"],
      ["X-Odd", "a\rb"],
      ["Content-Encoding", "gzip"],
      ["set-COOKIE", "s=1"],
      ["Connection", "Keep-Alive"],
      ["Content-Length", "5"],
    ],
    body: "hello",
  });
  for (let i = 1; i < whole.length; i++) expect(parse([whole.subarray(0, i), whole.subarray(i)])).toEqual(one);
  expect(parse([...whole].map((b) => Buffer.from([b])))).toEqual(one);
});

test("the parser keeps an ASCII head's header ranges (up to 32 lines) until it parses the next head; otherwise readers scan", () => {
  const many = (n: number) => `HTTP/1.1 200 OK\r\n${Array.from({ length: n }, (_, i) => `H${i}:  v ${i}\t\r\n`).join("")}Content-Length: 0\r\n\r\n`;
  const p = new ResponseParser();
  p.reset(false);
  expect(p.feed(Buffer.from(many(31)))).toBe(Feed.Done);
  expect(p.lineCount).toBe(32);
  const at: number[] = [];
  const lens: number[] = [];
  const block = { bytes: p.headChunk!, from: p.headersFrom, to: p.headersTo };
  expect(headerRanges({ ...block, lines: p.lines, count: p.lineCount }, at, lens, true)).toBe(32);
  expect(p.headChunk!.toString("latin1", at[61]!, at[61]! + lens[61]!)).toBe("v 30");
  const before = p.generation;
  p.reset(false);
  expect(p.generation).toBe(before); // a reset right after a response keeps its ranges current
  expect(p.feed(Buffer.from(many(40)))).toBe(Feed.Done);
  expect(p.generation).not.toBe(before);
  expect(p.lineCount).toBe(-1);
  expect(parse([Buffer.from(many(40))]).headers.length).toBe(41);
  // a byte past 0x7f: no ranges (the WASM call then lowers through decoded pairs)
  p.reset(false);
  expect(p.feed(Buffer.from("HTTP/1.1 200 OK\r\nX: caf\xe9\r\nContent-Length: 0\r\n\r\n", "latin1"))).toBe(Feed.Done);
  expect(p.lineCount).toBe(-1);
  expect(parse([Buffer.from("HTTP/1.1 200 OK\r\nX: caf\xe9\r\nContent-Length: 0\r\n\r\n", "latin1")]).headers).toEqual([["X", "caf\xe9"], ["Content-Length", "0"]]);
});

test("framing headers are read case-insensitively: chunked, close, HTTP/1.0, no reason phrase", () => {
  const chunked = parse([Buffer.from("HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: gzip, Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]);
  expect([chunked.result, chunked.body, chunked.keepAlive]).toEqual([Feed.Done, "ok", true]);
  const close = parse([Buffer.from("HTTP/1.1 200 OK\r\nconnection: CLOSE\r\ncontent-length: 0\r\n\r\n")]);
  expect([close.result, close.keepAlive]).toEqual([Feed.Done, false]);
  const old = parse([Buffer.from("HTTP/1.0 204\r\n\r\n")]);
  expect([old.result, old.version, old.status, old.statusText, old.keepAlive, old.headers]).toEqual([Feed.Done, "HTTP/1.0", 204, "", false, []]);
});

test("malformed heads fail with what was wrong", () => {
  const err = (s: string) => parse([Buffer.from(s)]).error;
  expect(err("HTTP/1.1 2x0 OK\r\n\r\n")).toBe('invalid HTTP response: malformed status line "HTTP/1.1 2x0 OK"');
  expect(err("HTTP/1.1 20\r\n\r\n")).toBe('invalid HTTP response: malformed status line "HTTP/1.1 20"');
  expect(err("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")).toBe('invalid HTTP response: malformed header line "no colon here"');
  expect(err("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n")).toBe('invalid HTTP response: malformed header line ": empty name"');
  expect(err("HTTP/1.1 200 OK\r\nContent-Length:  12a \r\n\r\n")).toBe('invalid HTTP response: bad content-length "12a"');
  expect(err("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")).toBe('invalid HTTP response: bad content-length "2"');
  expect(err("SSH-2.0-OpenSSH\r\n\r\n")).toBe('invalid HTTP response: expected a status line, got "SSH-2.0-OpenSSH\\r\\n\\r\\n"');
});

test("header names with whitespace, control or non-ASCII bytes are refused, not read as another header; every token byte is accepted", () => {
  const err = (s: string) => parse([Buffer.from(s, "latin1")]).error;
  const name = (line: string) => err(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`);
  // whitespace before the colon: a parser that trimmed it would take this as the body's length
  expect(err("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello")).toBe('invalid HTTP response: malformed header name "Content-Length "');
  expect(name("X-A\tB: 1")).toBe('invalid HTTP response: malformed header name "X-A\\tB"');
  expect(name(" folded: 1")).toBe('invalid HTTP response: malformed header name " folded"'); // obs-fold, or garbage
  expect(name("X\x01: 1")).toBe('invalid HTTP response: malformed header name "X\\u0001"');
  expect(name("X\x7f: 1")).toBe('invalid HTTP response: malformed header name "X\x7f"');
  expect(name("Caf\xe9: 1")).toBe('invalid HTTP response: malformed header name "Caf\xe9"');
  const tchars = "!#$%&'*+-.^_`|~09AZaz";
  const ok = parse([Buffer.from(`HTTP/1.1 200 OK\r\n${tchars}: v\r\nContent-Length: 0\r\n\r\n`)]);
  expect([ok.result, ok.headers]).toEqual([Feed.Done, [[tchars, "v"], ["Content-Length", "0"]]]);
});

test("a head that never ends is refused past 64 KiB, whether it came in one piece or trickled", () => {
  const huge = "HTTP/1.1 200 OK\r\n" + "X-Pad: " + "p".repeat(70 * 1024);
  expect(parse([Buffer.from(huge)]).error).toBe("invalid HTTP response: header section too large");
  const pieces = [];
  for (let i = 0; i < huge.length; i += 1000) pieces.push(Buffer.from(huge.slice(i, i + 1000)));
  expect(parse(pieces).error).toBe("invalid HTTP response: header section too large");
});

test("an interim head's framing headers do not carry over; a chunked body with trailers split anywhere parses the same", () => {
  // parseHead starts every head's state afresh: a 103's Content-Encoding, Set-Cookie or
  // Connection must not decide how the final response is decoded, stored or kept alive
  const interim = "HTTP/1.1 103 Early Hints\r\nContent-Encoding: gzip\r\nSet-Cookie: early=1\r\nConnection: close\r\n\r\n";
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Final: yes\r\n\r\n";
  const whole = Buffer.from(`${interim}${head}5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n`, "latin1");
  const one = parse([whole]);
  expect(one).toEqual({
    result: Feed.Done,
    error: "",
    status: 200,
    statusText: "OK",
    version: "HTTP/1.1",
    keepAlive: true,
    contentEncoding: "",
    hasSetCookie: false,
    headBytes: interim.length + head.length,
    headers: [
      ["Transfer-Encoding", "chunked"],
      ["X-Final", "yes"],
    ],
    body: "hello, world",
  });
  for (let i = 1; i < whole.length; i++) expect(parse([whole.subarray(0, i), whole.subarray(i)])).toEqual(one);
  expect(parse([...whole].map((b) => Buffer.from([b])))).toEqual(one);
});

test("framing header names match letters without case; a CR inside a name is refused, never read as `-`", () => {
  // `|0x20` folds ASCII case; applied to any byte it would make CR (0x0d) read as `-` (0x2d)
  const r = parse([Buffer.from("HTTP/1.1 200 OK\r\nCONTENT-length: 5\r\nConnection: close\r\n\r\nhello", "latin1")]);
  expect([r.result, r.body]).toEqual([Feed.Done, "hello"]);
  const bad = parse([Buffer.from("HTTP/1.1 200 OK\r\nTransfer\rEncoding: chunked\r\nContent-Length: 2\r\n\r\nok", "latin1")]);
  expect(bad.error).toBe('invalid HTTP response: malformed header name "Transfer\\rEncoding"');
});
