/** End-to-end plan features through dist/loadr: templates, bodies, TLS, hosts pinning, overlays, progress, signals. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOADR, loadr, scratch } from "./support/cli.ts";

// These tests start the binary, servers and whole runs: a loaded 2-core CI box needs more than 5 s.
setDefaultTimeout(30_000);

const checks = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as { checks: { name: string; passes: number; fails: number }[] }).checks;

describe("plan features end to end", () => {
  test("env, vars, secrets, services and extracted values reach the request; params, form and JSON bodies are encoded", async () => {
    const dir = scratch({
      "token.txt": "file-secret\n",
      "plan.yaml": `
plugins: [{ name: echo }]
variables:
  tenant: acme-\${env.LOADR_TEST_REGION}
secrets:
  api_key: { env: LOADR_TEST_KEY }
  from_file: { file: token.txt }
defaults:
  http:
    base_url: \${services.echo.url}
    headers:
      X-Tenant: \${vars.tenant}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: /json
          extract: [{ type: jsonpath, name: token, expression: $.token }]
      - request:
          name: query
          url: /echo
          params: { q: "a b&c", vu: "\${vu}" }
          headers: { X-Key: "\${secrets.api_key}", X-File: "\${secrets.from_file}", X-Token: "\${token}" }
          checks:
            - { type: jsonpath, name: tenant, expression: "$.headers['x-tenant']", equals: acme-eu }
            - { type: jsonpath, name: key, expression: "$.headers['x-key']", equals: k-123 }
            - { type: jsonpath, name: file, expression: "$.headers['x-file']", equals: file-secret }
            - { type: jsonpath, name: token, expression: "$.headers['x-token']", equals: tok-123 }
            - { type: jsonpath, name: query, expression: "$.query.q", equals: "a b&c" }
      - request:
          name: form
          url: /echo
          body: { form: { user: "v\${vu}", note: "x y" } }
          checks:
            - { type: jsonpath, name: form body, expression: "$.body", equals: "user=v1&note=x%20y" }
            - { type: jsonpath, name: form type, expression: "$.headers['content-type']", equals: application/x-www-form-urlencoded }
      - request:
          name: json
          url: /echo
          body: { json: { vu: "\${vu}", it: "\${iteration}", label: "vu \${vu}" } }
          checks:
            - { type: jsonpath, name: json body, expression: "$.body", equals: '{"vu":1,"it":0,"label":"vu 1"}' }
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir, env: { LOADR_TEST_REGION: "eu", LOADR_TEST_KEY: "k-123" } });
    expect(r.code).toBe(0);
    const failed = checks(dir).filter((c) => c.fails > 0 || c.passes !== 1);
    expect(failed).toEqual([]);
    expect(checks(dir).length).toBe(8);
  });

  test("settings this build does not apply yet are named once at start, and the run goes on", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
defaults: { http: { cache: true } }
scenarios:
  s: { executor: per-vu-iterations, vus: 1, iterations: 1, flow: [{ request: { url: "\${services.echo.url}/" } }] }
`,
    });
    const r = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: defaults.http.cache is not applied by this build yet");
    const quiet = await loadr(["run", "plan.yaml", "-q"], { cwd: dir });
    expect(quiet.stderr).toBe("");
  });

  test("a missing secret stops the run before it starts, with the reference's message", async () => {
    const dir = scratch({
      "plan.yaml": "secrets:\n  k: { env: LOADR_TEST_UNSET_VAR }\nscenarios:\n  s: { executor: per-vu-iterations, vus: 1, iterations: 1, flow: [{ request: { url: 'http://127.0.0.1:1/' } }] }\n",
    });
    const r = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LOADR_TEST_UNSET_VAR");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  test("HTTPS against the echo target's TLS mode, trusted with insecure_skip_verify; hosts pinning", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo, config: { tls: true } }]
defaults:
  http:
    tls: { insecure_skip_verify: true }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
    flow:
      - request:
          url: \${services.echo.url}/json
          checks: [{ type: status, equals: 200 }]
`,
    });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.checks[0]).toEqual({ name: "status is 200", passes: 4, fails: 0 });
    const tls = s.metrics.find((m: { metric: string }) => m.metric === "http_req_tls_handshaking").agg;
    expect(tls.max).toBeGreaterThan(0); // the handshake was measured

    const echo = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(req.headers.get("host") ?? "") });
    try {
      const pinned = scratch({
        "plan.yaml": `
defaults:
  http:
    hosts: { "api.loadr.test": "127.0.0.1:${echo.port}" }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: http://api.loadr.test/
          checks: [{ type: body_contains, name: host header kept, value: api.loadr.test }]
`,
      });
      const p = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: pinned });
      expect(p.code).toBe(0);
      expect(checks(pinned)).toEqual([{ name: "host header kept", passes: 1, fails: 0 }]);
    } finally {
      echo.stop(true);
    }
  });

  test("-e applies an env overlay; start_time delays a scenario", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
scenarios:
  first:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow: [{ request: { url: "\${services.echo.url}/" } }]
  later:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    start_time: 1500ms
    flow: [{ request: { url: "\${services.echo.url}/" } }]
thresholds:
  http_reqs: ["count == 2"]
env:
  ci:
    scenarios:
      first: { iterations: 3 }
    thresholds:
      http_reqs: ["count == 4"]
`,
    });
    const t0 = performance.now();
    const r = await loadr(["run", "plan.yaml", "-e", "ci", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(1500);
    const bad = await loadr(["run", "plan.yaml", "-e", "prod"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown environment `prod`; available: ci");
  });

  test("--progress draws the live line on stderr even when it is not a terminal", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
scenarios:
  s: { executor: constant-vus, vus: 2, duration: 2500ms, flow: [{ request: { url: "\${services.echo.url}/" } }, { think_time: { type: constant, duration: 10ms } }] }
`,
    });
    const r = await loadr(["run", "plan.yaml", "--progress"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/running 00:00:0\d\s+vus\s+2\s+rps\s+[\d.]+\s+p95\s+\S+\s+failed 0/);
    const quiet = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(quiet.stderr).not.toContain("running 00:");
  });

  test("a second Ctrl-C exits at once with 130", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins: [{ name: echo }]
scenarios:
  s: { executor: constant-vus, vus: 2, duration: 60s, graceful_stop: 30s, flow: [{ request: { url: "\${services.echo.url}/delay/20000" } }] }
`,
    });
    const proc = Bun.spawn([LOADR, "run", "plan.yaml"], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH!, NO_COLOR: "1" } });
    await Bun.sleep(1500);
    proc.kill("SIGINT");
    await Bun.sleep(300);
    proc.kill("SIGINT");
    const t0 = performance.now();
    const code = await proc.exited;
    expect(code).toBe(130);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
