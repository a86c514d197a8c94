/**
 * The two core-module rewrites: the memory cap and the fuel/deadline instrumentation. The
 * instrumented module must behave exactly as before (calls, indirect calls through the table,
 * the start function, exports all still reach the right function after the index shift), its
 * memory must stop growing at the cap, and an endless loop must reach the host's tick.
 */
import { describe, expect, test } from "bun:test";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { DEADLINE_MODULE, DEADLINE_TICK, instrumentDeadline } from "../src/plugins/wasm/deadline-rewrite.ts";
import { capMemory, MemoryLimitError } from "../src/plugins/wasm/memory-cap.ts";

const WAT = `(module
  (type $t (func (param i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $double $triple)
  (global $g (mut i32) (i32.const 7))
  (global (export "fref") funcref (ref.func $triple))
  (func $double (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func $triple (param i32) (result i32) local.get 0 i32.const 3 i32.mul)
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      local.get $acc
      local.get $i
      call $double
      i32.add
      local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l)
    local.get $acc)
  (func (export "indirect") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $t))
  (func (export "spin") (loop $l br $l))
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func $start global.get $g call $log)
  (start $start)
)`;

async function instantiate(rewrite: (b: Uint8Array) => Uint8Array, tick: () => number) {
  const logged: number[] = [];
  const bytes = rewrite(await parse(WAT));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { log: (v: number) => logged.push(v) },
    [DEADLINE_MODULE]: { [DEADLINE_TICK]: tick },
  });
  return { x: inst.exports as Record<string, any>, logged, bytes };
}

describe("deadline instrumentation", () => {
  test("keeps every call, indirect call, ref.func, export and the start function pointing at the same function", async () => {
    const { x, logged } = await instantiate((b) => instrumentDeadline(b), () => 20_000);
    expect(logged).toEqual([7]);
    expect(x.sum(100)).toBe(9900);
    expect(x.indirect(0, 5)).toBe(10);
    expect(x.indirect(1, 5)).toBe(15);
    expect(x.fref.value(4)).toBe(12);
  });

  test("an endless loop reaches the host's tick, which can end it", async () => {
    let ticks = 0;
    class Stop extends Error {}
    const { x } = await instantiate((b) => instrumentDeadline(b), () => {
      if (++ticks === 3) throw new Stop();
      return 1000;
    });
    expect(() => x.spin()).toThrow(Stop);
    expect(ticks).toBe(3);
  });

  test("a module without loops is left untouched", async () => {
    const noLoop = await parse(`(module (func (export "f") (result i32) i32.const 1))`);
    expect(instrumentDeadline(noLoop)).toBe(noLoop);
  });
});

describe("memory cap", () => {
  test("memory.grow fails past the cap", async () => {
    const { x } = await instantiate((b) => capMemory(b, 2), () => 0);
    expect(x.grow(1)).toBe(1);
    expect(x.grow(1)).toBe(-1);
    expect(x.memory.buffer.byteLength).toBe(2 * 65536);
  });

  test("composes with the instrumentation", async () => {
    const { x } = await instantiate((b) => instrumentDeadline(capMemory(b, 3)), () => 20_000);
    expect(x.grow(2)).toBe(1);
    expect(x.grow(1)).toBe(-1);
    expect(x.sum(10)).toBe(90);
  });

  test("an initial memory above the cap is refused", async () => {
    const big = await parse(`(module (memory 10))`);
    expect(() => capMemory(big, 4)).toThrow(MemoryLimitError);
  });
});
