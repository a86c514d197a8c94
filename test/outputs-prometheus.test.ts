/**
 * The prometheus output against Debian's Prometheus started here on loopback: it scrapes loadr's
 * `listen` endpoint while the run goes, and receives remote-write; the values are then read back
 * over Prometheus' HTTP API and compared with the run's own summary.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { freePort, startPrometheus, type Prometheus } from "./support/receivers.ts";

setDefaultTimeout(90_000);

const hasPrometheus = Bun.which("prometheus") !== null;

describe.skipIf(!hasPrometheus)("prometheus output with a real Prometheus", () => {
  let prom: Prometheus;
  const scrapePort = freePort();
  let dir: string;
  let result: Awaited<ReturnType<typeof loadr>>;
  let summary: any;

  beforeAll(async () => {
    prom = await startPrometheus(`127.0.0.1:${scrapePort}`);
    dir = scratch({
      "plan.yaml": `
name: prom
plugins: [{ name: echo }]
outputs:
  - type: prometheus
    remote_write_url: \${env.PROM_URL}/api/v1/write
    interval: 1s
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: 5s
    flow:
      - request:
          name: home
          url: \${services.echo.url}/
          checks: [{ type: status, equals: 200 }]
      - think_time: { type: constant, duration: 20ms }
`,
    });
    result = await loadr(["run", "plan.yaml", "-q", "--workers", "1", "--output", `prometheus=127.0.0.1:${scrapePort}`, "--summary-export", "s.json"], {
      cwd: dir,
      env: { PROM_URL: prom.url },
    });
    summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
  });
  afterAll(async () => {
    await prom?.stop();
  });

  test("the run succeeds with both outputs on", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  test("remote-write: the final pushed counters equal the summary's", async () => {
    const reqs = summary.metrics.find((m: any) => m.metric === "http_reqs").agg.sum;
    expect(reqs).toBeGreaterThan(50);
    const got = await prom.query(`loadr_http_reqs_total{job="", name="home"}`);
    expect(got.length).toBe(1);
    expect(got[0]!.metric).toMatchObject({ method: "GET", status: "200", scenario: "s", proto: "http" });
    expect(Number(got[0]!.value[1])).toBe(reqs);
    const checks = await prom.query(`loadr_checks_passes_total{job=""}`);
    expect(Number(checks[0]!.value[1])).toBe(summary.checks[0].passes);
    const rate = await prom.query(`loadr_http_req_failed_rate{job=""}`);
    expect(Number(rate[0]!.value[1])).toBe(0);
  });

  test("remote-write: trend quantiles arrive as a summary in milliseconds", async () => {
    const p95 = summary.metrics.find((m: any) => m.metric === "http_req_duration").agg.p95;
    const got = await prom.query(`loadr_http_req_duration_milliseconds{job="", quantile="0.95"}`);
    expect(got.length).toBe(1);
    expect(Number(got[0]!.value[1])).toBeCloseTo(p95, 6);
    const count = await prom.query(`loadr_http_req_duration_milliseconds_count{job=""}`);
    expect(Number(count[0]!.value[1])).toBe(summary.metrics.find((m: any) => m.metric === "http_reqs").agg.sum);
  });

  test("scrape: Prometheus scraped loadr's /metrics during the run (several samples, growing)", async () => {
    const got = await prom.query(`loadr_http_reqs_total{job="loadr", name="home"}[5m]`);
    expect(got.length).toBe(1);
    const values = (got[0] as any).values.map((v: [number, string]) => Number(v[1]));
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect(values[values.length - 1]).toBeGreaterThan(values[0]);
    const vus = await prom.query(`max_over_time(loadr_vus{job="loadr"}[5m])`);
    expect(Number(vus[0]!.value[1])).toBe(2);
  });
});

describe("prometheus output: bad input is one clear line", () => {
  test("listen port in use", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const dir = scratch({ "plan.yaml": "scenarios: { s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [] } }\n" });
    const port = busy.port!;
    const r = await loadr(["run", "plan.yaml", "-q", "--output", `prometheus=127.0.0.1:${port}`], { cwd: dir });
    busy.stop(true);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: prometheus output: cannot listen on 127.0.0.1:${port}: the port is in use (choose another, e.g. port 0 for any free one)`);
  });

  test("unreachable remote-write receiver stops the run before any load", async () => {
    const port = freePort();
    const dir = scratch({ "plan.yaml": "scenarios: { s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [] } }\n" });
    const r = await loadr(["run", "plan.yaml", "-q", "--output", `prometheus=http://127.0.0.1:${port}/api/v1/write`], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `error: prometheus output: cannot reach http://127.0.0.1:${port}/api/v1/write: connection refused (is the receiver running?)`,
    ]);
  });
});
