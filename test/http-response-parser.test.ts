import { expect, test } from "bun:test";
import { headerRanges, splitHeaderBlock } from "../src/protocols/header-block.ts";
import { MAX_SKIPPED } from "../src/protocols/http/chunked.ts";
import { Feed, MAX_HEAD, ResponseParser } from "../src/protocols/http/response-parser.ts";

const RESPONSE =
  "HTTP/1.1 100 Continue\r\n\r\n" +
  "HTTP/1.1 203 Non-Authoritative Information\r\nServer: t\r\nX-Odd:\ta\rb \r\nContent-Encoding: gzip\r\n" +
  "set-COOKIE: s=1\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\nhello";

/** Feeds `chunks` to a fresh parser (keeping at most `maxBody` body bytes, or none unless `keep`); what it made of them. */
function parse(chunks: Buffer[], maxBody = Infinity, keep = true) {
  const p = new ResponseParser();
  p.reset(false, maxBody, keep);
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
    rawBodyBytes: p.rawBodyBytes,
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
    rawBodyBytes: 5,
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

/** `text` in pieces of `n` bytes */
const pieces = (text: string, n: number) => {
  const out = [];
  for (let i = 0; i < text.length; i += n) out.push(Buffer.from(text.slice(i, i + n), "latin1"));
  return out;
};
const TOO_LARGE = "invalid HTTP response: header section too large";

test("a head that never ends is refused past 64 KiB, whether it came in one piece or trickled", () => {
  const huge = "HTTP/1.1 200 OK\r\n" + "X-Pad: " + "p".repeat(70 * 1024);
  expect(parse([Buffer.from(huge)]).error).toBe(TOO_LARGE);
  expect(parse(pieces(huge, 1000)).error).toBe(TOO_LARGE);
});

test("a complete head past 64 KiB is refused in one piece as in many; one of 64 KiB is read; interim heads count toward the bound", () => {
  const head = (pad: number) => `HTTP/1.1 200 OK\r\nX-Pad: ${"p".repeat(pad)}\r\nContent-Length: 2\r\n\r\n`;
  const fixed = head(0).length;
  const over = head(MAX_HEAD - fixed + 1) + "ok";
  expect(parse([Buffer.from(over)]).error).toBe(TOO_LARGE);
  expect(parse(pieces(over, 4096)).error).toBe(TOO_LARGE);
  const fits = parse([Buffer.from(head(MAX_HEAD - fixed) + "ok")]);
  expect([fits.error, fits.body, fits.headBytes]).toEqual(["", "ok", MAX_HEAD]);
  // 100 Continue heads, 25 bytes each: the 2,622nd passes 64 KiB, in one piece or several
  const interims = "HTTP/1.1 100 Continue\r\n\r\n".repeat(2700) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  expect(parse([Buffer.from(interims)]).error).toBe(TOO_LARGE);
  expect(parse(pieces(interims, 1000)).error).toBe(TOO_LARGE);
  expect(parse([Buffer.from("HTTP/1.1 100 Continue\r\n\r\n".repeat(100) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]).body).toBe("ok");
});

test("max_body_size: a Content-Length past it fails from the head; chunked and read-until-close bodies fail once past it; a body of exactly that size is read", () => {
  const tooLarge = (what: string) => `response body too large: ${what} passed max_body_size (10 bytes)`;
  const len = parse([Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")], 10);
  expect([len.result, len.error]).toEqual([Feed.Error, tooLarge("its Content-Length of 11 bytes")]);
  expect(parse([Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")], 10).body).toBe("0123456789");
  const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n";
  expect(parse([Buffer.from(chunked + "0\r\n\r\n")], 10).body).toBe("0123456789");
  for (const p of [[Buffer.from(chunked + "1\r\nx\r\n0\r\n\r\n")], pieces(chunked + "1\r\nx\r\n0\r\n\r\n", 3)]) {
    expect(parse(p, 10).error).toBe(tooLarge("its chunks"));
  }
  const close = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789";
  expect(parse([Buffer.from(close)], 10).result).toBe(Feed.More); // 10 bytes so far: read on until the close
  expect(parse([Buffer.from(close), Buffer.from("x")], 10).error).toBe(tooLarge("the bytes before the server closed"));
  // HEAD, 204 and 304 have no body whatever Content-Length says
  expect(parse([Buffer.from("HTTP/1.1 304 Not Modified\r\nContent-Length: 999\r\n\r\n")], 10).result).toBe(Feed.Done);
});

test("a body not kept (discard_response_bodies) is counted whatever its size, in every framing", () => {
  const big = "b".repeat(5000);
  const framings = [
    `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
  ];
  for (const f of framings) {
    for (const p of [[Buffer.from(f)], pieces(f, 700)]) {
      const r = parse(p, 10, false);
      expect([r.result, r.error, r.body]).toEqual([Feed.Done, "", ""]);
    }
  }
  expect(parse([Buffer.from(framings[0]!)], 10, false).rawBodyBytes).toBe(5000);
  const close = parse(pieces(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${big}`, 700), 10, false);
  expect([close.result, close.error, close.body, close.rawBodyBytes]).toEqual([Feed.More, "", "", 5000]);
});

test("chunk extensions and trailers are skipped up to 64 KiB per body, then refused", () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const ext = (n: number) => `${head}2;${"e".repeat(n)}\r\nok\r\n0\r\n\r\n`;
  expect(parse([Buffer.from(ext(MAX_SKIPPED - 10))]).body).toBe("ok");
  expect(parse([Buffer.from(ext(MAX_SKIPPED + 1))]).error).toBe("invalid chunked body: chunk extensions and trailers too large");
  const trailers = (n: number) => `${head}2\r\nok\r\n0\r\n${"X-T: 0123456789\r\n".repeat(n)}\r\n`;
  expect(parse([Buffer.from(trailers(100))]).body).toBe("ok");
  for (const p of [[Buffer.from(trailers(4000))], pieces(trailers(4000), 999)]) {
    expect(parse(p).error).toBe("invalid chunked body: chunk extensions and trailers too large");
  }
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
    rawBodyBytes: whole.length - interim.length - head.length,
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
