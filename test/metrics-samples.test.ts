/** Raw samples from a worker's recorder to the outputs' columns, and how their numbers are written. */
import { describe, expect, test } from "bun:test";
import { MetricRegistry } from "../src/metrics/registry.ts";
import { SampleRecorder, type SampleBatch } from "../src/metrics/sample-recorder.ts";
import { SAMPLE_BATCH, SampleSlots } from "../src/metrics/sample-slots.ts";
import { columnsPoints, SampleDictionary } from "../src/metrics/sample-columns.ts";
import { TagInterner } from "../src/metrics/tags.ts";
import { ByteLines } from "../src/outputs/encode/byte-lines.ts";

/** A recorder over `count` slots; shipped batches wait in `shipped` until the test consumes them. */
function setup(count = 4) {
  const reg = new MetricRegistry();
  const tags = new TagInterner();
  const shipped: SampleBatch[] = [];
  // the worker's and the coordinator's sides of the same shared memory, as across threads
  const init = SampleSlots.allocate(count);
  const rec = new SampleRecorder(new SampleSlots(init), (b) => shipped.push(b));
  const coordinator = new SampleSlots(init);
  const dict = new SampleDictionary(coordinator);
  /** the coordinator's side: each shipped batch as its outputs see it, its slot freed after */
  const consume = () => shipped.splice(0).map((b) => {
    const c = dict.resolve(b);
    const copy = { points: columnsPoints(c), values: Array.from(c.value.subarray(0, c.length)), dropped: c.dropped, slot: b.slot, buffers: b.buffers !== undefined };
    if (b.slot >= 0) coordinator.release(b.slot);
    return copy;
  });
  return { reg, tags, rec, shipped, consume };
}

