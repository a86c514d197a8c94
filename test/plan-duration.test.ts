import { describe, expect, test } from "bun:test";
import { formatDuration, parseDuration } from "../src/plan/duration.ts";
import { load } from "./plan-helpers.ts";

describe("durations (§1.2)", () => {
  test("numbers are seconds, stored as ms", () => {
    expect(parseDuration(5)).toBe(5000);
    expect(parseDuration(0.5)).toBe(500);
    expect(parseDuration("5")).toBe(5000);
  });
  test("humantime spans, with and without spaces; m is minutes and M months", () => {
    expect(parseDuration("300ms")).toBe(300);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1m 30s")).toBe(90_000);
    expect(parseDuration("4.2s")).toBe(4200);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1M")).toBe(2_630_016_000);
  });
  test("errors carry the reference's texts", () => {
    expect(() => parseDuration(-1)).toThrow("duration cannot be negative");
    expect(() => parseDuration("5 parsecs")).toThrow("invalid duration `5 parsecs`: unknown time unit `parsecs`");
    expect(() => parseDuration("abc")).toThrow("(try e.g. `500ms`, `30s`, `1m30s`)");
  });
  test("formatting as humantime", () => {
    expect(formatDuration(90_000)).toBe("1m 30s");
    expect(formatDuration(1500)).toBe("1s 500ms");
  });
  test("every duration field of a loaded plan is in ms", () => {
    const r = load(`defaults:
  http: {timeout: 2}
  think_time: {type: constant, duration: 250ms}
scenarios:
  s:
    vus: 1
    duration: 1m
    graceful_stop: 5s
    flow:
      - request: {url: "http://x/", timeout: 0.5, checks: [{type: duration, max: 1.5s}]}
      - think_time: {type: gaussian, mean: 1, std_dev: 100ms}
`);
    expect(r.diagnostics).toEqual([]);
    const s = r.plan!.scenarios.s!;
    expect(r.plan!.defaults.http.timeout).toBe(2000);
    expect(s.duration).toBe(60_000);
    expect(s.graceful_stop).toBe(5000);
    expect(s.graceful_ramp_down).toBe(30_000);
    expect(s.flow[0]).toMatchObject({ request: { timeout: 500, checks: [{ type: "duration", max: 1500 }] } });
    expect(s.flow[1]).toEqual({ think_time: { type: "gaussian", mean: 1000, std_dev: 100 } });
    expect(s.think_time).toEqual({ type: "constant", duration: 250 });
  });
  test("an invalid duration in a plan is a located error", () => {
    const r = load("scenarios:\n  s:\n    vus: 1\n    duration: soon\n    flow: []\n");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ path: "scenarios.s.duration", line: 4, column: 15 });
    expect(r.diagnostics[0]!.message).toStartWith("invalid duration `soon`");
  });
});
