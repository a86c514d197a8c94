/**
 * The reference project's HTTP example plans (reference §7), as equivalents written from its facts
 * in examples/reference/ and pointed at the echo target: all validate with zero errors, and they
 * run to completion with the outcomes the reference's harness expects (08, 22 and 26 with their JS
 * modules, examples/reference/scripts/). docs/compat.md keeps the table.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(60_000);

const DIR = resolve(import.meta.dir, "../examples/reference");
const plans = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

async function run(file: string, args: string[] = [], env: Record<string, string> = {}) {
  const out = join(scratch(), "s.json");
  const r = await loadr(["run", join(DIR, file), "-q", "--summary-export", out, ...args], { cwd: DIR, env });
  const summary = r.code === 1 ? undefined : JSON.parse(readFileSync(out, "utf8"));
  const checks = Object.fromEntries(((summary?.checks ?? []) as { name: string; passes: number; fails: number }[]).map((c) => [c.name, c]));
  const metric = (m: string) => (summary?.metrics as { metric: string; agg: { sum: number; count: number } }[]).find((x) => x.metric === m)?.agg;
  return { ...r, summary, checks, metric };
}

describe("reference example plans", () => {
  test("there are 23 of them (01–14, 16–18, 21–26) and each validates with zero errors", async () => {
    expect(plans.map((p) => p.slice(0, 2))).toEqual(
      ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "16", "17", "18", "21", "22", "23", "24", "25", "26"],
    );
    for (const p of plans) {
      const r = await loadr(["validate", join(DIR, p)]);
      // zero errors; warnings are allowed (16 uses a repeat counter in a URL, which the reference warns about too)
      expect({ plan: p, code: r.code, errors: (r.stdout + r.stderr).split("\n").filter((l) => / error( at|:)/.test(l)) }).toEqual({ plan: p, code: 0, errors: [] });
    }
  });

  test("01 quickstart passes its thresholds", async () => {
    const r = await run("01-quickstart.yaml", ["--duration", "1s", "--vus", "2"]);
    expect(r.code).toBe(0);
    expect(r.summary.thresholds_passed).toBe(true);
  });

  test("05 data-driven: login per CSV row, token carried as Bearer; the uninterpolated equals fails as in the reference", async () => {
    const r = await run("05-data-driven.yaml");
    expect(r.code).toBe(0);
    expect(r.metric("http_reqs")!.sum).toBe(40);
    expect(r.checks["status is 200"]).toMatchObject({ passes: 20, fails: 0 });
    expect(r.checks["username matches"]).toMatchObject({ passes: 0, fails: 20 });
  });

  test("06 correlation: css, boundary, header and jsonpath values flow into later requests", async () => {
    const r = await run("06-correlation.yaml");
    expect(r.code).toBe(0);
    expect(r.checks["jsonpath $.status"]).toMatchObject({ passes: 6, fails: 0 });
    expect(r.metric("http_req_failed")!.sum).toBe(0);
  });

  test("13 environments: the ci overlay and an env secret", async () => {
    const r = await run("13-environments.yaml", ["-e", "ci"], { EXAMPLE_API_KEY: "k-1" });
    expect(r.code).toBe(0);
    const missing = await loadr(["run", join(DIR, "13-environments.yaml"), "-e", "ci"], { cwd: DIR });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("EXAMPLE_API_KEY");
  });

  test("16 flow control: while, ${js:}, weighted random, repeat, if, retry run to completion", async () => {
    const r = await run("16-flow-control.yaml");
    expect(r.code).toBe(0);
    expect(r.metric("iterations")!.sum).toBe(9);
    expect(r.metric("http_req_failed")!.sum).toBe(0);
    expect(r.metric("vu_exceptions")).toBeUndefined();
  });

  test("17 feeders and throttle: the request rate stays under the throttle", async () => {
    const r = await run("17-feeders-and-throttle.yaml", ["--duration", "2s"]);
    expect(r.code).toBe(0);
    expect(r.summary.thresholds_passed).toBe(true);
    expect(r.checks["status is 200"]!.fails).toBe(0);
  });

  test("21 http advanced and 25 check chains run clean", async () => {
    const a = await run("21-http-advanced.yaml");
    expect(a.code).toBe(0);
    expect(a.stderr).toBe("");
    const b = await run("25-check-chains.yaml");
    expect(b.code).toBe(0);
    for (const n of ["first_name", "max_price", "item_count", "order_status", "status is 201"]) expect(b.checks[n]).toMatchObject({ fails: 0 });
  });

  test("08 javascript: setup's token reaches exec, the module's trend and checks, hooks on the YAML requests without failures, teardown after", async () => {
    const r = await run("08-javascript.yaml", ["--duration", "1s"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // setup's POST /auth/token and teardown's POST /auth/revoke: once each, tagged scenario setup
    const s = r.summary.snapshot.series as { metric: string; tags: Record<string, string>; agg: { sum: number; count: number } }[];
    const reqs = (tags: Record<string, string>) => s.filter((x) => x.metric === "http_reqs" && Object.entries(tags).every(([k, v]) => x.tags[k] === v)).reduce((n, x) => n + x.agg.sum, 0);
    expect(reqs({ scenario: "setup", method: "POST" })).toBe(2);
    expect(r.checks["token issued"]).toMatchObject({ passes: 1, fails: 0 });
    expect(r.checks["status 200"]!.passes).toBeGreaterThan(0);
    expect(r.checks["has items"]).toMatchObject({ fails: 0 });
    // exec's requests are in the `catalogue` group with their params.tags; the module's trend has a sample per request
    expect(reqs({ scenario: "scripted", group: "::catalogue", endpoint: "items" })).toBe(r.checks["status 200"]!.passes);
    expect(r.metric("api_latency_custom")!.count).toBe(r.checks["status 200"]!.passes);
    expect(r.metric("page_render_budget")!.count).toBeGreaterThan(0);
    expect(r.metric("http_req_failed")!.sum).toBe(0);
    expect(r.summary.thresholds.find((t: { metric: string }) => t.metric === "api_latency_custom")).toMatchObject({ passed: true });
  });

  test("22 lifecycle: on_start once per VU, exec every iteration, on_stop once per VU, handleSummary replaces the console summary", async () => {
    const r = await loadr(["run", join(DIR, "22-lifecycle.yaml"), "--duration", "1s", "--summary-export", join(scratch(), "x.json")], { cwd: DIR });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\n  lifecycle run [0-9a-f-]+: \d+\.\ds, 1 scenario\(s\)\n  requests: +\d+\n  p95 latency: [\d.]+ ms\n  thresholds: +PASS\n/);
    expect(r.stdout).not.toContain("http_req_duration....");
    const x = await run("22-lifecycle.yaml", ["--duration", "1s"]);
    const s = x.summary.snapshot.series as { metric: string; tags: Record<string, string>; agg: { sum: number } }[];
    const byName = (part: string) => s.filter((m) => m.metric === "http_reqs" && m.tags.name!.endsWith(part)).reduce((n, m) => n + m.agg.sum, 0);
    expect(byName("/auth/login")).toBe(5);
    expect(byName("/auth/logout")).toBe(5);
    expect(byName("/feed")).toBe(x.metric("iterations")!.sum);
    expect(x.checks["logged in"]).toMatchObject({ passes: 5, fails: 0 });
  });

  test("26 failure breakdown: exec throws on about a quarter of the iterations, counted as exceptions and in the failure table", async () => {
    const r = await run("26-failure-breakdown.yaml", ["--duration", "1s"]);
    expect(r.code).toBe(99); // 4xx/5xx on three requests of four: http_req_failed rate<0.5 fails, as in the reference
    const iterations = r.metric("iterations")!.sum;
    const thrown = r.metric("vu_exceptions")!.sum;
    expect(thrown).toBeGreaterThan(iterations * 0.1);
    expect(thrown).toBeLessThan(iterations * 0.45);
    const failures = r.summary.breakdown.failures as { kind: string; count: number; message: string | null }[];
    expect(failures.find((f) => f.kind === "exec_exception")).toMatchObject({ count: thrown });
    expect(failures.find((f) => f.kind === "exec_exception")!.message).toContain("`maybeThrow`: TypeError");
    expect(r.checks["resource exists"]).toMatchObject({ passes: 0 });
  });
});

/**
 * The load-model examples (ramping-vus, arrival rates, multi-scenario) last minutes as written:
 * run them with every duration compressed to at most 1 s — the shape of each schedule stays, the
 * plan is otherwise unchanged — and check each ran every scenario to completion.
 */
