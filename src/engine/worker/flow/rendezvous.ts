/**
 * `rendezvous` (§1.7, §2.8): a reusable barrier per (scenario, name), shared by every VU of the
 * scenario whichever worker it runs on. Two ints in the flow SharedArrayBuffer: the number of
 * VUs waiting and a generation; the VU that completes the group resets the count and bumps the
 * generation, which releases the others (Atomics.waitAsync, so a waiting VU never blocks its
 * worker). A timeout only warns, and the VU leaves the waiting count. VUs of different processes
 * cannot meet: in a part of a scale-out test the group is the part's share of `users`.
 */
import { Outcome } from "../outcome.ts";
import type { RendezvousStep } from "../../../plan/schema.ts";
import type { FlowSharedState } from "../../flow-shared-state.ts";
import { partCount, type Part } from "../../segments.ts";
import type { CompiledStep } from "./step.ts";

export function compileRendezvous(spec: RendezvousStep, shared: FlowSharedState, slot: number, part?: Part): CompiledStep {
  const a = shared.i32;
  const COUNT = slot;
  const GEN = slot + 1;
  const users = Math.max(1, partCount(spec.users, part));
  return {
    async run(vu) {
      const gen = Atomics.load(a, GEN);
      for (;;) {
        const c = Atomics.load(a, COUNT);
        if (c + 1 >= users) {
          if (Atomics.compareExchange(a, COUNT, c, 0) !== c) continue;
          Atomics.add(a, GEN, 1);
          Atomics.notify(a, GEN);
          return Outcome.Continue;
        }
        if (Atomics.compareExchange(a, COUNT, c, c + 1) === c) break;
      }
      const deadline = performance.now() + spec.timeout;
      // waitAsync resolves on notify, on timeout, or (checked below) when the generation already moved
      while (Atomics.load(a, GEN) === gen) {
        const left = deadline - performance.now();
        if (left <= 0 || vu.rt.cancelled) break;
        const w = Atomics.waitAsync(a, GEN, gen, Math.min(left, 100));
        if (w.async) await w.value;
      }
      if (Atomics.load(a, GEN) !== gen) return vu.rt.cancelled ? Outcome.Cancelled : Outcome.Continue;
      // Timed out (or cancelled): leave the waiting count, unless a release raced in meanwhile.
      for (;;) {
        if (Atomics.load(a, GEN) !== gen) break;
        const c = Atomics.load(a, COUNT);
        if (c === 0 || Atomics.compareExchange(a, COUNT, c, c - 1) === c) break;
      }
      if (vu.rt.cancelled) return Outcome.Cancelled;
      vu.rt.run.log.warn(`rendezvous \`${spec.name}\` timed out after ${spec.timeout}ms waiting for ${users} users; going on`);
      return Outcome.Continue;
    },
  };
}
