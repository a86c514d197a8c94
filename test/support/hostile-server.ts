/**
 * A hostile HTTP/1.1 server on loopback, for the hostile suite (test/hostile-http.test.ts): each
 * path is one way a real server can hurt a client — resets, drips, lies about lengths, bombs,
 * floods, huge heads, cookie storms. It speaks raw TCP (Bun.listen) so that it can send what no
 * well-behaved server library would. Endless answers are written as fast as the client reads them
 * (each write waits for the socket's drain) and stop when the client closes the connection.
 *
 * Run it on its own to attack loadr by hand: `bun test/support/hostile-server.ts [port]` prints
 * its URL; `GET /` lists the paths.
 */
import type { Socket, TCPSocketListener } from "bun";
import { constants, crc32, createBrotliCompress, deflateRawSync } from "node:zlib";

export const PATHS: Record<string, string> = {
  "/ok": "200 `ok`, keep-alive",
  "/reset": "the connection is reset as soon as the request arrives",
  "/reset-mid": "half a body, then a reset",
  "/drip?ms=N&bytes=B": "a valid response of B body bytes (1000), one byte every N ms (50), head included",
  "/lie/longer": "Content-Length: 100000, 10 bytes sent, then the server closes",
  "/lie/longer-hang": "Content-Length: 100000, 10 bytes sent, then nothing",
  "/lie/shorter": "Content-Length: 2 and `ok`, then 1000 bytes no response framed",
  "/bomb/<gzip|deflate|br>?mib=N": "a body of N MiB of zeros (1024) content-encoded to about N KiB (br: bytes)",
  "/flood/length?gib=N": "Content-Length: N GiB (2) of zeros",
  "/flood/chunked": "an endless chunked body",
  "/flood/close": "a body without length, endless",
  "/flood/headers": "endless header lines",
  "/flood/interim": "endless `100 Continue` heads",
  "/flood/chunk-ext": "a chunk-size line with an endless extension",
  "/flood/trailers": "the last chunk, then endless trailer lines",
  "/head/huge?kib=N": "a complete head of N KiB (100) in one write, then `ok`",
  "/cookies/storm?n=N": "N new cookies (500) on every response",
  "/cookies/big?bytes=N": "one cookie whose value is N bytes (5000)",
  "/slow?ms=N": "200 `ok` after N ms (500)",
};

export interface HostileServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** requests seen, by path */
  hits: Map<string, number>;
  stop(): void;
}

interface Conn {
  head: string;
  closed: boolean;
  /** bytes waiting for the socket's drain */
  out: Uint8Array | null;
  /** the next bytes of an endless or long answer; null when there are no more */
  next: (() => Uint8Array | null) | null;
  /** end the connection once `next` runs dry */
  endAfter: boolean;
  timers: ReturnType<typeof setTimeout>[];
}

type Sock = Socket<Conn>;
const MiB = 1 << 20;
const ZEROS = new Uint8Array(64 * 1024);
const enc = new TextEncoder();

