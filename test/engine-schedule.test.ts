/** Schedule math of the load models: stage interpolation, arrival times, per-worker shares. */
import { describe, expect, test } from "bun:test";
import { Profile } from "../src/engine/worker/executors/stages.ts";
import { constantArrivalProfile } from "../src/engine/worker/executors/constant-arrival-rate.ts";
import { rampingArrivalProfile } from "../src/engine/worker/executors/ramping-arrival-rate.ts";
import { peakVus } from "../src/plan/scenario-bounds.ts";
import { splitCount } from "../src/engine/segments.ts";

describe("stage profile", () => {
  const p = new Profile(0, [
    { duration: 1000, target: 10 },
    { duration: 2000, target: 10 },
    { duration: 1000, target: 0 },
  ]);

  test("interpolates linearly from the start value and holds the last target after the end", () => {
    expect(p.totalMs).toBe(4000);
    expect(p.valueAt(0)).toBe(0);
    expect(p.valueAt(500)).toBeCloseTo(5, 9);
    expect(p.valueAt(2000)).toBe(10);
    expect(p.valueAt(3500)).toBeCloseTo(5, 9);
    expect(p.valueAt(10_000)).toBe(0);
  });

  test("the integral counts arrivals (per-second values) and timeOf inverts it", () => {
    expect(p.integral(1000)).toBeCloseTo(5, 9); // ramp 0→10/s over 1 s
    expect(p.integral(3000)).toBeCloseTo(25, 9);
    expect(p.integral(4000)).toBeCloseTo(30, 9);
    for (const n of [0, 0.5, 1, 5, 12.5, 25, 29.9]) expect(p.integral(p.timeOf(n))).toBeCloseTo(n, 6);
    expect(p.timeOf(31)).toBe(Number.POSITIVE_INFINITY); // holds 0 after the end: never due
  });

  test("a constant rate after the stages keeps counting", () => {
    const c = new Profile(100, [{ duration: 1000, target: 100 }]);
    expect(c.integral(1500)).toBeCloseTo(150, 9);
    expect(c.timeOf(150)).toBeCloseTo(1500, 6);
  });
});

describe("arrival-rate schedules", () => {
  test("rate is normalised by time_unit: 600 per 1m is 10/s, so 2 s hold exactly 20 arrivals", () => {
    const p = constantArrivalProfile({ executor: "constant-arrival-rate", rate: 600, time_unit: 60_000, duration: 2000, graceful_ramp_down: 0 });
    expect(p.integral(p.totalMs)).toBeCloseTo(20, 9);
    expect(p.timeOf(1)).toBeCloseTo(100, 9);
  });

  test("ramping-arrival-rate integrates start_rate and stages", () => {
    const p = rampingArrivalProfile({
      executor: "ramping-arrival-rate",
      start_rate: 10,
      time_unit: 1000,
      stages: [{ duration: 2000, target: 30 }],
      graceful_ramp_down: 0,
    });
    expect(p.integral(2000)).toBeCloseTo(40, 9); // (10 + 30) / 2 × 2 s
  });
});

describe("worker shares", () => {
  test("a ramping-vus target split over workers sums to the whole at every instant", () => {
    const p = new Profile(0, [{ duration: 1000, target: 7 }, { duration: 1000, target: 3 }]);
    for (let ms = 0; ms <= 2000; ms += 50) {
      const whole = Math.round(p.valueAt(ms));
      const parts = [0, 1, 2].map((index) => splitCount(whole, { index, count: 3 }));
      expect(parts.reduce((a, b) => a + b, 0)).toBe(whole);
      // never more than the worker's pool (its share of the peak)
      parts.forEach((n, index) => expect(n).toBeLessThanOrEqual(splitCount(7, { index, count: 3 })));
    }
  });

  test("peak VUs per executor size the worker count", () => {
    expect(peakVus({ executor: "ramping-vus", start_vus: 2, stages: [{ duration: 1, target: 9 }, { duration: 1, target: 0 }] })).toBe(9);
    expect(peakVus({ executor: "constant-arrival-rate", max_vus: 40 })).toBe(40);
    expect(peakVus({ executor: "externally-controlled", max_vus: 5 })).toBe(5);
    expect(peakVus({ executor: "constant-vus", vus: 3 })).toBe(3);
  });
});
