/**
 * The lean call path (canonical-abi.ts) against a hand-written core module: arguments must land
 * in plugin memory byte for byte as the canonical ABI lowers them (each string its own
 * allocation, UTF-8, the header list as (ptr,len) pairs), also when an allocation grows the
 * memory mid-call, and results must be lifted strictly (invalid UTF-8 and out-of-bounds fail).
 */
import { describe, expect, test } from "bun:test";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { DirectAbi, isMainInstance } from "../src/plugins/host/wasm/canonical-abi.ts";

// extract() returns, by the config's first byte: 'b' the body, 'c' the config, 'k'/'v' + digit
// a header's name/value, 'x' two bytes ff fe, 'o' a string past the end of memory; else none.
// cabi_realloc is a bump allocator that grows the memory when it runs out, and records every
// allocation (pointer, size) at 0..1024 so the test can check one allocation per argument.
const WAT = `(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 4096))
  (global $count (mut i32) (i32.const 0))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
    (global.set $next (i32.add (local.get $p) (local.get 3)))
    (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.div_u (i32.sub (global.get $next) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)) (i32.const 1))))))
    (i32.store (i32.mul (global.get $count) (i32.const 8)) (local.get $p))
    (i32.store offset=4 (i32.mul (global.get $count) (i32.const 8)) (local.get 3))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (local.get $p))
  (func $ret (param $p i32) (param $n i32) (result i32)
    (i32.store8 (i32.const 2048) (i32.const 1))
    (i32.store (i32.const 2052) (local.get $p))
    (i32.store (i32.const 2056) (local.get $n))
    (i32.const 2048))
  (func (export "loadr:plugin/extractor@0.1.0#extract") (param $b i32) (param $bl i32) (param $h i32) (param $hn i32) (param $c i32) (param $cl i32) (result i32)
    (local $op i32) (local $k i32)
    (local.set $op (i32.load8_u (local.get $c)))
    (local.set $k (i32.add (local.get $h) (i32.mul (i32.sub (i32.load8_u offset=1 (local.get $c)) (i32.const 48)) (i32.const 16))))
    (if (i32.eq (local.get $op) (i32.const 98)) (then (return (call $ret (local.get $b) (local.get $bl)))))
    (if (i32.eq (local.get $op) (i32.const 99)) (then (return (call $ret (local.get $c) (local.get $cl)))))
    (if (i32.eq (local.get $op) (i32.const 107)) (then (return (call $ret (i32.load (local.get $k)) (i32.load offset=4 (local.get $k))))))
    (if (i32.eq (local.get $op) (i32.const 118)) (then (return (call $ret (i32.load offset=8 (local.get $k)) (i32.load offset=12 (local.get $k))))))
    (if (i32.eq (local.get $op) (i32.const 120)) (then
      (i32.store16 (i32.const 3000) (i32.const 0xfeff))
      (return (call $ret (i32.const 3000) (i32.const 2)))))
    (if (i32.eq (local.get $op) (i32.const 111)) (then (return (call $ret (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 2)) (i32.const 8)))))
    (i32.store8 (i32.const 2048) (i32.const 0))
    (i32.const 2048))
  (func (export "cabi_post_loadr:plugin/extractor@0.1.0#extract") (param i32)
    (global.set $count (i32.const 0))))`;

async function abi() {
  const x = new WebAssembly.Instance(new WebAssembly.Module(await parse(WAT))).exports as Record<string, any>;
  if (!isMainInstance(x)) throw new Error("not recognised as the main instance");
  return { abi: new DirectAbi(x), memory: x.memory as WebAssembly.Memory };
}

const HEADERS: [string, string][] = [
  ["content-type", "application/json"],
  ["x-name", "café ☕ 🚀"],
  ["x-empty", ""],
  ["x-lone", "a\ud800b"],
];
const enc = (s: string) => [...new TextEncoder().encode(s)];

describe("DirectAbi", () => {
  test("lowers body, every header name and value (UTF-8) and config, each in its own allocation", async () => {
    const { abi: a, memory } = await abi();
    const body = new TextEncoder().encode("hello body");
    expect(a.extract(body, HEADERS, "b")).toBe("hello body");
    expect(a.extract(body, HEADERS, "c-config")).toBe("c-config");
    expect(a.extract(body, HEADERS, "k0")).toBe("content-type");
    expect(a.extract(body, HEADERS, "v0")).toBe("application/json");
    expect(a.extract(body, HEADERS, "v1")).toBe("café ☕ 🚀");
    expect(a.extract(body, HEADERS, "v2")).toBe("");
    expect(a.extract(body, HEADERS, "v3")).toBe("a\ufffdb"); // a lone surrogate is encoded as U+FFFD
    expect(a.extract(body, [], "z")).toBeUndefined();
    // the last call's allocations: body, list, config — and 2 per header in the one before
    a.extract(body, HEADERS, "z");
    const log = new Uint32Array(memory.buffer, 0, 2 * 11);
    const sizes = [...log].filter((_, i) => i % 2 === 1);
    expect(sizes).toEqual([10, 64, ...HEADERS.flatMap(([k, v]) => [enc(k).length, enc(v).length]), 1]);
  });

  test("keeps working when an allocation grows the memory in the middle of lowering", async () => {
    const { abi: a, memory } = await abi();
    const before = memory.buffer.byteLength;
    const big = new Uint8Array(3 * 65536).fill(0x61);
    big[big.length - 1] = 0x7a;
    expect(a.extract(new Uint8Array([1]), HEADERS, "v1")).toBe("café ☕ 🚀");
    const out = a.extract(big, HEADERS, "b")!;
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(out.length).toBe(big.length);
    expect(out.endsWith("aaz")).toBe(true);
    expect(a.extract(big, HEADERS, "v0")).toBe("application/json");
  });

  test("headers as received (a header block) lower exactly as their pairs; a non-ASCII block goes through the pairs", async () => {
    const { abi: a, memory } = await abi();
    const body = new Uint8Array([1]);
    const wire = "HTTP/1.1 200 OK\r\nContent-Type:  text/plain \r\nX-Empty:\r\nX-Odd:\ta\rb\r\n\r\n";
    const bytes = Buffer.from(wire, "latin1");
    const block = { bytes, from: wire.indexOf("\r\n") + 2, to: wire.length - 2 };
    const pairs: [string, string][] = [["Content-Type", "text/plain"], ["X-Empty", ""], ["X-Odd", "a\rb"]];
    for (let i = 0; i < pairs.length; i++) {
      expect(a.extract(body, block, `k${i}`)).toBe(pairs[i]![0]);
      expect(a.extract(body, block, `v${i}`)).toBe(pairs[i]![1]);
    }
    a.extract(body, block, "z");
    const sizes = [...new Uint32Array(memory.buffer, 0, 2 * 9)].filter((_, i) => i % 2 === 1);
    expect(sizes).toEqual([1, 48, ...pairs.flatMap(([k, v]) => [k.length, v.length]), 1]);
    // latin1 0xe9 is é, two bytes in UTF-8: the block's bytes cannot be used as they are
    const latin = Buffer.from("HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\n\r\n", "latin1");
    expect(a.extract(body, { bytes: latin, from: 17, to: latin.length - 2 }, "v0")).toBe("café");
  });

  test("a result that is not UTF-8, or not inside memory, fails the call", async () => {
    const { abi: a } = await abi();
    expect(() => a.extract(new Uint8Array(0), [], "x")).toThrow(TypeError);
    expect(() => a.extract(new Uint8Array(0), [], "o")).toThrow(RangeError);
  });
});
