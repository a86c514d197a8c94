/**
 * The end-of-run summary through the binary: the failure table a run prints when its target is
 * down (no -v needed), `--summary-mode full`, `--summary-trend-stats`, units, the summary
 * export's schema 2 fields, and `loadr report` on an export written before schema 2.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { freePort } from "./support/receivers.ts";

setDefaultTimeout(60_000);

describe("console summary of a run", () => {
  test("a target that is down: every request failed, and the summary says why without -v", async () => {
    const port = freePort(); // nothing listens there any more
    const dir = scratch({
      "plan.yaml": `
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 12
    flow:
      - request: { name: home, url: "http://127.0.0.1:${port}/" }
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(0); // no thresholds: failures alone do not fail the run
    expect(r.stdout).toContain(
      `\n  12 requests failed:\n    ✗ 12 connection_refused: error trying to connect: connection refused (127.0.0.1:${port}) — is the target running?\n`,
    );
    expect(r.stdout).toContain("  http_req_failed...............: 100.00% 12 out of 12\n");
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.breakdown.failures).toEqual([
      { kind: "connection_refused", status: 0, count: 12, message: `error trying to connect: connection refused (127.0.0.1:${port})` },
    ]);
  });

  test("full mode, trend statistics and units; the export's breakdown, per-request checks and interval timeline", async () => {
    const dir = scratch({
      "plan.yaml": `
name: shop
plugins: [{ name: echo }]
scenarios:
  browse:
    executor: per-vu-iterations
    vus: 2
    iterations: 10
    flow:
      - request:
          name: home
          url: \${services.echo.url}/
          checks: [{ type: status, equals: 200 }]
      - group:
          name: cart
          steps:
            - request:
                name: slow
                url: \${services.echo.url}/delay/5
                checks: [{ type: status, equals: 200 }]
            - request: { name: missing, url: "\${services.echo.url}/status/404" }
thresholds:
  http_req_duration: ["p(95)<2s"]
  data_received: ["count>1"]
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json", "--summary-mode", "full", "--summary-trend-stats", "avg,p(95),p(99.9),count"], { cwd: dir });
    expect(r.stderr).toContain("\n✓ summary exported to s.json\n");
    expect(r.stderr).not.toContain("warning");
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.schema_version).toBe(2);
    const out = r.stdout;
    // units
    expect(out).toMatch(/\n {2}data_received\.+: \d+(\.\d)? kB +\d+(\.\d)? kB\/s\n/);
    expect(out).toContain("  http_reqs.....................: 60     ");
    expect(out).toMatch(/\n {2}http_req_duration\.+: avg=\S+ p\(95\)=\S+ p\(99\.9\)=\S+ count=60\n/);
    const p95 = s.thresholds[0].observed as number;
    expect(s.thresholds[0].unit).toBe("ms");
    expect(out).toMatch(new RegExp(`✓ http_req_duration: p\\(95\\)<2s \\(observed: ${p95 >= 1 ? p95.toFixed(2) + "ms" : Math.round(p95 * 1000) + "µs"}\\)`));
    expect(out).toMatch(/✓ data_received: count>1 \(observed: \d+(\.\d)? kB\)/);
    // full mode: the tables, and checks per group and request
    expect(out).toMatch(/\n {2}requests by scenario:\n {4}scenario +requests +failed +fail % +req\/s +p50 +p90 +p95 +p99\n {4}browse +60 +20 +33\.33% /);
    expect(out).toMatch(/\n {2}requests by group:\n.*\n {4}::cart +40 +20 +50\.00% /);
    expect(out).toMatch(/\n {2}requests by name:\n.*\n {4}home +20 +0 +0\.00% .*\n {4}missing +20 +20 +100\.00% .*\n {4}slow +20 +0 +0\.00% /);
    expect(out).toContain("\n  checks by group and request:\n    (no group) › home\n      ✓ status is 200 (20 / 20)\n    ::cart › slow\n      ✓ status is 200 (20 / 20)\n");
    expect(out).toContain("\n  20 requests failed:\n    ✗ 20 status 404: Not Found\n");
    // the export
    expect(s.breakdown.names.rows.map((x: any) => [x.key, x.requests, x.failures])).toEqual([["home", 20, 0], ["missing", 20, 20], ["slow", 20, 0]]);
    expect(s.breakdown.groups.rows.map((x: any) => x.key)).toEqual(["::cart"]);
    expect(s.breakdown.checks).toEqual([
      { group: "", name: "home", check: "status is 200", passes: 20, fails: 0 },
      { group: "::cart", name: "slow", check: "status is 200", passes: 20, fails: 0 },
    ]);
    expect(s.breakdown.total.p95).toBe(p95);
    const m = s.metrics.find((x: any) => x.metric === "http_req_duration");
    expect(m.agg.p95).toBe(p95);
    const last = s.timeline.at(-1);
    expect(last.requests).toBe(60);
    expect(last.failed).toBe(20);
    expect(s.timeline.some((p: any) => p.interval_latency_p95 !== undefined)).toBe(true);
  });

  test("bad --summary-mode and --summary-trend-stats: one line each, nothing runs", async () => {
    const dir = scratch({ "plan.yaml": "scenarios:\n  s:\n    executor: shared-iterations\n    iterations: 1\n    flow: [{ request: { url: http://127.0.0.1:9/ } }]\n" });
    const a = await loadr(["run", "plan.yaml", "--summary-mode", "fancy"], { cwd: dir });
    expect(a.code).toBe(1);
    expect(a.stdout).toBe("");
    expect(a.stderr.trim().split("\n")).toEqual(["error: --summary-mode must be compact or full, got `fancy`"]);
    const b = await loadr(["run", "plan.yaml", "--summary-trend-stats", "avg,p95"], { cwd: dir });
    expect(b.code).toBe(1);
    expect(b.stdout).toBe("");
    expect(b.stderr.trim().split("\n")).toEqual([
      "error: --summary-trend-stats: `p95` is not a trend statistic (use avg, min, med, max, count or p(N) with N from 0 to 100, e.g. avg,p(95),p(99.9))",
    ]);
  });
});

describe("loadr report reads every schema", () => {
  const FIXTURE = resolve(import.meta.dir, "fixtures/summary/v1-export.json");

  test("an export written before schema 2 (test/fixtures/summary/v1-export.json) renders, without breakdown sections", async () => {
    const dir = scratch();
    const r = await loadr(["report", FIXTURE, "-o", join(dir, "old.html")]);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, "old.html"), "utf8");
    const old = JSON.parse(readFileSync(FIXTURE, "utf8"));
    expect(old.schema_version).toBeUndefined();
    expect(html).toContain('id="no-breakdown"');
    // its headline p95 and error rate are its metrics' (schema 1 has no breakdown.total)
    const p95 = old.metrics.find((m: any) => m.metric === "http_req_duration").agg.p95;
    expect(html).toContain(`id="card-p95" data-value="${p95}"`);
    expect(html).toContain(`id="card-error-rate" data-value="${old.metrics.find((m: any) => m.metric === "http_req_failed").agg.rate}"`);
    // thresholds keep the two decimals they were written with (no unit in schema 1)
    expect(html).toContain(`>${old.thresholds[0].observed.toFixed(2)}</td>`);
    const junit = await loadr(["report", FIXTURE, "--format", "junit", "-o", join(dir, "old.xml")]);
    expect(junit.code).toBe(0);
    expect(readFileSync(join(dir, "old.xml"), "utf8")).toContain('<testsuite name="checks" tests="1" failures="0"');
  });
});
