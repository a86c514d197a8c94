/**
 * The json and csv outputs' bytes, unit by unit: every point line is the reference line (what
 * JSON.stringify makes of the point), batches from two workers and a changing clock included,
 * and the file writer (O_DIRECT blocks plus a page-cache tail) loses and repeats nothing.
 */
import { describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MetricRegistry } from "../src/metrics/registry.ts";
import { SampleDictionary, columnsPoints, type SampleColumns } from "../src/metrics/sample-columns.ts";
import { SampleRecorder, type SampleBatch } from "../src/metrics/sample-recorder.ts";
import { SampleSlots } from "../src/metrics/sample-slots.ts";
import { TagInterner } from "../src/metrics/tags.ts";
import { csvOutput } from "../src/outputs/csv.ts";
import { jsonOutput } from "../src/outputs/json.ts";
import { LineFile } from "../src/outputs/line-file.ts";
import type { OutputContext } from "../src/outputs/registry.ts";

const ctx = (cwd: string): OutputContext => ({ cwd, problem: () => {}, note: () => {} });

/**
 * A worker's recorder and the coordinator's dictionary over shared slots, enough for a test's
 * batches to be read after all of them are shipped (no slot is freed). `behind(true)` has the
 * "outputs" hold every free slot, so the next flush drops its batch; `behind(false)` frees them.
 */
function recorder() {
  const slots = new SampleSlots(SampleSlots.allocate(32));
  const shipped: SampleBatch[] = [];
  const rec = new SampleRecorder(new SampleSlots(slots.init), (b) => shipped.push(b));
  const held: number[] = [];
  const behind = (on: boolean) => {
    if (on) for (let s = slots.acquire(); s >= 0; s = slots.acquire()) held.push(s);
    else for (const s of held.splice(0)) slots.release(s);
  };
  return { rec, shipped, dict: new SampleDictionary(slots), behind };
}

/** What the reference writes for a value: durations to the nanosecond, NaN/∞ as null. */
function refValue(v: number, isTime: boolean): number | null {
  if (!Number.isFinite(v)) return null;
  if (isTime && Math.abs(v) < 1e9) return Math.sign(v) * (Math.round(Math.abs(v) * 1e6) / 1e6) || 0;
  return v;
}

/** Two workers' batches: several tag sets (one with quotes and non-ASCII), all kinds, odd values, times that move. */
function batches(): { columns: SampleColumns[]; isTime: Map<string, boolean> } {
  const columns: SampleColumns[] = [];
  const isTime = new Map<string, boolean>();
  for (let w = 0; w < 2; w++) {
    const reg = new MetricRegistry();
    const tags = new TagInterner();
    const { rec, shipped, dict } = recorder();
    const sets = [
      tags.intern({ scenario: "s", name: "home", status: "200", method: "GET", proto: "http" }),
      tags.intern({ scenario: "s", name: 'say "hi", ünïcödé\n', status: "500" }),
      tags.intern({}),
    ];
    const defs = ["http_reqs", "http_req_duration", "http_req_failed", "vus", "iteration_duration", "data_sent"].map((n) => reg.get(n)!);
    for (const d of defs) isTime.set(d.name, d.isTime);
    // 25 values (prime to the 4 samples per event and the 6 metrics): every value meets every metric, durations included
    const values = [0, 1, 149, 2.27, 0.000001, 0.0000004, -0.0000004, -0.0000005, 1.177577999999997, 12.30001, 4096.25, -0.75, -3, 99, 100, 0x7fffffff, 0x80000000, 1795317273350, 2 ** 53 - 1, 1e21, 0.1 + 0.2, 2e9 + 0.5, NaN, Infinity, -Infinity];
    let k = 0;
    for (let e = 0; e < 9000; e++) {
      rec.hold();
      for (let j = 0; j < 4; j++, k++) rec.push(defs[(e + j) % defs.length]!, sets[(e >> 3) % sets.length]!, values[k % values.length]! * (j === 3 ? Math.PI : 1));
      rec.release();
      if (e % 1000 === 999) rec.flush();
    }
    rec.flush();
    for (const b of shipped) columns.push(dict.resolve(b));
  }
  return { columns, isTime };
}

