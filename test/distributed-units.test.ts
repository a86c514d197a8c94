/**
 * The pieces of scale-out in process (docs/distributed.md): parts tile every countable unit
 * exactly once and interleave, the segment flags, the wire codec and protocol checks, and the
 * aggregator's door (a real WebSocket server on loopback, spoken to by raw clients).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { partCount, partShare, partUnit, splitCount, splitRate, type Part } from "../src/engine/segments.ts";
import { SharedState } from "../src/engine/shared-state.ts";
import { executionSegmentFlag, overlapProblem, SegmentError, segmentFlag, tilingGap } from "../src/distributed/segment-spec.ts";
import { decodeDelta, encodeDelta, WireError } from "../src/distributed/wire.ts";
import { parseFromAggregator, parseFromPart, PROTOCOL_VERSION, ProtocolError } from "../src/distributed/protocol.ts";
import { Hub, type HubEvents } from "../src/distributed/hub.ts";
import { Sink } from "../src/metrics/sink.ts";

const seq = "0,1/8,1/3,1/2,1";
const PARTS: Part[][] = [
  [1, 2, 3, 4].map((i) => segmentFlag(`${i}/4`).part),
  ["0:1/8", "1/8:1/3", "1/3:1/2", "1/2:1"].map((s) => executionSegmentFlag(s, seq).part),
  [segmentFlag("1/1").part],
];

describe("parts of the whole", () => {
  test("every unit is owned by exactly one part, for any split, and a part's count is what it owns", () => {
    for (const parts of PARTS)
      for (const n of [0, 1, 2, 7, 23, 100, 1001]) {
        const owners = new Array<number>(n).fill(0);
        parts.forEach((p) => {
          for (let m = 0; m < partCount(n, p); m++) owners[partUnit(m, p)]!++;
        });
        expect(owners.every((o) => o === 1)).toBe(true);
        expect(parts.reduce((s, p) => s + partCount(n, p), 0)).toBe(n);
      }
  });

  test("part i of N takes units i, i+N, …: rows, arrivals and VU ids interleave", () => {
    const p = segmentFlag("2/4").part;
    expect([0, 1, 2, 3].map((m) => partUnit(m, p))).toEqual([1, 5, 9, 13]);
    const ids = new SharedState(new SharedArrayBuffer(8), p);
    expect([ids.nextVuId(), ids.nextVuId(), ids.nextVuId()]).toEqual([2, 6, 10]);
    expect(SharedState.create(1).nextVuId()).toBe(1); // the whole test: unchanged
  });

  test("workers inside parts: VU counts and arrivals sum exactly to the whole, each arrival once", () => {
    for (const parts of PARTS)
      for (const workers of [1, 2, 3])
        for (const n of [1, 5, 37, 250]) {
          let vus = 0;
          const arrivals = new Array<number>(n).fill(0);
          for (const part of parts)
            for (let index = 0; index < workers; index++) {
              vus += splitCount(n, { index, count: workers, part });
              // as the arrival-rate dispatcher walks them: the part's units index, index+count, …
              for (let m = index; partUnit(m, part) < n; m += workers) arrivals[partUnit(m, part)]!++;
            }
          expect(vus).toBe(n);
          expect(arrivals.every((a) => a === 1)).toBe(true);
        }
  });

  test("rates split in proportion to the parts' widths", () => {
    const parts = PARTS[1]!;
    expect(parts.map((p) => partShare(p))).toEqual([1 / 8, 5 / 24, 1 / 6, 1 / 2]);
    expect(parts.reduce((s, part) => s + splitRate(240, { index: 0, count: 1, part }), 0)).toBeCloseTo(240, 9);
  });
});

describe("segment flags", () => {
  test("--segment i/N and --execution-segment a:b (fractions, decimals, percentages, a sequence)", () => {
    expect(segmentFlag("3/4")).toEqual({ label: "3/4", part: { den: 4, from: 2, to: 3 }, of: 4 });
    expect(executionSegmentFlag("25%:0.5")).toEqual({ label: "1/4:1/2", part: { den: 4, from: 1, to: 2 } });
    expect(executionSegmentFlag("1/3")).toEqual({ label: "0:1/3", part: { den: 3, from: 0, to: 1 } });
    expect(executionSegmentFlag("1/2:1", "0,1/3,1/2,1").part).toEqual({ den: 6, from: 3, to: 6 });
    for (const bad of ["0/4", "5/4", "x", "1/0"]) expect(() => segmentFlag(bad)).toThrow(SegmentError);
    for (const bad of ["1/2:1/4", "3/2", "a:b", "0:1:1"]) expect(() => executionSegmentFlag(bad)).toThrow(SegmentError);
    expect(() => executionSegmentFlag("0:1/4", "0,1/2,1")).toThrow("is not a segment of the sequence 0,1/2,1");
  });

  test("overlaps, a segment twice and different stripes are named; a gap says what is uncovered", () => {
    const a = executionSegmentFlag("0:1/2", "0,1/4,1/2,3/4,1");
    const b = executionSegmentFlag("1/4:3/4", "0,1/4,1/2,3/4,1");
    expect(overlapProblem(b, [a])).toBe("segment 1/4:3/4 overlaps segment 0:1/2, which has already joined");
    expect(overlapProblem(a, [a])).toBe("segment 0:1/2 has already joined this test");
    expect(overlapProblem(executionSegmentFlag("1/2:1"), [executionSegmentFlag("0:1/3")])).toContain("is striped over 2 units and segment 0:1/3 over 3");
    expect(tilingGap([a, executionSegmentFlag("3/4:1", "0,1/4,1/2,3/4,1")])).toBe("1/2:3/4");
    expect(tilingGap([1, 2, 3, 4].map((i) => segmentFlag(`${i}/4`)))).toBeUndefined();
  });
});

describe("wire and protocol", () => {
  test("a delta survives the wire exactly (histogram buckets included) and a malformed one is refused whole", () => {
    const sink = new Sink();
    const tags = sink.tags({ name: "a", instance: "1/2" });
    for (const v of [0.031, 1.5, 250.25, 3_600_000]) sink.trend("http_req_duration", tags, v);
    sink.counter("http_reqs", tags, 4);
    sink.rate("http_req_failed", tags, true);
    const delta = sink.drain();
    const back = decodeDelta(JSON.parse(JSON.stringify(encodeDelta(delta))));
    expect(back).toEqual(delta);
    const wire = encodeDelta(delta) as any;
    const trend = wire.series.findIndex((s: any) => s.kind === "trend");
    const broken = (f: (w: any) => void) => {
      const w = JSON.parse(JSON.stringify(wire));
      f(w);
      return () => decodeDelta(w);
    };
    expect(broken((w) => (w.series[trend].buckets = Buffer.from(new Float64Array([1.5, 1]).buffer).toString("base64")))).toThrow(WireError);
    expect(broken((w) => (w.series[trend].buckets = "AAAA"))).toThrow("buckets are not [value, count] pairs");
    expect(broken((w) => (w.series[trend].buckets = "not base64!"))).toThrow("buckets are not base64");
    expect(broken((w) => (w.series[0].tagSet = 99))).toThrow(WireError);
    expect(broken((w) => (w.series[0].kind = "histogram"))).toThrow(WireError);
  });

  test("frames are checked field by field", () => {
    expect(() => parseFromPart("not json")).toThrow(ProtocolError);
    expect(() => parseFromPart(JSON.stringify({ t: "batch", seq: 0, deltas: [] }))).toThrow(ProtocolError);
    expect(() => parseFromPart(JSON.stringify({ t: "hello", v: 1 }))).toThrow("hello: missing fields");
    expect(parseFromAggregator(JSON.stringify({ t: "control", action: "scale", scenario: "s", vus: 3 }))).toEqual({ t: "control", action: "scale", scenario: "s", vus: 3 });
    expect(() => parseFromAggregator(JSON.stringify({ t: "control", action: "explode" }))).toThrow(ProtocolError);
    // the start carries setup()'s data as its JSON text, or nothing
    expect(parseFromAggregator(JSON.stringify({ t: "start", in_ms: 500, data: '{"token":"t"}' }))).toEqual({ t: "start", in_ms: 500, data: '{"token":"t"}' });
    expect(parseFromAggregator(JSON.stringify({ t: "start", in_ms: 500 }))).toEqual({ t: "start", in_ms: 500 });
    expect(() => parseFromAggregator(JSON.stringify({ t: "start", in_ms: 500, data: { token: "t" } }))).toThrow("start: bad data");
  });
});

describe("the aggregator's door", () => {
  let hub: Hub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  const events = (over: Partial<HubEvents> = {}): HubEvents & { problems: string[] } => {
    const problems: string[] = [];
    return { admitting: () => true, joined() {}, ready() {}, batch() {}, disconnected() {}, problem: (l) => void problems.push(l), problems, ...over };
  };
  const hello = (label: string, part: Part, o: Record<string, unknown> = {}) =>
    JSON.stringify({ t: "hello", v: PROTOCOL_VERSION, loadr: "1.0", plan: "abc", segment: { label, part }, instance: label, host: "h", session: label, ...o });
  /** Connect, send frames, and collect what comes back until `want` frames came, the server hangs up, or 2 s. */
  async function talk(frames: string[], want = 1): Promise<{ got: any[]; closed: boolean }> {
    const ws = new WebSocket(hub!.url);
    const got: any[] = [];
    let closed = false;
    await new Promise<void>((r) => (ws.onopen = () => r()));
    await new Promise<void>((r) => {
      ws.onmessage = (e) => got.push(JSON.parse(e.data as string)) >= want && r();
      ws.onclose = () => ((closed = true), r());
      setTimeout(r, 2000);
      for (const f of frames) ws.send(f);
    });
    await Bun.sleep(50); // a close right after the last frame
    ws.close();
    return { got, closed };
  }

  test("one part too many, a late comer, another protocol or version: refused with why", async () => {
    let admitting = true;
    hub = new Hub({ listen: "127.0.0.1:0", parts: 2, planHash: "abc", version: "1.0", testId: "t1" }, events({ admitting: () => admitting }));
    const seqd = (s: string) => executionSegmentFlag(s, "0,1/3,2/3,1").part;
    const keep = [new WebSocket(hub.url), new WebSocket(hub.url)];
    await Promise.all(keep.map((ws, i) => new Promise<void>((r) => {
      ws.onopen = () => ws.send(hello(["0:1/3", "1/3:2/3"][i]!, seqd(["0:1/3", "1/3:2/3"][i]!)));
      ws.onmessage = () => r();
    })));
    expect((await talk([hello("2/3:1", seqd("2/3:1"))])).got[0]).toEqual({ t: "reject", reason: "the test already has its 2 parts (0:1/3, 1/3:2/3): segment 2/3:1 is one too many" });
    const other = PROTOCOL_VERSION + 1;
    expect((await talk([hello("x", seqd("2/3:1"), { v: other })])).got[0].reason).toBe(`this part speaks scale-out protocol ${other}, the aggregator ${PROTOCOL_VERSION}: run the same loadr version everywhere`);
    expect((await talk([hello("x", seqd("2/3:1"), { loadr: "0.9" })])).got[0].reason).toBe("this part runs loadr 0.9, the aggregator loadr 1.0: run the same version everywhere");
    keep[1]!.close();
    await Bun.sleep(100);
    admitting = false;
    expect((await talk([hello("1/3:2/3", seqd("1/3:2/3"))])).got[0].reason).toBe("the test has started without segment 1/3:2/3: start every part before the aggregator's start barrier ends");
    keep[0]!.close();
  });

  test("a frame before hello, or not JSON, closes the connection and is reported; a malformed batch is left out and said once", async () => {
    const ev = events({ batch: (_e, deltas) => void merged.push(deltas.length) });
    const merged: number[] = [];
    hub = new Hub({ listen: "127.0.0.1:0", parts: 1, planHash: "abc", version: "1.0", testId: "t1" }, ev);
    expect((await talk([JSON.stringify({ t: "ready" })])).closed).toBe(true);
    expect((await talk(["{{"])).closed).toBe(true);
    expect(ev.problems.some((p) => p.endsWith(": a ready before hello: connection closed"))).toBe(true);
    expect(ev.problems.some((p) => p.endsWith(": a frame is not JSON: connection closed"))).toBe(true);
    const status = { vus: 0, vus_max: 0, workers: 1, scenarios: [] };
    const r = await talk([hello("1/1", { den: 1, from: 0, to: 1 }), JSON.stringify({ t: "batch", seq: 1, deltas: [{ tagSets: [], series: [{ metric: "m", kind: "counter", tagSet: 3, value: 1 }] }], status })], 2);
    expect(r.got.map((m) => m.t)).toEqual(["welcome", "ack"]);
    expect(merged).toEqual([0]);
    expect(ev.problems.at(-1)).toBe("part 1/1 sent a batch that does not fit (malformed metrics delta: series 0); it was left out");
  });
});