describe("sample recorder and dictionary", () => {
  test("each metric and tag set crosses once; later batches are resolved by the dictionary", () => {
    const { reg, tags, rec, shipped, consume } = setup();
    const reqs = reg.get("http_reqs")!;
    const dur = reg.get("http_req_duration")!;
    const a = tags.intern({ scenario: "s", name: "a" });
    const b = tags.intern({ scenario: "s", name: "b" });
    rec.push(reqs, a, 1);
    rec.push(dur, a, 12.5);
    rec.flush();
    rec.push(dur, b, 3);
    rec.push(reqs, a, 1);
    rec.flush();
    expect(shipped.map((x) => x.newMetrics.map((m) => m.name))).toEqual([["http_reqs", "http_req_duration"], []]);
    expect(shipped.map((x) => x.newTagSets.length)).toEqual([1, 1]);
    const points = consume().flatMap((x) => x.points);
    expect(points.map((p) => [p.metric, p.kind, p.value, p.tags.name])).toEqual([
      ["http_reqs", "counter", 1, "a"],
      ["http_req_duration", "trend", 12.5, "a"],
      ["http_req_duration", "trend", 3, "b"],
      ["http_reqs", "counter", 1, "a"],
    ]);
  });

  test("with every slot held the batch is dropped and counted; its entries ride on the next shipped one", () => {
    const { reg, tags, rec, shipped, consume } = setup(2);
    const t = tags.intern({ scenario: "s" });
    const u = tags.intern({ scenario: "u" });
    rec.push(reg.get("iterations")!, t, 1);
    rec.flush(); // shipped: the other slot is now being filled, none is free
    rec.push(reg.get("vus")!, u, 5);
    rec.push(reg.get("vus")!, u, 6);
    rec.flush(); // dropped: the outputs still hold the first batch
    expect(shipped).toHaveLength(1);
    expect(consume().map((x) => x.dropped)).toEqual([0]);
    rec.push(reg.get("vus")!, u, 7);
    rec.flush();
    const [next] = consume();
    expect(next!.dropped).toBe(2);
    expect(next!.points).toEqual([{ metric: "vus", kind: "gauge", value: 7, tags: { scenario: "u" }, time: next!.points[0]!.time }]);
  });

  test("freed slots are filled again; across batches no sample is lost or repeated", () => {
    const { reg, tags, rec, shipped, consume } = setup(2);
    const t = tags.intern({ scenario: "s" });
    const reqs = reg.get("http_reqs")!;
    const total = 5 * SAMPLE_BATCH + 17;
    const batches: { values: number[]; slot: number; buffers: boolean }[] = [];
    for (let i = 0; i < total; i++) {
      rec.push(reqs, t, i);
      // the coordinator reads each shipped batch, then frees its slot
      if (shipped.length > 0) batches.push(...consume());
    }
    rec.finish();
    batches.push(...consume());
    expect(batches.map((b) => b.values.length)).toEqual([...Array(5).fill(SAMPLE_BATCH), 17]);
    expect(batches.flatMap((b) => b.values)).toEqual(Array.from({ length: total }, (_, k) => k));
    // two slots: the recorder alternates between them, and each one's memory crossed once
    expect(batches.map((b) => b.slot)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(batches.map((b) => b.buffers)).toEqual([true, true, false, false, false, false]);
  });

  test("a dropped batch's slot is filled again, with none of its samples shipped; the end reports the last drops", () => {
    const { reg, tags, rec, shipped, consume } = setup(2);
    const t = tags.intern({});
    rec.push(reg.get("http_reqs")!, t, -1);
    rec.flush(); // the outputs hold this one throughout
    for (let i = 0; i < SAMPLE_BATCH + 3; i++) rec.push(reg.get("http_reqs")!, t, i); // a full batch dropped
    expect(shipped).toHaveLength(1);
    rec.finish(); // 3 more dropped: no slot came free; reported on a batch without samples
    expect(shipped.map((b) => [b.slot, b.length, b.dropped])).toEqual([[0, 1, 0], [-1, 0, SAMPLE_BATCH + 3]]);
    const out = consume();
    expect(out[1]!.points).toEqual([]);
    // once the outputs catch up, the same slot takes new samples
    rec.push(reg.get("http_reqs")!, t, 42);
    rec.flush();
    expect(consume().map((b) => [b.values, b.dropped])).toEqual([[[42], 0]]);
  });

  test("the samples of one held event share a timestamp", async () => {
    const { reg, tags, rec, consume } = setup();
    const t = tags.intern({});
    rec.hold();
    rec.push(reg.get("http_reqs")!, t, 1);
    await Bun.sleep(5);
    rec.push(reg.get("data_sent")!, t, 10);
    rec.release();
    await Bun.sleep(5);
    rec.push(reg.get("data_sent")!, t, 10);
    rec.flush();
    const time = consume()[0]!.points.map((p) => p.time);
    expect(time[1]).toBe(time[0]!);
    expect(time[2]!).toBeGreaterThan(time[1]!);
  });
});

describe("number formatting of raw points", () => {
  const text = (v: number, isTime = false, nonFinite?: Uint8Array) => {
    const l = new ByteLines();
    l.num(v, isTime, nonFinite);
    return new TextDecoder().decode(l.take());
  };

  test("integers exactly, durations to the nanosecond, everything else as JavaScript prints it", () => {
    expect([0, 7, 149, 1795322001221, -3, 2 ** 53 - 1].map((v) => text(v))).toEqual(["0", "7", "149", "1795322001221", "-3", String(2 ** 53 - 1)]);
    expect([1.177577999999997, 0.5, 0.000001, 0.0000004, 2.0000004, 12.30001, 4096.25, -0.75].map((v) => text(v, true))).toEqual([
      "1.177578", "0.5", "0.000001", "0", "2", "12.30001", "4096.25", "-0.75",
    ]);
    expect([0.1 + 0.2, 1e-9, 1e21 + 0.5, 123456.789].map((v) => text(v))).toEqual([String(0.1 + 0.2), "1e-9", "1e+21", "123456.789"]);
    expect(text(2e9 + 0.5, true)).toBe("2000000000.5"); // beyond the fixed-point range: printed as is
  });

  test("any value is written as the reference prints it (durations: rounded to the nanosecond)", () => {
    // the reference: JavaScript's own printing, of the value rounded to six places for durations
    const ref = (v: number, isTime: boolean) =>
      isTime && Math.abs(v) < 1e9 ? String(Math.sign(v) * (Math.round(Math.abs(v) * 1e6) / 1e6)) : String(v);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const values: number[] = [0, 99, 100, 999, 1000, 0x7fffffff, 0x80000000, 1e15 - 1, 1e15, 2 ** 53 - 1, 999999999.9999996, 0.0000005, 0.00000049];
    for (let i = 0; i < 100_000; i++) {
      const r = rnd();
      values.push(
        i % 4 === 0 ? Math.floor(rnd() * 10 ** Math.floor(rnd() * 16)) // integers of every length
        : i % 4 === 1 ? Math.exp(r * 24 - 12) // durations from picoseconds to hours
        : i % 4 === 2 ? Math.round(r * 1e6) / 1e6 * 10 ** Math.floor(rnd() * 6) // exact six-place values
        : (r - 0.5) * 10 ** (rnd() * 10 - 3), // negatives too
      );
    }
    const l = new ByteLines();
    const dec = new TextDecoder();
    const wrong: string[] = [];
    for (const v of values)
      for (const isTime of [true, false]) {
        l.num(v, isTime);
        const got = dec.decode(l.take());
        if (got !== ref(v, isTime) && wrong.length < 5) wrong.push(`${v} (${isTime ? "time" : "value"}): ${got} ≠ ${ref(v, isTime)}`);
      }
    expect(wrong).toEqual([]);
  });

  test("a negative duration that rounds to zero is 0, not -0 (what JSON.stringify of the rounded value gives)", () => {
    expect([-0.0000004, -0.0000001, -1e-12, -0].map((v) => text(v, true))).toEqual(["0", "0", "0", "0"]);
    expect([-0.0000005, -0.75].map((v) => text(v, true))).toEqual(["-0.000001", "-0.75"]);
    expect(text(-1e-12, false)).toBe("-1e-12"); // not a duration: printed as is
  });

  test("NaN and infinities become the output's token", () => {
    expect([NaN, Infinity, -Infinity].map((v) => text(v))).toEqual(["null", "null", "null"]);
    expect(text(NaN, false, new Uint8Array(0))).toBe("");
  });

  test("lines longer than the buffer grow it", () => {
    const l = new ByteLines();
    const chunk = new Uint8Array(1 << 20).fill(97);
    for (let i = 0; i < 5; i++) {
      l.reserve(chunk.length + 32);
      l.bytes(chunk);
      l.time(1795322001221);
    }
    const out = l.take();
    expect(out.length).toBe(5 * ((1 << 20) + 13));
    expect(new TextDecoder().decode(out.subarray(out.length - 13))).toBe("1795322001221");
  });
});