describe("json and csv lines", () => {
  test("every json point line is the reference line for its sample, in order, nothing lost or repeated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadr-lines-"));
    const { columns, isTime } = batches();
    const out = jsonOutput({ path: "points.ndjson" }, ctx(dir));
    await out.start();
    for (const c of columns) out.onSampleColumns!(c);
    out.abort!();
    const lines = readFileSync(join(dir, "points.ndjson"), "utf8").split("\n");
    expect(lines.pop()).toBe("");
    const expected = columns.flatMap((c) =>
      columnsPoints(c).map((p) =>
        JSON.stringify({ type: "point", metric: p.metric, kind: p.kind, value: refValue(p.value, isTime.get(p.metric)!), tags: p.tags, time_ms: p.time }),
      ),
    );
    expect(lines.length).toBe(expected.length);
    for (let i = 0; i < lines.length; i++) if (lines[i] !== expected[i]) expect(`${i}: ${lines[i]}`).toBe(`${i}: ${expected[i]}`);
    rmSync(dir, { recursive: true });
  });

  test("every csv row is the reference row for its sample", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadr-lines-"));
    const { columns, isTime } = batches();
    const out = csvOutput({ path: "points.csv" }, ctx(dir));
    await out.start();
    for (const c of columns) out.onSampleColumns!(c);
    await out.finish({} as never);
    const rows = readFileSync(join(dir, "points.csv"), "utf8").split(/\n(?=\d{13},|$)/);
    expect(rows.shift()).toBe("timestamp_ms,metric,kind,value,tags");
    expect(rows.pop()).toBe("");
    const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    const expected = columns.flatMap((c) =>
      columnsPoints(c).map((p) => {
        const v = refValue(p.value, isTime.get(p.metric)!);
        const tags = Object.keys(p.tags).sort().map((k) => `${k}=${p.tags[k]}`).join(";");
        return `${p.time},${p.metric},${p.kind},${v === null ? "" : v},${field(tags)}`;
      }),
    );
    expect(rows.length).toBe(expected.length);
    for (let i = 0; i < rows.length; i++) if (rows[i] !== expected[i]) expect(`${i}: ${rows[i]}`).toBe(`${i}: ${expected[i]}`);
    rmSync(dir, { recursive: true });
  });

  test("two workers whose ids name different metrics and tag sets: each batch is read through its own worker's dictionary", async () => {
    // Worker ids are dense from 0 in each worker, so id 0 is a different metric (and tag set) in
    // each: fragments cached by id alone would print one worker's names on the other's points.
    const dir = mkdtempSync(join(tmpdir(), "loadr-lines-"));
    const now = spyOn(Date, "now");
    let clock = 1795317273350;
    now.mockImplementation(() => clock);
    const expected: { metric: string; kind: string; value: number; tags: Record<string, string>; time: number }[] = [];
    const columns: SampleColumns[] = [];
    const workers = ([
      { metrics: [["a_reqs", "counter", false], ["a_dur", "trend", true]], tags: [{ w: "a" }, { w: "a", status: "200" }] },
      { metrics: [["b_dur", "trend", true], ['b,"odd', "gauge", false]], tags: [{ w: "b", x: 'q"1,2' }, {}] },
    ] as { metrics: (string | boolean)[][]; tags: Record<string, string>[] }[]).map(({ metrics, tags }) => {
      const reg = new MetricRegistry(false);
      const defs = metrics.map(([n, k, t]) => reg.register(n as string, k as never, t as boolean));
      const interner = new TagInterner();
      const sets = tags.map((t) => interner.intern(t));
      const { rec, shipped, dict, behind } = recorder();
      return { defs, sets, rec, shipped, dict, drop: behind };
    });
    for (let round = 0; round < 6; round++)
      for (const [w, wk] of workers.entries()) {
        // round 0 of worker b is dropped (outputs behind): its first entries ride on round 1
        const dropped = round === 0 && w === 1;
        for (let i = 0; i < 50; i++) {
          const d = wk.defs[(i + round) % 2]!;
          const t = wk.sets[(i >> 2) % 2]!;
          const v = d.isTime ? i * 0.25 + round : i;
          if (i % 7 === 0) clock += 1;
          wk.rec.push(d, t, v);
          if (!dropped) expected.push({ metric: d.name, kind: d.kind, value: v, tags: { ...t.tags }, time: clock });
        }
        wk.drop(dropped);
        wk.rec.flush();
        wk.drop(false);
        for (const b of wk.shipped.splice(0)) columns.push(wk.dict.resolve(b));
      }
    now.mockRestore();
    expect(columns.length).toBe(11);
    const json = jsonOutput({ path: "p.ndjson" }, ctx(dir));
    const csv = csvOutput({ path: "p.csv" }, ctx(dir));
    await json.start();
    await csv.start();
    for (const c of columns) {
      json.onSampleColumns!(c);
      csv.onSampleColumns!(c);
    }
    json.abort!();
    csv.abort!();
    const sorted = (t: Record<string, string>) => Object.fromEntries(Object.keys(t).sort().map((k) => [k, t[k]]));
    const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    expect(readFileSync(join(dir, "p.ndjson"), "utf8")).toBe(
      expected.map((p) => JSON.stringify({ type: "point", metric: p.metric, kind: p.kind, value: p.value, tags: sorted(p.tags), time_ms: p.time }) + "\n").join(""),
    );
    const tagCell = (t: Record<string, string>) => field(Object.keys(t).sort().map((k) => `${k}=${t[k]}`).join(";"));
    expect(readFileSync(join(dir, "p.csv"), "utf8")).toBe(
      "timestamp_ms,metric,kind,value,tags\n" + expected.map((p) => `${p.time},${field(p.metric)},${p.kind},${p.value},${tagCell(p.tags)}\n`).join(""),
    );
    rmSync(dir, { recursive: true });
  });
});

