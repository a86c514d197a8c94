/**
 * Property-based fuzzing of the HTTP/1.1 response parser (src/protocols/http/response-parser.ts,
 * chunked.ts) with fast-check:
 *
 * - a valid response — interim heads, random headers, any framing (Content-Length, chunked with
 *   extensions and trailers, read until close), any body — parses to what was sent, and the same
 *   however it is split into socket chunks;
 * - random bytes, and valid responses with random bytes changed, never make it throw: it answers
 *   More, Done or Error with a message of its own, each feed returns at once, and what it keeps
 *   stays within its bounds (a head of 64 KiB, max_body_size of body) whatever it is fed.
 *
 * `bun test` runs each property a few hundred times (a few seconds). For a longer hunt:
 * `LOADR_FUZZ_RUNS=200000 bun test test/fuzz-http-parser.test.ts` (and `LOADR_FUZZ_SEED=<seed>`
 * replays a failure fast-check printed). docs/reliability.md "The response parser, fuzzed".
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { splitHeaderBlock } from "../src/protocols/header-block.ts";
import { Feed, MAX_HEAD, ResponseParser } from "../src/protocols/http/response-parser.ts";

const RUNS = Number(process.env.LOADR_FUZZ_RUNS ?? 300);
const SEED = process.env.LOADR_FUZZ_SEED === undefined ? undefined : Number(process.env.LOADR_FUZZ_SEED);
const params = { numRuns: RUNS, seed: SEED };
setDefaultTimeout(Math.max(60_000, RUNS * 20));

/** every message the parser fails with starts with one of these */
const OWN_ERRORS = ["invalid HTTP response: ", "invalid chunked body: ", "response body too large: "];

// ---- valid responses and what they should parse to ----

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const FRAMING = new Set(["content-length", "transfer-encoding", "connection", "content-encoding", "set-cookie"]);
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 });
/** a field value without surrounding whitespace: visible latin1 and inner spaces/tabs */
const fieldValue = fc
  .array(fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constantFrom(0x20, 0x09)), { maxLength: 20 })
  .map((codes) => String.fromCharCode(...codes).replace(/^[ \t]+|[ \t]+$/g, ""));
/** names the parser reads for framing are left to `framing` */
const header = fc.tuple(token, fieldValue).filter(([n]) => !FRAMING.has(n.toLowerCase()));
const mixedCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));

interface Framing {
  /** the framing header lines, in order */
  headers: [string, string][];
  /** the body as it goes on the wire */
  wire: (body: Uint8Array) => Uint8Array;
  /** the body ends only when the connection closes */
  untilClose: boolean;
}

/** a framing header value "" stands for the body's length */
const lengthFraming: fc.Arbitrary<Framing> = mixedCase("content-length").map((name) => ({ headers: [[name, ""]], wire: (b) => b, untilClose: false }));