const compress = (yaml: string) =>
  yaml.replace(/(duration|start_time|graceful_stop|graceful_ramp_down|max_duration):\s*(\d+)(ms|s|m|h)\b/g, (_m, key: string, n: string, unit: string) => {
    const ms = Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[unit]!;
    return `${key}: ${Math.min(ms, key === "duration" ? 1000 : 500)}ms`;
  });

describe("reference example plans with the load-model executors (time-compressed)", () => {
  for (const prefix of ["02", "03", "04", "07", "23", "24"]) {
    test(`${prefix} runs every scenario to completion`, async () => {
      const file = plans.find((p) => p.startsWith(prefix))!;
      const dir = scratch({ [file]: compress(readFileSync(join(DIR, file), "utf8")) });
      const out = join(dir, "s.json");
      const r = await loadr(["run", join(dir, file), "-q", "--summary-export", out], { cwd: DIR, env: { EXAMPLE_API_KEY: "k-1" } });
      expect(r.stderr).not.toMatch(/^error/m);
      expect([0, 99]).toContain(r.code); // 99: a threshold the compressed run cannot meet
      const summary = JSON.parse(readFileSync(out, "utf8"));
      expect(summary.aborted).toBeNull();
      const iterations = summary.snapshot.series.filter((s: { metric: string }) => s.metric === "iterations");
      const ran = new Set(iterations.map((s: { tags: Record<string, string> }) => s.tags.scenario));
      expect([...ran].sort()).toEqual([...summary.scenarios].sort());
    });
  }
});