// a disk filesystem (O_DIRECT blocks plus a page-cache tail) and, where there is one, tmpfs (page cache only)
const roots = [tmpdir(), ...(existsSync("/dev/shm") ? ["/dev/shm"] : [])];

describe.each(roots)("line file in %s", (root) => {
  test("lines written in pieces of every size reach the file whole and in order; flush completes it, close too", () => {
    const dir = mkdtempSync(join(root, "loadr-linefile-"));
    const file = new LineFile("out.txt", dir);
    file.open();
    let expected = "";
    const size = () => statSync(join(dir, "out.txt")).size;
    for (let i = 0; i < 40_000; i++) {
      // lines of 1 to ~300 bytes, some non-ASCII, crossing block and chunk boundaries everywhere
      const line = `${i}:${"é".repeat(i % 7)}${"x".repeat((i * 7919) % 300)}\n`;
      file.lines.text(line);
      expected += line;
      file.spill();
      if (i % 9973 === 0) {
        file.flush();
        expect(size()).toBe(Buffer.byteLength(expected));
      }
    }
    file.spill();
    // between flushes the file may lag behind by what is still buffered, never run ahead
    expect(size()).toBeLessThanOrEqual(Buffer.byteLength(expected));
    file.write("the end\n");
    expected += "the end\n";
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(expected);
    file.lines.text("after the last flush\n");
    file.close();
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(expected + "after the last flush\n");
    rmSync(dir, { recursive: true });
  });

  test("runs shorter than, equal to and longer than a block or a write: after each flush and at close the file is exactly the text", () => {
    // the partial last block goes through the page cache and is written again by the next
    // direct write: the file must never end in block padding, lose the tail or repeat it
    const dir = mkdtempSync(join(root, "loadr-linefile-"));
    const CHUNK = 1 << 20;
    const text = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i + seed) % 61 === 60 ? "\n" : String.fromCharCode(97 + ((i + seed) % 26)))).join("");
    for (const n of [0, 1, 4095, 4096, 4097, 3 * 4096, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 4097])
      for (const flushFirst of [false, true]) {
        const path = join(dir, `${n}-${flushFirst}.txt`);
        const file = new LineFile(path, dir);
        file.open();
        const first = text(n, 0);
        file.lines.text(first);
        file.spill();
        if (flushFirst) {
          file.flush();
          expect(readFileSync(path, "latin1")).toBe(first);
        }
        // a line after the flush rewrites the block the flush left partial
        const second = text(4096 + 17, n);
        file.lines.text(second);
        file.spill();
        file.close();
        expect(readFileSync(path, "latin1")).toBe(first + second);
      }
    rmSync(dir, { recursive: true });
  });
});
