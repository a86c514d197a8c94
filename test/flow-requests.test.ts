/** Request-level features of issue 4 through dist/loadr: multipart/file/raw bodies, templated default headers, throttle, think time insertion, request tags. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(30_000);

describe("request bodies and headers", () => {
  test("multipart fields and files, raw file bytes, templated default headers per request", async () => {
    const dir = scratch({ "note.txt": "file contents\n" });
    writeFileSync(join(dir, "blob.bin"), new Uint8Array([0, 255, 1, 254]));
    writeFileSync(
      join(dir, "plan.yaml"),
      `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
    headers:
      X-Iter: "i\${iteration}"
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - request:
          name: multipart
          url: /echo
          body:
            multipart:
              - { name: user, value: "u\${vu}" }
              - { name: doc, file: note.txt, content_type: text/plain }
          checks:
            - { type: js, name: multipart shape, expression: "const b = JSON.parse(response.body); const ct = b.headers['content-type']; const B = ct.split('boundary=')[1]; ct.startsWith('multipart/form-data; boundary=loadrboundary') && b.body === '--' + B + '\\\\r\\\\nContent-Disposition: form-data; name=\\"user\\"\\\\r\\\\n\\\\r\\\\nu1\\\\r\\\\n--' + B + '\\\\r\\\\nContent-Disposition: form-data; name=\\"doc\\"; filename=\\"note.txt\\"\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\nfile contents\\\\n\\\\r\\\\n--' + B + '--\\\\r\\\\n'" }
            - { type: jsonpath, name: default header rendered per request, expression: "$.headers['x-iter']", exists: true }
      - request:
          name: file
          url: /echo
          method: PUT
          body: { file: blob.bin }
          checks:
            - { type: jsonpath, name: raw bytes, expression: "$.body_base64", equals: "AP8B/g==" }
            - { type: jsonpath, name: method, expression: "$.method", equals: PUT }
      - request:
          url: /echo
          name: iter
          checks:
            - { type: js, name: iteration header, expression: "JSON.parse(response.body).headers['x-iter'] === 'i' + session.iteration" }
`,
    );
    const r = await loadr(["run", join(dir, "plan.yaml"), "--summary-export", join(dir, "s.json")]);
    expect(r.code).toBe(0);
    const checks = JSON.parse(await Bun.file(join(dir, "s.json")).text()).checks as { name: string; passes: number; fails: number }[];
    for (const c of checks) expect({ name: c.name, fails: c.fails }).toEqual({ name: c.name, fails: 0 });
    expect(checks.map((c) => c.name).sort()).toEqual(
      ["default header rendered per request", "iteration header", "method", "multipart shape", "raw bytes"].sort(),
    );
  });

  test("request tags apply to that request's samples only", async () => {
    const r = await runPlan(`${ECHO_HEADER}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { url: /status/200, name: tagged, tags: { tier: gold }, checks: [{ type: status, equals: 200 }] }
      - request: { url: /status/200, name: plain }
`);
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { tier: "gold" })).toBe(3);
    expect(r.sum("http_reqs", { tier: "gold", name: "tagged" })).toBe(3);
    expect(r.sum("checks", { tier: "gold" })).toBe(3);
    expect(r.sum("http_reqs", { name: "plain" })).toBe(3);
    expect(r.series("http_reqs", { name: "plain" })[0]!.tags.tier).toBeUndefined();
  });
});

describe("scenario pacing", () => {
  test("throttle caps the scenario's request rate across VUs and workers (20 rps, 10 VUs, 2 s → 20–55 requests)", async () => {
    const r = await runPlan(
      `${ECHO_HEADER}
scenarios:
  s:
    executor: constant-vus
    vus: 10
    duration: 2s
    throttle: { requests_per_second: 20 }
    flow:
      - request: { url: /status/200 }
`,
      {},
      ["--workers", "2"],
    );
    expect(r.code).toBe(0);
    const n = r.sum("http_reqs");
    expect(n).toBeGreaterThanOrEqual(20);
    expect(n).toBeLessThanOrEqual(55);
  });

  test("the scenario think time (else defaults.think_time) follows every request step, nested ones too", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
defaults:
  think_time: { type: constant, duration: 5s }
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    think_time: { type: constant, duration: 150ms }
    flow:
      - request: { url: /status/200 }
      - group:
          name: g
          steps:
            - request: { url: /status/200 }
      - js: "1"
`);
    expect(r.code).toBe(0);
    const d = r.series("iteration_duration")[0]!.agg.max!;
    expect(d).toBeGreaterThanOrEqual(300); // two requests × 150 ms, not the 5 s default
    expect(d).toBeLessThan(2000);
  });
});
