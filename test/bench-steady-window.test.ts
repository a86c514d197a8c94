/**
 * The JS module bench's steady window (bench/lib/steady-window.ts): a run's requests and CPU from
 * a point of its timeline to the load's end. Pure functions on a summary as loadr writes it, and
 * the sampler read against this test's own process.
 */
import { describe, expect, test } from "bun:test";
import { cpuAt, sampleCpu, steadyFigures, type CpuSample } from "../bench/lib/steady-window.ts";

const samples: CpuSample[] = [
  { atMs: 1000, cpuSeconds: 0.2 },
  { atMs: 2000, cpuSeconds: 1.0 },
  { atMs: 3000, cpuSeconds: 2.0 },
  { atMs: 4100, cpuSeconds: 3.1 },
];

describe("cpuAt", () => {
  test("interpolates between the samples around the instant; undefined outside them", () => {
    expect(cpuAt(samples, 1500)).toBeCloseTo(0.6, 9);
    expect(cpuAt(samples, 3000)).toBeCloseTo(2.0, 9);
    expect(cpuAt(samples, 999)).toBeUndefined();
    expect(cpuAt(samples, 4101)).toBeUndefined();
  });
});

describe("steadyFigures", () => {
  // load from 1000 ms to 4000 ms; timeline requests are cumulative
  const summary = {
    started_ms: 1000,
    ended_ms: 4000,
    duration_secs: 3,
    timeline: [
      { elapsed_secs: 1, requests: 1000 },
      { elapsed_secs: 2, requests: 5000 },
      { elapsed_secs: 3, requests: 9000 },
    ],
  };

  test("from the first point at or after the warm-up to the load's end: requests, rate and CPU per request", () => {
    const w = steadyFigures(summary, samples, 1.5)!;
    expect(w.fromSecs).toBe(2);
    expect(w.seconds).toBe(1);
    expect(w.requests).toBe(4000);
    expect(w.rps).toBe(4000);
    // CPU from 3000 ms (2.0 s) to 4000 ms (3.0 s, between the last two samples): 1.0 s over 4000 requests
    expect(w.cpuUsPerReq).toBeCloseTo(250, 6);
  });

  test("no window when the warm-up reaches the last point, or the run has no timeline", () => {
    expect(steadyFigures(summary, samples, 3)).toBeUndefined();
    expect(steadyFigures({ duration_secs: 3 }, samples, 1)).toBeUndefined();
  });

  test("requests without CPU when the samples do not cover the window", () => {
    const w = steadyFigures(summary, samples.slice(2), 1)!;
    expect(w.requests).toBe(8000);
    expect(w.cpuUsPerReq).toBeUndefined();
  });
});

test("sampleCpu reads a live process's CPU, ending with the total it is given", async () => {
  const s = sampleCpu(process.pid);
  const until = Date.now() + 150;
  while (Date.now() < until) Math.sqrt(Math.random()); // some CPU to see
  await Bun.sleep(120);
  s.exited(123);
  expect(s.samples.length).toBeGreaterThanOrEqual(3);
  expect(s.samples.at(-1)!.cpuSeconds).toBe(123);
  const own = s.samples.slice(0, -1);
  for (let i = 1; i < own.length; i++) expect(own[i]!.cpuSeconds).toBeGreaterThanOrEqual(own[i - 1]!.cpuSeconds);
  expect(own.at(-1)!.cpuSeconds).toBeGreaterThan(0);
});
