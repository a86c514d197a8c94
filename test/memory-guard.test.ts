import { describe, expect, test } from "bun:test";
import { guardMemory } from "../src/run/memory-guard.ts";

const MB = 2 ** 20;

/** Runs the guard for `ms` against a fake resident size; returns how often it sampled and what it did. */
async function watch(limit: number, used: () => number, ms: number) {
  let samples = 0;
  const did: string[] = [];
  const stopWatching = guardMemory(limit, { stop: (reason) => did.push(`stop: ${reason}`), kill: () => did.push("kill") }, () => {
    samples++;
    return used();
  });
  await Bun.sleep(ms);
  stopWatching();
  return { samples, did };
}

describe("the memory guard samples by headroom", () => {
  test("far below the bound it wakes about once a second, not 20 times", async () => {
    const r = await watch(16 * 1024 * MB, () => 200 * MB, 1500);
    expect(r.samples).toBeGreaterThanOrEqual(1);
    expect(r.samples).toBeLessThanOrEqual(2);
    expect(r.did).toEqual([]);
  });

  test("near the bound it samples every 50 ms, and past it stops the run, then kills it", async () => {
    let used = 390 * MB;
    const r = watch(400 * MB, () => used, 3500);
    await Bun.sleep(400);
    used = 460 * MB; // past the bound, under the kill factor: stop, then kill after the grace period
    const { samples, did } = await r;
    // 400 ms at ~50 ms, then ≥ 2 s more at 50 ms: generous bounds for a loaded machine
    expect(samples).toBeGreaterThanOrEqual(8);
    expect(did[0]).toMatch(/^stop: memory: the process used 460 MB, past --max-memory 400 MB/);
    expect(did.slice(1)).toEqual(["kill"]);
  });
});
