/**
 * The two core-module rewrites: the memory cap and the fuel/deadline instrumentation. The
 * instrumented module must behave exactly as before (calls, indirect calls through the table,
 * the start function, exports all still reach the right function after the index shift), its
 * memory must stop growing at the cap, and an endless loop (or tail recursion) must reach the
 * host's tick, with every iteration of a nest of loops over calls charged to the one count.
 */
import { describe, expect, test } from "bun:test";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { DEADLINE_MODULE, DEADLINE_TICK, FUEL_PER_TICK, instrumentDeadline } from "../src/plugins/host/wasm/deadline-rewrite.ts";
import { capMemory, MemoryLimitError } from "../src/plugins/host/wasm/memory-cap.ts";

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

  test("an endless loop in a callee called from a loop reaches the host's tick", async () => {
    const bytes = instrumentDeadline(
      await parse(`(module
        (func $spin (loop $l br $l))
        (func (export "run") (loop $l call $spin br $l)))`),
    );
    let ticks = 0;
    class Stop extends Error {}
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      [DEADLINE_MODULE]: { [DEADLINE_TICK]: () => {
        if (++ticks === 3) throw new Stop();
        return 1000;
      } },
    }).exports as Record<string, any>;
    expect(() => x.run()).toThrow(Stop);
  });

  // Each loop header and tail call charges one unit of the module's one count, whichever frame
  // runs it: ticks = 1 after the initial FUEL_PER_TICK units, then one per budget (1000 here).
  // These pin that down for any cheaper scheme: a per-frame budget would tick far less (the
  // callee's loops end short of any budget), a cached copy not written back before a throw too.
  const REFILL = 1000;
  const ticksFor = (units: number) => (units < FUEL_PER_TICK ? 0 : 1 + Math.floor((units - FUEL_PER_TICK) / REFILL));
  const counted = async (wat: string, budget = () => REFILL) => {
    const counter = { ticks: 0 };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(instrumentDeadline(await parse(wat))), {
      [DEADLINE_MODULE]: { [DEADLINE_TICK]: () => (counter.ticks++, budget()) },
    });
    return { x: inst.exports as Record<string, any>, counter };
  };
  // inner(n): a loop of n iterations, left by a branch to the function's own label
  const INNER = `(func $inner (param $n i32) (local $i i32)
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
        (br $l)))`;

  test("a deep but finite loop nest over calls charges every iteration to one count", async () => {
    const { x, counter } = await counted(`(module ${INNER}
      (func $middle (param $b i32) (param $c i32) (local $i i32)
        (loop $l
          (call $inner (local.get $c))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $b)))))
      (func (export "nest") (param $a i32) (param $b i32) (param $c i32) (local $i i32)
        (loop $l
          (call $middle (local.get $b) (local.get $c))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $a))))))`);
    x.nest(40, 50, 60); // 40 + 40·50 + 40·50·60 loop headers
    expect(counter.ticks).toBe(ticksFor(40 + 40 * 50 + 40 * 50 * 60));
    expect(counter.ticks).toBe(103);
  });

  test("fuel used in a frame an exception unwinds is still charged", async () => {
    const { x, counter } = await counted(`(module
      (tag $boom)
      (func $thrower (param $n i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        throw $boom)
      (func (export "catching") (param $a i32) (param $b i32) (local $i i32)
        (loop $l
          (block $caught (try_table (catch_all $caught) (call $thrower (local.get $b))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $a))))))`);
    x.catching(300, 199); // per iteration: its own loop header and 199 in the thrower's loop
    expect(counter.ticks).toBe(ticksFor(300 * (1 + 199)));
  });

  test("tail calls charge too: recursion by return_call cannot dodge the deadline", async () => {
    const { x, counter } = await counted(`(module
      (func $down (export "down") (param $n i32) (result i32)
        (if (i32.eqz (local.get $n)) (then (return (i32.const 7))))
        (return_call $down (i32.sub (local.get $n) (i32.const 1)))))`);
    expect(x.down(50_000)).toBe(7);
    expect(counter.ticks).toBe(ticksFor(50_000));
  });

  test("past the deadline tick returns 0 and the module traps, which the plugin's catch_all cannot swallow", async () => {
    // five rounds of 30,000 iterations, each inside a catch_all
    const wat = `(module
      (func (export "spin") (result i32) (local $caught i32) (local $i i32)
        (loop $again
          (block $h (try_table (catch_all $h)
            (local.set $i (i32.const 0))
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 30000))))))
          (local.set $caught (i32.add (local.get $caught) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $caught) (i32.const 5))))
        (local.get $caught)))`;
    // an exception thrown from tick is caught by the plugin, which simply goes on
    const thrown = await counted(wat, () => {
      throw new Error("deadline");
    });
    expect(thrown.x.spin()).toBe(5);
    // tick's 0 makes the module trap, and no catch_all catches a trap
    const { x, counter } = await counted(wat, () => 0);
    expect(() => x.spin()).toThrow(WebAssembly.RuntimeError);
    expect(counter.ticks).toBe(1);
  });

  test("results, branches out of the function and locals survive the extra local", async () => {
    const { x } = await counted(`(module
      (func (export "find") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $f f64)
        (local.set $f (f64.const 1.5))
        (block $out
          (loop $l
            (br_if 2 (i32.const -1) (i32.ge_u (local.get $i) (local.get $n))) ;; out of the function
            (br_if $out (i32.eq (local.get $i) (local.get $p)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
        (i32.add (local.get $i) (i32.trunc_f64_s (local.get $f)))))`);
    expect(x.find(5, 10)).toBe(6);
    expect(x.find(50, 10)).toBe(-1);
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