const chunkedFraming: fc.Arbitrary<Framing> = fc
  .record({
    name: mixedCase("transfer-encoding"),
    cuts: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
    ext: fc.array(fc.constantFrom("", ";a=b", ";x", " ;y=\"z\""), { minLength: 8, maxLength: 8 }),
    upper: fc.boolean(),
    trailers: fc.array(header, { maxLength: 3 }),
  })
  .map(({ name, cuts, ext, upper, trailers }) => ({
    headers: [[name, "chunked"]] as [string, string][],
    untilClose: false,
    wire: (body: Uint8Array) => {
      const parts: (string | Uint8Array)[] = [];
      let at = 0;
      for (let i = 0; at < body.length; i++) {
        const n = Math.min(cuts[i] ?? body.length, body.length - at);
        const size = n.toString(16);
        parts.push(`${upper ? size.toUpperCase() : size}${ext[i % ext.length]}\r\n`, body.subarray(at, at + n), "\r\n");
        at += n;
      }
      parts.push(`0\r\n${trailers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
      return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
    },
  }));

const closeFraming: fc.Arbitrary<Framing> = mixedCase("connection").map((name) => ({
  headers: [[name, "close"]] as [string, string][],
  wire: (b) => b,
  untilClose: true,
}));

const interim = fc.record({ status: fc.constantFrom(100, 102, 103), headers: fc.array(header, { maxLength: 3 }) });

const validResponse = fc
  .record({
    interims: fc.array(interim, { maxLength: 2 }),
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    reason: fc.constantFrom("", "OK", "Not Found", "Weird  Reason\t!"),
    before: fc.array(header, { maxLength: 5 }),
    after: fc.array(header, { maxLength: 3 }),
    framing: fc.oneof(lengthFraming, chunkedFraming, closeFraming),
    body: fc.uint8Array({ maxLength: 200 }),
  })
  .map((r) => {
    const framingHeaders = r.framing.headers.map(([k, v]): [string, string] => [k, v === "" ? String(r.body.length) : v]);
    const headers = [...r.before, ...framingHeaders, ...r.after];
    const head = (status: number, reason: string, hs: [string, string][]) =>
      `HTTP/1.1 ${status}${reason === "" ? "" : ` ${reason}`}\r\n${hs.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
    const heads = r.interims.map((i) => head(i.status, "", i.headers)).join("") + head(r.status, r.reason, headers);
    const wire = Buffer.concat([Buffer.from(heads, "latin1"), r.framing.wire(r.body)]);
    return { wire, status: r.status, reason: r.reason, headers, body: Buffer.from(r.body), untilClose: r.framing.untilClose };
  });

/** Cut points inside `n` bytes, sorted, each piece at least one byte. */
function splits(n: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, n - 1) }), { maxLength: 12 }).map((a) => a.filter((x) => x < n).sort((x, y) => x - y));
}

function pieces(wire: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, wire.length]) {
    // each piece a fresh Buffer, as Bun hands socket chunks over
    out.push(Buffer.from(wire.subarray(at, c)));
    at = c;
  }
  return out;
}

/** What a parser made of `chunks` (then the close, when the body runs until it). */
function parse(chunks: Buffer[], untilClose: boolean, maxBody = Infinity, keep = true) {
  const p = new ResponseParser();
  p.reset(false, maxBody, keep);
  let r: Feed = Feed.More;
  for (const c of chunks) {
    r = p.feed(c);
    if (r !== Feed.More) break;
  }
  if (r === Feed.More && untilClose) r = p.eof();
  const body = p.wholeChunk !== null ? p.wholeChunk.subarray(p.wholeStart, p.wholeEnd) : p.body();
  const headers = p.headChunk === null ? [] : splitHeaderBlock({ bytes: p.headChunk, from: p.headersFrom, to: p.headersTo });
  return { result: r, error: p.error, status: p.status, statusText: p.statusText, headers, body: Buffer.from(body).toString("latin1"), headBytes: p.headBytes, rawBodyBytes: p.rawBodyBytes, trailing: p.trailing };
}

test("a valid response parses to what was sent, however it is split", () => {
  fc.assert(
    fc.property(
      validResponse.chain((v) => fc.tuple(fc.constant(v), splits(v.wire.length))),
      ([v, cuts]) => {
        const whole = parse([v.wire], v.untilClose);
        expect(whole.error).toBe("");
        expect(whole.result).toBe(Feed.Done);
        expect([whole.status, whole.statusText]).toEqual([v.status, v.reason]);
        expect(whole.headers).toEqual(v.headers);
        expect(whole.body).toBe(v.body.toString("latin1"));
        expect(whole.trailing).toBe(false);
        expect(parse(pieces(v.wire, cuts), v.untilClose)).toEqual(whole);
      },
    ),
    params,
  );
});

