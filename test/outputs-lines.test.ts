/**
 * The json and csv outputs' bytes, unit by unit: every point line is the reference line (what
 * JSON.stringify makes of the point), batches from two workers and a changing clock included,
 * and the file writer (O_DIRECT blocks plus a page-cache tail) loses and repeats nothing.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MetricRegistry } from "../src/metrics/registry.ts";
import { SampleDictionary, columnsPoints, type SampleColumns } from "../src/metrics/sample-columns.ts";
import { SampleRecorder, type SampleBatch } from "../src/metrics/sample-recorder.ts";
import { TagInterner } from "../src/metrics/tags.ts";
import { csvOutput } from "../src/outputs/csv.ts";
import { jsonOutput } from "../src/outputs/json.ts";
import { LineFile } from "../src/outputs/line-file.ts";
import type { OutputContext } from "../src/outputs/registry.ts";

const ctx = (cwd: string): OutputContext => ({ cwd, problem: () => {}, note: () => {} });

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
    const shipped: SampleBatch[] = [];
    const rec = new SampleRecorder((b) => (shipped.push(b), true));
    const sets = [
      tags.intern({ scenario: "s", name: "home", status: "200", method: "GET", proto: "http" }),
      tags.intern({ scenario: "s", name: 'say "hi", ünïcödé\n', status: "500" }),
      tags.intern({}),
    ];
    const defs = ["http_reqs", "http_req_duration", "http_req_failed", "vus", "iteration_duration", "data_sent"].map((n) => reg.get(n)!);
    for (const d of defs) isTime.set(d.name, d.isTime);
    const values = [0, 1, 149, 2.27, 0.000001, 0.0000004, 1.177577999999997, 12.30001, 4096.25, -0.75, -3, 99, 100, 0x7fffffff, 0x80000000, 1795317273350, 2 ** 53 - 1, 1e21, 0.1 + 0.2, 2e9 + 0.5, NaN, Infinity, -Infinity];
    let k = 0;
    for (let e = 0; e < 9000; e++) {
      rec.hold();
      for (let j = 0; j < 4; j++, k++) rec.push(defs[(e + j) % defs.length]!, sets[(e >> 3) % sets.length]!, values[k % values.length]! * (j === 3 ? Math.PI : 1));
      rec.release();
      if (e % 1000 === 999) rec.flush();
    }
    rec.flush();
    const dict = new SampleDictionary();
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
});
