import { describe, expect, test } from "bun:test";
import { splitCount, splitRate, workerCount } from "../src/engine/segments.ts";
import { SharedState } from "../src/engine/shared-state.ts";

describe("segments", () => {
  test("integer shares always sum to the whole, for awkward splits", () => {
    for (const n of [0, 1, 2, 7, 10, 13, 100, 1001]) {
      for (const count of [1, 2, 3, 4, 7]) {
        const parts = Array.from({ length: count }, (_, index) => splitCount(n, { index, count }));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(n);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }
    }
  });

  test("7 VUs over 3 workers is 3, 2, 2 (extra units go to the lowest indices)", () => {
    expect([0, 1, 2].map((index) => splitCount(7, { index, count: 3 }))).toEqual([3, 2, 2]);
  });

  test("rates are divided fractionally and sum back exactly", () => {
    const parts = [0, 1, 2].map((index) => splitRate(0.5, { index, count: 3 }));
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 12);
  });

  test("never more workers than VUs, never fewer than one", () => {
    expect(workerCount(4, 2)).toBe(2);
    expect(workerCount(2, 100)).toBe(2);
    expect(workerCount(8, 0)).toBe(1);
  });
});

describe("shared state", () => {
  test("VU ids are unique and start at 1", () => {
    const s = SharedState.create(1);
    expect([s.nextVuId(), s.nextVuId(), s.nextVuId()]).toEqual([1, 2, 3]);
  });

  test("a shared iteration budget hands out exactly its total", () => {
    const s = SharedState.create(2);
    let claimed = 0;
    for (let i = 0; i < 100; i++) if (s.claimIteration(1, 37)) claimed++;
    expect(claimed).toBe(37);
    expect(s.claimIteration(0, 1)).toBe(true); // scenarios have separate budgets
  });

  test("the budget is shared across threads (one buffer, two views)", () => {
    const a = SharedState.create(1);
    const b = new SharedState(a.buffer);
    let n = 0;
    for (let i = 0; i < 10; i++) {
      if (a.claimIteration(0, 5)) n++;
      if (b.claimIteration(0, 5)) n++;
    }
    expect(n).toBe(5);
  });
});