/**
 * The protocol examples (09 websocket, 11 graphql, 12 tcp/udp, 18 sse) against the echo target's
 * WebSocket, GraphQL, TCP/UDP and SSE endpoints, every duration compressed to at most 1 s
 * (`session_duration` too; 09 runs 4 s so that its `ws_msgs_received count>100` can be met).
 */
describe("the reference's protocol examples against the echo target (time-compressed)", () => {
  async function runCompressed(prefix: string, args: string[] = [], env: Record<string, string> = {}) {
    const file = plans.find((p) => p.startsWith(prefix))!;
    const dir = scratch({ [file]: compress(readFileSync(join(DIR, file), "utf8")) });
    const out = join(dir, "s.json");
    const r = await loadr(["run", join(dir, file), "-q", "--summary-export", out, ...args], { cwd: DIR, env });
    const summary = JSON.parse(readFileSync(out, "utf8"));
    const series = (m: string, tags: Record<string, string> = {}) =>
      (summary.snapshot.series as { metric: string; tags: Record<string, string>; agg: { sum: number; count: number } }[]).filter(
        (x) => x.metric === m && Object.entries(tags).every(([k, v]) => x.tags[k] === v),
      );
    const sum = (m: string, tags?: Record<string, string>) => series(m, tags).reduce((n, x) => n + (x.agg.sum ?? 0), 0);
    const check = (name: string) => (summary.checks as { name: string; passes: number; fails: number }[]).find((c) => c.name === name);
    return { ...r, summary, sum, check };
  }

  test("09 websocket: wss:// sessions with a subprotocol, every frame acknowledged, thresholds pass", async () => {
    const r = await runCompressed("09", ["--duration", "4s"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.sum("ws_msgs_received")).toBeGreaterThan(100);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.check("got ack")).toMatchObject({ fails: 0 });
  });

  test("11 graphql: the search's first id flows into the detail query; no GraphQL errors", async () => {
    const r = await runCompressed("11", [], { GRAPHQL_TOKEN: "t-1" });
    expect([0, 99]).toContain(r.code); // 99: p(95)<400 on a loaded machine
    expect(r.sum("graphql_reqs", { name: "product detail" })).toBeGreaterThan(0);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.check("has results")).toMatchObject({ fails: 0 });
  });

  test("12 tcp/udp: PING answered PONG, datagrams echoed", async () => {
    const r = await runCompressed("12");
    expect([0, 99]).toContain(r.code); // 99: tcp p(99)<50 on a loaded machine
    expect(r.sum("tcp_reqs")).toBeGreaterThan(0);
    expect(r.sum("udp_reqs")).toBeGreaterThan(100);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.check("body contains \"PONG\"")).toMatchObject({ fails: 0 });
  });

  test("18 sse: streams read until `done`, the status and JS assertions pass", async () => {
    const r = await runCompressed("18");
    expect(r.code).toBe(0);
    expect(r.sum("sse_events", { name: "order updates" })).toBeGreaterThan(0);
    expect(r.sum("sse_events", { name: "metrics feed" })).toBeGreaterThan(0);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.check("got update")).toMatchObject({ fails: 0 });
  });
});