/** Starts the server on 127.0.0.1 (`port` 0: any free one). */
export async function startHostileServer(port = 0): Promise<HostileServer> {
  const brBlocks = await brotliZeroBlocks();
  const hits = new Map<string, number>();
  let cookieSerial = 0;

  const answer = (s: Sock, target: string): void => {
    const u = new URL(target, "http://h");
    const q = (k: string, d: number) => Number(u.searchParams.get(k) ?? d);
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const c = s.data;
    switch (u.pathname) {
      case "/":
        return send(s, ok(Object.entries(PATHS).map(([p, what]) => `${p}  ${what}`).join("\n") + "\n"));
      case "/ok":
        return send(s, ok("ok"));
      case "/reset":
        return void s.terminate();
      case "/reset-mid":
        send(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
        return later(c, 20, () => s.terminate());
      case "/drip": {
        const body = "d".repeat(q("bytes", 1000));
        const bytes = enc.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        let i = 0;
        const iv = setInterval(() => {
          if (c.closed || i >= bytes.length) return clearInterval(iv);
          s.write(bytes.subarray(i, ++i));
        }, q("ms", 50));
        c.timers.push(iv);
        return;
      }
      case "/lie/longer":
        return void s.end("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789");
      case "/lie/longer-hang":
        return send(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789");
      case "/lie/shorter":
        return send(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + "<not a response>".repeat(63) + "!!!!!!!!");
      case "/bomb/gzip":
      case "/bomb/deflate":
      case "/bomb/br": {
        const coding = u.pathname.slice(6);
        const body = coding === "br" ? brBomb(brBlocks, q("mib", 1024)) : zlibBomb(coding as "gzip" | "deflate", q("mib", 1024));
        return send(s, concat(enc.encode(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`), body));
      }
      case "/flood/length": {
        const size = q("gib", 2) * 1024 * MiB;
        let left = size;
        send(s, `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
        return stream(s, () => {
          if (left <= 0) return null;
          const n = Math.min(left, ZEROS.length);
          left -= n;
          return n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n);
        });
      }
      case "/flood/chunked": {
        const chunk = concat(enc.encode(`${ZEROS.length.toString(16)}\r\n`), ZEROS, enc.encode("\r\n"));
        send(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        return stream(s, () => chunk);
      }
      case "/flood/close":
        send(s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        return stream(s, () => ZEROS);
      case "/flood/headers": {
        const lines = enc.encode("X-Flood: 0123456789abcdef\r\n".repeat(2000));
        send(s, "HTTP/1.1 200 OK\r\n");
        return stream(s, () => lines);
      }
      case "/flood/interim": {
        const heads = enc.encode("HTTP/1.1 100 Continue\r\n\r\n".repeat(2000));
        return stream(s, () => heads);
      }
      case "/flood/chunk-ext": {
        const ext = enc.encode("e".repeat(64 * 1024));
        send(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
        return stream(s, () => ext);
      }
      case "/flood/trailers": {
        const lines = enc.encode("X-Trailer: 0123456789abcdef\r\n".repeat(2000));
        send(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n");
        return stream(s, () => lines);
      }
      case "/head/huge":
        return send(s, `HTTP/1.1 200 OK\r\nX-Huge: ${"h".repeat(q("kib", 100) * 1024)}\r\nContent-Length: 2\r\n\r\nok`);
      case "/cookies/storm": {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
        for (let i = q("n", 500); i > 0; i--) head += `Set-Cookie: c${cookieSerial++}=${"v".repeat(16)}; Path=/\r\n`;
        return send(s, `${head}\r\nok`);
      }
      case "/cookies/big":
        return send(s, `HTTP/1.1 200 OK\r\nSet-Cookie: big=${"b".repeat(q("bytes", 5000))}; Path=/\r\nContent-Length: 2\r\n\r\nok`);
      case "/slow":
        return later(c, q("ms", 500), () => send(s, ok("ok")));
      default:
        return send(s, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    }
  };

  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(s) {
        s.data = { head: "", closed: false, out: null, next: null, endAfter: false, timers: [] };
      },
      data(s, d) {
        const c = s.data;
        c.head += d.toString("latin1");
        // each turn answers one request head; the bound keeps a pipelining client from starving the loop
        for (let guard = 0; guard < 100; guard++) {
          const end = c.head.indexOf("\r\n\r\n");
          if (end < 0) return;
          const line = c.head.slice(0, c.head.indexOf("\r\n"));
          c.head = c.head.slice(end + 4);
          answer(s, line.split(" ")[1] ?? "/");
        }
      },
      drain(s) {
        flush(s);
      },
      close(s) {
        gone(s.data);
      },
      error(s) {
        gone(s.data);
      },
    },
  });
  return {
    port: listener.port,
    url: `http://127.0.0.1:${listener.port}`,
    hits,
    stop: () => listener.stop(true),
  };
}

function ok(body: string): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function send(s: Sock, data: string | Uint8Array): void {
  const c = s.data;
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  c.out = c.out === null ? bytes : concat(c.out, bytes);
  flush(s);
}

/** Sends `next()`'s bytes after what is queued, until it returns null or the client leaves. */
function stream(s: Sock, next: () => Uint8Array | null): void {
  s.data.next = next;
  flush(s);
}

function later(c: Conn, ms: number, f: () => void): void {
  c.timers.push(setTimeout(() => c.closed || f(), ms));
}

function gone(c: Conn | undefined): void {
  if (c === undefined) return;
  c.closed = true;
  c.next = null;
  c.out = null;
  for (const t of c.timers) clearTimeout(t);
}

/** Writes until the socket takes no more (its drain calls back here) or nothing is left. */
function flush(s: Sock): void {
  const c = s.data;
  // a client that reads as fast as this writes would keep the loop here forever: yield now and then
  for (let turns = 0; turns < 64; turns++) {
    if (c.closed) return;
    if (c.out === null) {
      const n = c.next?.() ?? null;
      if (n === null) {
        c.next = null;
        if (c.endAfter) s.end();
        return;
      }
      c.out = n;
    }
    const w = s.write(c.out);
    if (w < 0) return;
    if (w < c.out.length) {
      c.out = c.out.subarray(w);
      return;
    }
    c.out = null;
  }
  setImmediate(() => flush(s));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

// ---- bombs, built in milliseconds: a block of compressed zeros repeated, not N MiB compressed ----

const bombs = new Map<string, Uint8Array>();

/**
 * `mib` MiB of zeros, gzip- or zlib-wrapped: a raw deflate block of 1 MiB of zeros ending on a
 * byte boundary (sync flush) decodes the same after any number of its copies, as its matches
 * reach back only into zeros; an empty final block ends the stream. The checksums are real.
 */
function zlibBomb(coding: "gzip" | "deflate", mib: number): Uint8Array {
  const key = `${coding}:${mib}`;
  const cached = bombs.get(key);
  if (cached !== undefined) return cached;
  const block = deflateRawSync(new Uint8Array(MiB), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const raw: Uint8Array[] = [];
  for (let i = 0; i < mib; i++) raw.push(block);
  raw.push(Uint8Array.of(0x03, 0x00)); // a final fixed-Huffman block with no symbols
  const size = mib * MiB;
  let out: Uint8Array;
  if (coding === "gzip") {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(zerosCrc32(mib), 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    out = concat(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff), ...raw, trailer);
  } else {
    // adler-32 of zeros: a = 1, b = the length
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE((((size % 65521) << 16) | 1) >>> 0, 0);
    out = concat(Uint8Array.of(0x78, 0x9c), ...raw, trailer);
  }
  bombs.set(key, out);
  return out;
}

/**
 * The CRC-32 of `mib` MiB of zeros in O(log mib) steps instead of hashing GiBs: zlib's
 * crc32_combine (CRC(A‖B) from CRC(A), CRC(B) and B's length), by doubling a 1 MiB block.
 */
function zerosCrc32(mib: number): number {
  let block = crc32(new Uint8Array(MiB)) >>> 0;
  let blockLen = MiB;
  let acc = -1;
  for (let n = mib; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) acc = acc < 0 ? block : crc32Combine(acc, block, blockLen);
    block = crc32Combine(block, block, blockLen);
    blockLen *= 2;
  }
  return acc < 0 ? 0 : acc;
}

const CRC_POLY = 0xedb88320;

/** a·b modulo the CRC polynomial, bit-reflected as the CRC register is (zlib's multmodp) */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p = (p ^ b) >>> 0;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? ((b >>> 1) ^ CRC_POLY) >>> 0 : b >>> 1;
  }
  return p;
}

/** x^(8·len) modulo the polynomial: what appending `len` bytes does to a CRC (zlib's x2nmodp) */
function xPow8n(len: number): number {
  let p = 0x80000000; // x^0
  let x2k = 0x40000000; // x^(2^k), from x^1
  // len·8 as a sum of powers of two: square x^(2^k) along, multiply in the set bits
  for (let n = len * 8; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) p = multModP(x2k, p);
    x2k = multModP(x2k, x2k);
  }
  return p;
}

function crc32Combine(crcA: number, crcB: number, lenB: number): number {
  return (multModP(xPow8n(lenB), crcA) ^ crcB) >>> 0;
}

interface BrBlocks {
  first: Uint8Array;
  middle: Uint8Array;
  last: Uint8Array;
}

/** A brotli stream of zeros flushed after each MiB: from the second on, every flushed meta-block is the same bytes. */
async function brotliZeroBlocks(): Promise<BrBlocks> {
  const z = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 } });
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    z.write(new Uint8Array(MiB));
    await new Promise<void>((r) => z.flush(constants.BROTLI_OPERATION_FLUSH, () => r()));
    const parts: Buffer[] = [];
    for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) parts.push(c);
    blocks.push(Buffer.concat(parts));
  }
  const tail: Buffer[] = [];
  await new Promise<void>((r) => {
    z.on("data", (c: Buffer) => tail.push(c));
    z.on("end", () => r());
    z.end();
  });
  if (!Buffer.from(blocks[1]!).equals(blocks[2]!)) throw new Error("brotli's flushed meta-blocks of zeros differ: the br bomb cannot be built this way");
  return { first: blocks[0]!, middle: blocks[1]!, last: Buffer.concat(tail) };
}

function brBomb(b: BrBlocks, mib: number): Uint8Array {
  const key = `br:${mib}`;
  const cached = bombs.get(key);
  if (cached !== undefined) return cached;
  const parts = [b.first];
  for (let i = 1; i < mib; i++) parts.push(b.middle);
  parts.push(b.last);
  const out = concat(...parts);
  bombs.set(key, out);
  return out;
}

if (import.meta.main) {
  const s = await startHostileServer(Number(process.argv[2] ?? 0));
  console.log(`hostile HTTP server at ${s.url} (GET / lists the attacks)`);
}
