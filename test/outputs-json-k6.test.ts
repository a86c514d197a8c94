/**
 * `--output json=path,format=k6` and `outputs: [{type: json, format: k6}]`: k6's JSON lines — a
 * `Metric` declaration before a metric's first `Point`, points that add up to the summary, the
 * run's `vus` gauge as points — through the binary; and a bad format is one line.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(60_000);

const PLAN = (outputs = "") => `
plugins: [{ name: echo }]
${outputs}
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: 1500ms
    flow:
      - request: { name: home, url: "\${services.echo.url}/", checks: [{ type: status, equals: 200 }] }
      - think_time: { type: constant, duration: 20ms }
`;

function readLines(path: string): any[] {
  return readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
}

describe("json output, format k6", () => {
  test("Metric declarations, then Points with time/value/tags, adding up to the summary", async () => {
    const dir = scratch({ "plan.yaml": PLAN() });
    const r = await loadr(["run", "plan.yaml", "-q", "-o", "json=out/k6.json,format=k6", "--summary-export", "s.json", "--workers", "2"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    const lines = readLines(join(dir, "out/k6.json"));
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(["Metric", "Point"]));
    const declared = new Map<string, any>();
    for (const l of lines) {
      if (l.type === "Metric") {
        expect(declared.has(l.metric)).toBe(false); // once per metric, though two workers record it
        declared.set(l.metric, l.data);
      } else expect(declared.has(l.metric)).toBe(true); // declared before its first point
    }
    expect(declared.get("http_req_duration")).toEqual({ name: "http_req_duration", type: "trend", contains: "time", thresholds: [], submetrics: null });
    expect(declared.get("data_received")).toMatchObject({ type: "counter", contains: "data" });
    expect(declared.get("http_req_failed")).toMatchObject({ type: "rate", contains: "default" });
    expect(declared.get("vus")).toMatchObject({ type: "gauge" });
    const points = lines.filter((l) => l.type === "Point");
    const p = points.find((x) => x.metric === "http_req_duration");
    expect(Object.keys(p)).toEqual(["type", "metric", "data"]);
    expect(Object.keys(p.data)).toEqual(["time", "value", "tags"]);
    expect(p.data.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(p.data.time) - summary.started_ms)).toBeLessThan(60_000);
    expect(p.data.tags).toEqual({ method: "GET", name: "home", proto: "http", scenario: "s", status: "200" });
    const agg = (m: string) => summary.metrics.find((x: any) => x.metric === m).agg;
    const sum = (m: string) => points.filter((x) => x.metric === m).reduce((n, x) => n + x.data.value, 0);
    expect(points.filter((x) => x.metric === "http_reqs").length).toBe(agg("http_reqs").sum);
    expect(sum("data_received")).toBe(agg("data_received").sum);
    expect(sum("checks")).toBe(agg("checks").sum); // rates are 1/0 per sample
    expect(sum("http_req_duration")).toBeCloseTo(agg("http_req_duration").sum, 2);
    const vus = points.filter((x) => x.metric === "vus");
    expect(vus.length).toBeGreaterThanOrEqual(1);
    expect(vus[0].data.tags).toBeNull();
    expect(Math.max(...vus.map((x) => x.data.value))).toBe(2);
  });

  test("the plan's `outputs:` takes `format: k6`; the default format stays loadr's NDJSON", async () => {
    const dir = scratch({ "plan.yaml": PLAN("outputs:\n  - { type: json, path: k6.json, format: k6 }\n  - { type: json, path: loadr.ndjson }") });
    const r = await loadr(["run", "plan.yaml", "-q"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readLines(join(dir, "k6.json"))[0].type).toBe("Metric");
    const own = readLines(join(dir, "loadr.ndjson"));
    expect(own[0].type).toBe("point");
    expect(own.at(-1).type).toBe("summary");
  });

  test("an unknown format is one clear line before any load", async () => {
    const dir = scratch({ "plan.yaml": PLAN() });
    const r = await loadr(["run", "plan.yaml", "-q", "-o", "json=x.json,format=k7"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toStartWith("error: invalid --output `json=x.json,format=k7`");
    expect(lines[0]).toContain('"k6"');
  });
});
