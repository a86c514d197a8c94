/**
 * End-to-end: dist/loadr runs plans against the built-in echo target (started by the plan itself,
 * as the service `echo`) and reports through the summary, exports and exit code.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

// These tests start the binary, servers and whole runs: a loaded 2-core CI box needs more than 5 s.
setDefaultTimeout(30_000);

type Summary = {
  metrics: { metric: string; kind: string; agg: Record<string, number | null> }[];
  checks: { name: string; passes: number; fails: number }[];
  thresholds: { metric: string; expression: string; observed: number | null; passed: boolean }[];
  thresholds_passed: boolean;
  aborted: string | null;
  timeline: unknown[];
  duration_secs: number;
};
const metric = (s: Summary, name: string) => s.metrics.find((m) => m.metric === name)?.agg;

const sharedPlan = (extra = "") => `
name: e2e
plugins:
  - name: echo
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: shared-iterations
    vus: 4
    iterations: 30
    flow:
      - request:
          url: /json
          extract:
            - type: jsonpath
              name: token
              expression: $.token
          checks:
            - type: status
              equals: 200
      - request:
          name: echo
          method: POST
          url: /echo
          headers:
            Authorization: Bearer \${token}
          body: "vu=\${vu}"
          checks:
            - type: body_contains
              value: "Bearer tok-123"
thresholds:
  http_reqs: ["count == 60"]
${extra}`;

describe("loadr run", () => {
  for (const workers of ["1", "2"]) {
    test(`shared-iterations 4 VUs x 30 iterations runs exactly 60 requests with --workers ${workers}`, async () => {
      const dir = scratch({ "plan.yaml": sharedPlan() });
      const r = await loadr(["run", "plan.yaml", "--workers", workers, "--summary-export", "out/summary.json", "--junit", "out/junit.xml"], { cwd: dir });
      expect(r.stderr).not.toContain("    at ");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("http_req_duration");
      expect(r.stdout).toContain("✓");
      const s: Summary = JSON.parse(readFileSync(join(dir, "out/summary.json"), "utf8"));
      expect(metric(s, "http_reqs")!.sum).toBe(60);
      expect(metric(s, "iterations")!.sum).toBe(30);
      expect(metric(s, "http_req_failed")!.rate).toBe(0);
      expect(s.checks.find((c) => c.name === "status is 200")).toEqual({ name: "status is 200", passes: 30, fails: 0 });
      // the extracted token flowed into the next request's header
      expect(s.checks.find((c) => c.name === 'body contains "Bearer tok-123"')).toEqual({ name: 'body contains "Bearer tok-123"', passes: 30, fails: 0 });
      expect(s.thresholds_passed).toBe(true);
      const junit = readFileSync(join(dir, "out/junit.xml"), "utf8");
      expect(junit).toContain('<testsuites name="loadr: e2e"');
      expect(junit).toContain('<testsuite name="thresholds"');
      expect(junit).toContain('classname="threshold"');
      expect(r.stderr).toContain("summary exported to out/summary.json");
    });
  }

  test("a failing threshold exits 99 and says which", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
scenarios:
  slow:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
    flow:
      - request: { url: "\${services.echo.url}/delay/30" }
thresholds:
  http_req_duration: ["max < 1"]
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/✗ http_req_duration: max < 1 \(observed: \d+\.\d\dms\)/);
    const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.thresholds_passed).toBe(false);
    expect(s.thresholds[0]!.observed!).toBeGreaterThanOrEqual(30);
  });

  test("constant-vus runs for its duration and reports a timeline", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
defaults: { http: { base_url: "\${services.echo.url}" } }
scenarios:
  steady:
    executor: constant-vus
    vus: 5
    duration: 2s
    flow:
      - group:
          name: browse
          steps:
            - request: { url: /json, name: json }
      - think_time: { type: constant, duration: 50ms }
`,
    });
    const t0 = performance.now();
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json", "--workers", "2"], { cwd: dir });
    const elapsed = performance.now() - t0;
    expect(r.code).toBe(0);
    expect(elapsed).toBeGreaterThan(2000);
    const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    const reqs = metric(s, "http_reqs")!.sum!;
    // 5 VUs, each ~50 ms think + a fast request, for 2 s: well over 50, well under 5 × 2000 / 50 = 200
    expect(reqs).toBeGreaterThan(50);
    expect(reqs).toBeLessThanOrEqual(205);
    expect(s.timeline.length).toBeGreaterThanOrEqual(1);
    expect(metric(s, "vus_max")!.max).toBe(5);
  });

  test("a run over before the first gauge tick still reports its peak VUs in vus_max", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
defaults: { http: { base_url: "\${services.echo.url}" } }
scenarios:
  smoke:
    executor: shared-iterations
    vus: 3
    iterations: 30
    flow:
      - request: { url: / }
`,
    });
    for (const workers of ["1", "2"]) {
      const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json", "--workers", workers], { cwd: dir });
      expect(r.code).toBe(0);
      const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
      expect(s.duration_secs).toBeLessThan(1);
      expect(metric(s, "vus_max")).toMatchObject({ last: 3, min: 3, max: 3 });
    }
  });

  test("an unreachable target is counted as failed requests, not a crash", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const dir = scratch({
      "plan.yaml": `
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    flow:
      - request: { url: "http://127.0.0.1:${port}/" }
thresholds:
  http_req_failed: ["rate < 0.5"]
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(99);
    expect(r.stderr).not.toContain("    at ");
    const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(metric(s, "http_reqs")!.sum).toBe(6);
    expect(metric(s, "http_req_failed")!.rate).toBe(1);
  });

  test("a target that answers garbage or resets is counted as failures", async () => {
    let n = 0;
    const bad = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(sock) {
          if (n++ % 2 === 0) sock.end("this is not http\r\n\r\n");
          else sock.terminate();
        },
      },
    });
    try {
      const dir = scratch({
        "plan.yaml": `
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 10
    flow:
      - request: { url: "http://127.0.0.1:${bad.port}/", timeout: 2s }
`,
      });
      const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir });
      expect(r.code).toBe(0);
      const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
      expect(metric(s, "http_reqs")!.sum).toBe(10);
      expect(metric(s, "http_req_failed")!.rate).toBe(1);
    } finally {
      bad.stop(true);
    }
  });

  test("SIGTERM stops gracefully: the summary is still printed and exported, exit 99", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
scenarios:
  long:
    executor: constant-vus
    vus: 3
    duration: 60s
    graceful_stop: 1s
    flow:
      - request: { url: "\${services.echo.url}/" }
      - think_time: { type: constant, duration: 20ms }
`,
    });
    const { LOADR, untilLoadRuns } = await import("./support/cli.ts");
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "--progress", "--summary-export", "s.json"], {
      cwd: dir,
      env: { PATH: process.env.PATH!, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    // SIGTERM once the load runs (a stop while the workers set up ends the run before any request)
    await untilLoadRuns(proc).running;
    proc.kill("SIGTERM");
    const t0 = performance.now();
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(code).toBe(99);
    expect(stdout).toContain("run aborted");
    const s: Summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.aborted).toContain("SIGTERM");
    expect(metric(s, "http_reqs")!.sum!).toBeGreaterThan(10);
  });
});