test("a body exactly at max_body_size is read; one byte past it fails as too large, however split; not kept, it is only counted", () => {
  fc.assert(
    fc.property(
      validResponse.filter((v) => v.body.length > 0).chain((v) => fc.tuple(fc.constant(v), splits(v.wire.length))),
      ([v, cuts]) => {
        const n = v.body.length;
        const at = parse(pieces(v.wire, cuts), v.untilClose, n);
        expect([at.result, at.body]).toEqual([Feed.Done, v.body.toString("latin1")]);
        const past = parse(pieces(v.wire, cuts), v.untilClose, n - 1);
        expect(past.result).toBe(Feed.Error);
        expect(past.error).toStartWith("response body too large: ");
        const counted = parse(pieces(v.wire, cuts), v.untilClose, 0, false);
        expect([counted.result, counted.body]).toEqual([Feed.Done, ""]);
        expect(counted.rawBodyBytes).toBe(at.rawBodyBytes);
      },
    ),
    params,
  );
});

// ---- hostile input ----

/** Feeds `chunks` one by one and checks the parser's promises after each. */
function feedHostile(chunks: Uint8Array[], maxBody: number, keep: boolean): void {
  const p = new ResponseParser();
  p.reset(false, maxBody, keep);
  const t0 = performance.now();
  for (const c of chunks) {
    let r: Feed;
    try {
      r = p.feed(Buffer.from(c));
    } catch (e) {
      throw new Error(`the parser threw: ${(e as Error)?.stack ?? e}`);
    }
    expect([Feed.More, Feed.Done, Feed.Error]).toContain(r);
    if (r === Feed.Error) {
      expect(OWN_ERRORS.some((prefix) => p.error.startsWith(prefix))).toBe(true);
      return;
    }
    if (r === Feed.Done) return;
    // still waiting: what it holds is within its bounds
    if (!p.headDone) expect(p.received).toBeLessThanOrEqual(MAX_HEAD + c.length);
    else expect(p.wholeChunk === null ? p.body().length : p.wholeEnd - p.wholeStart).toBeLessThanOrEqual(keep ? maxBody : 0);
  }
  const r = p.eof();
  expect([Feed.Done, Feed.Error]).toContain(r);
  // a few KiB of input take microseconds; a parser that loops would be caught here or hang the test
  expect(performance.now() - t0).toBeLessThan(1000);
}

const maxBody = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(Infinity));

test("random bytes: never a throw, only its own errors, bounded holdings", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), maxBody, fc.boolean(), (chunks, mb, keep) => feedHostile(chunks, mb, keep)),
    params,
  );
});

test("random bytes after a valid status line: never a throw, only its own errors, bounded holdings", () => {
  const afterStatus = fc.array(
    fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // the bytes that matter most to a head and to chunked framing
      fc.array(fc.constantFrom(...Buffer.from("\r\n:; 0123456789abcdefABCDEF\tHTTP/1.1 chunked content-length transfer-encoding")), { maxLength: 200 }).map((a) => Uint8Array.from(a)),
    ),
    { maxLength: 8 },
  );
  const prefix = fc.constantFrom(
    "HTTP/1.1 200 OK\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\n",
    "HTTP/1.0 200 OK\r\n\r\n",
  );
  fc.assert(
    fc.property(prefix, afterStatus, maxBody, fc.boolean(), (head, rest, mb, keep) => feedHostile([Buffer.from(head, "latin1"), ...rest], mb, keep)),
    params,
  );
});

test("valid responses with random bytes changed: never a throw, only its own errors, bounded holdings", () => {
  fc.assert(
    fc.property(
      validResponse.chain((v) =>
        fc.tuple(
          fc.constant(v),
          fc.array(fc.tuple(fc.nat({ max: Math.max(0, v.wire.length - 1) }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          splits(v.wire.length),
        ),
      ),
      maxBody,
      fc.boolean(),
      ([v, changes, cuts], mb, keep) => {
        const wire = Buffer.from(v.wire);
        for (const [at, byte] of changes) wire[at] = byte;
        feedHostile(pieces(wire, cuts), mb, keep);
      },
    ),
    params,
  );
});
