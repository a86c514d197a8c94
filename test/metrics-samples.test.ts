/** Raw samples from a worker's recorder to the outputs' columns, and how their numbers are written. */
import { describe, expect, test } from "bun:test";
import { MetricRegistry } from "../src/metrics/registry.ts";
import { batchTransferList, SAMPLE_BATCH, SampleRecorder, type SampleBatch } from "../src/metrics/sample-recorder.ts";
import { columnsPoints, SampleDictionary } from "../src/metrics/sample-columns.ts";
import { TagInterner } from "../src/metrics/tags.ts";
import { ByteLines } from "../src/outputs/byte-lines.ts";

function setup(accept: (b: SampleBatch) => boolean) {
  const reg = new MetricRegistry();
  const tags = new TagInterner();
  const shipped: SampleBatch[] = [];
  const rec = new SampleRecorder((b) => {
    const ok = accept(b);
    if (ok) shipped.push(b);
    return ok;
  });
  return { reg, tags, rec, shipped };
}

describe("sample recorder and dictionary", () => {
  test("each metric and tag set crosses once; later batches are resolved by the dictionary", () => {
    const { reg, tags, rec, shipped } = setup(() => true);
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
    const dict = new SampleDictionary();
    const points = shipped.flatMap((x) => columnsPoints(dict.resolve(x)));
    expect(points.map((p) => [p.metric, p.kind, p.value, p.tags.name])).toEqual([
      ["http_reqs", "counter", 1, "a"],
      ["http_req_duration", "trend", 12.5, "a"],
      ["http_req_duration", "trend", 3, "b"],
      ["http_reqs", "counter", 1, "a"],
    ]);
  });

  test("entries of a dropped batch ride on the next shipped one", () => {
    let accept = false;
    const { reg, tags, rec, shipped } = setup(() => accept);
    const t = tags.intern({ scenario: "s" });
    rec.push(reg.get("iterations")!, t, 1);
    rec.flush(); // dropped: outputs behind
    accept = true;
    rec.push(reg.get("iterations")!, t, 1);
    rec.flush();
    expect(shipped).toHaveLength(1);
    const cols = new SampleDictionary().resolve(shipped[0]!);
    expect(columnsPoints(cols)).toEqual([{ metric: "iterations", kind: "counter", value: 1, tags: { scenario: "s" }, time: cols.time[0]! }]);
  });

  test("column buffers given back are filled again; across batches no sample is lost or repeated", () => {
    const { reg, tags, rec, shipped } = setup(() => true);
    const t = tags.intern({ scenario: "s" });
    const reqs = reg.get("http_reqs")!;
    const total = 5 * SAMPLE_BATCH + 17;
    const given = new Set<ArrayBuffer>();
    let seen = 0;
    for (let i = 0; i < total; i++) {
      rec.push(reqs, t, i);
      // the coordinator reads each shipped batch, then hands its buffers back
      while (seen < shipped.length) {
        const b = shipped[seen++]!;
        const values = Array.from(b.value.subarray(0, b.length));
        expect(values[0]).toBe((seen - 1) * SAMPLE_BATCH);
        expect(values.every((v, k) => v === values[0]! + k)).toBe(true);
        const buffers = batchTransferList(b);
        given.add(buffers[2]);
        rec.recycle(buffers);
      }
    }
    rec.flush();
    expect(shipped.length).toBe(6);
    expect(shipped.map((b) => b.length)).toEqual([...Array(5).fill(SAMPLE_BATCH), 17]);
    // the batch being filled while the first is out needs its own buffers; from then on the
    // recorder alternates between the two sets the coordinator keeps giving back
    for (const b of shipped.slice(2)) expect(given.has(b.value.buffer as ArrayBuffer)).toBe(true);
    expect(new Set(shipped.map((b) => b.value.buffer)).size).toBe(2);
    // and the last batch's values are the last ones pushed
    expect(Array.from(shipped[5]!.value.subarray(0, 17))).toEqual(Array.from({ length: 17 }, (_, k) => 5 * SAMPLE_BATCH + k));
  });

  test("a dropped batch's columns are filled again, with none of its samples shipped", () => {
    let accept = false;
    const { reg, tags, rec, shipped } = setup(() => accept);
    const t = tags.intern({});
    for (let i = 0; i < SAMPLE_BATCH + 3; i++) rec.push(reg.get("http_reqs")!, t, i); // first batch dropped
    accept = true;
    rec.flush();
    expect(shipped).toHaveLength(1);
    expect(Array.from(shipped[0]!.value.subarray(0, shipped[0]!.length))).toEqual([SAMPLE_BATCH, SAMPLE_BATCH + 1, SAMPLE_BATCH + 2]);
  });

  test("the samples of one held event share a timestamp", async () => {
    const { reg, tags, rec, shipped } = setup(() => true);
    const t = tags.intern({});
    rec.hold();
    rec.push(reg.get("http_reqs")!, t, 1);
    await Bun.sleep(5);
    rec.push(reg.get("data_sent")!, t, 10);
    rec.release();
    await Bun.sleep(5);
    rec.push(reg.get("data_sent")!, t, 10);
    rec.flush();
    const time = shipped[0]!.time;
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
