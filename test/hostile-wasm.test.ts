/**
 * The hostile suite, WASM: bulk memory instructions under the per-call deadline
 * (src/plugins/host/wasm/deadline-rewrite.ts). Before, one memory.fill of 1 GiB ran 5.4 s against
 * a 100 ms timeout, and a loop of 900 MiB fills, charged one unit per fill, never stopped. Now
 * every fill and copy is charged by its length and cut into pieces, so a call ends within
 * 2 × its timeout + 10 ms; what the instructions compute is unchanged, and an out-of-bounds one
 * still traps before it writes anything.
 */
import { describe, expect, test } from "bun:test";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { BULK_CHUNK, DEADLINE_MODULE, DEADLINE_TICK, FUEL_PER_TICK, instrumentDeadline } from "../src/plugins/host/wasm/deadline-rewrite.ts";

const MIB = 1024 * 1024;
const PAGES = 512 * 16; // 512 MiB

const WAT = `(module
  (memory (export "memory") ${PAGES})
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32) (memory.fill (local.get $d) (local.get $v) (local.get $n)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "fill_forever") (param $n i32)
    (loop $l (memory.fill (i32.const 0) (i32.const 7) (local.get $n)) (br $l)))
  (func (export "copy_forever") (param $n i32)
    (loop $l (memory.copy (local.get $n) (i32.const 0) (local.get $n)) (br $l)))
)`;

/** An instance whose tick says what the host's does (src/plugins/host/wasm/runtime.ts): fuel until the deadline, then 0. */
async function instance(rewrite: boolean) {
  const bytes = await parse(WAT);
  const deadline = { at: Infinity };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(rewrite ? instrumentDeadline(bytes) : bytes), {
    [DEADLINE_MODULE]: { [DEADLINE_TICK]: () => (performance.now() <= deadline.at ? FUEL_PER_TICK : 0) },
  });
  const x = inst.exports as Record<string, any>;
  /** runs f under a deadline of `ms`; returns how long it took and whether it trapped */
  const timed = (ms: number, f: () => void) => {
    const t0 = performance.now();
    deadline.at = t0 + ms;
    let trapped = false;
    try {
      f();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      trapped = true;
    } finally {
      deadline.at = Infinity;
    }
    return { ms: performance.now() - t0, trapped };
  };
  return { x, mem: () => new Uint8Array((x.memory as WebAssembly.Memory).buffer), timed };
}

// generous for a loaded machine, and still the bound the deadline promises
const TIMEOUT_MS = 300;
const BOUND_MS = 2 * TIMEOUT_MS + 10;

describe("bulk memory under the deadline", () => {
  test("one fill of 512 MiB of fresh pages ends within 2 × the timeout + 10 ms", async () => {
    const { x, timed } = await instance(true);
    const r = timed(TIMEOUT_MS, () => x.fill(0, 1, 512 * MIB));
    expect(r.trapped).toBe(true);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  test("a loop of 400 MiB fills, or of 200 MiB copies, ends within 2 × the timeout + 10 ms", async () => {
    const { x, timed } = await instance(true);
    const fill = timed(TIMEOUT_MS, () => x.fill_forever(400 * MIB));
    expect(fill.trapped).toBe(true);
    expect(fill.ms).toBeLessThan(BOUND_MS);
    const copy = timed(TIMEOUT_MS, () => x.copy_forever(200 * MIB));
    expect(copy.trapped).toBe(true);
    expect(copy.ms).toBeLessThan(BOUND_MS);
  });

  test("fills and copies compute what the instructions compute: every size around the piece, overlaps both ways", async () => {
    const plain = await instance(false);
    const cut = await instance(true);
    const sizes = [0, 1, 63, 64, 65, BULK_CHUNK - 1, BULK_CHUNK, BULK_CHUNK + 1, 3 * BULK_CHUNK + 17];
    const seed = (m: Uint8Array) => {
      for (let i = 0; i < 8 * BULK_CHUNK; i++) m[i] = (i * 31 + 7) & 0xff;
    };
    for (const n of sizes) {
      // fill, copy apart, copy overlapping with the destination below and above the source
      for (const [op, d, s] of [["fill", 5, 0xab], ["copy", 4 * BULK_CHUNK, 3], ["copy", 1000, 1777], ["copy", 1777, 1000]] as const) {
        for (const i of [plain, cut]) {
          seed(i.mem());
          i.x[op](d, s, n);
        }
        expect(Buffer.compare(cut.mem().subarray(0, 8 * BULK_CHUNK), plain.mem().subarray(0, 8 * BULK_CHUNK))).toBe(0);
      }
    }
  });

  test("an out-of-bounds fill or copy traps before writing anything, as the instruction does", async () => {
    const { x, mem } = await instance(true);
    const end = PAGES * 65536;
    mem().fill(9, 0, 4 * BULK_CHUNK);
    expect(() => x.fill(0, 1, end + 1)).toThrow(WebAssembly.RuntimeError);
    expect(() => x.fill(end - BULK_CHUNK, 1, 2 * BULK_CHUNK)).toThrow(WebAssembly.RuntimeError);
    expect(() => x.copy(0, end - BULK_CHUNK, 2 * BULK_CHUNK)).toThrow(WebAssembly.RuntimeError);
    expect(() => x.copy(end - BULK_CHUNK, 0, 2 * BULK_CHUNK)).toThrow(WebAssembly.RuntimeError);
    expect(mem().subarray(0, 4 * BULK_CHUNK).every((b) => b === 9)).toBe(true);
    expect(mem().subarray(end - BULK_CHUNK).every((b) => b === 0)).toBe(true);
  });
});
