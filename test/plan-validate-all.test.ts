/**
 * `loadr validate` reports every problem at once once the document parses (src/plan/salvage.ts):
 * schema errors, undefined references, unknown threshold metrics and method warnings together,
 * each with its line and column — not the references only after the schema errors are fixed.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validationMetricCheck } from "../src/run/metric-check.ts";
import { load } from "./plan-helpers.ts";
import { loadr, scratch } from "./support/cli.ts";

const checks = validationMetricCheck({ baseDir: ".", pluginsDir: mkdtempSync(join(tmpdir(), "loadr-plugins-")) });
const lines = (yaml: string) => load(yaml, { checks }).diagnostics.map((d) => `${d.severity} ${d.line}:${d.column} ${d.path}: ${d.message}`);

describe("every problem at once", () => {
  test("schema errors, references, threshold metrics and methods in one report, in source order", () => {
    const got = lines(`thresholds:
  http_req_duraton: p(95) < 500
scenarios:
  a:
    vus: 1
    duration: 1s
    flow:
      - request: {url: "http://x/\${vars.nope}", method: purge}
      - request: {url: "http://x/", timeout: banana}
      - request: {url: "http://x/\${data.users.name}"}
`);
    expect(got).toEqual([
      "error 2:3 thresholds.http_req_duraton: unknown metric `http_req_duraton` in threshold: nothing in this run records it (declare a custom metric under `metrics:` or in the `js:` module's init code)",
      "error 8:24 scenarios.a.flow[0].request.url: `${vars.nope}` refers to `nope`, which is not defined in `variables:`",
      "warning 8:57 scenarios.a.flow[0].request.method: non-standard HTTP method `PURGE`",
      "error 9:46 scenarios.a.flow[1].request.timeout: invalid duration `banana`: expected a number followed by a unit at position 0 (try e.g. `500ms`, `30s`, `1m30s`)",
      "error 10:24 scenarios.a.flow[2].request.url: `${data.users.name}` refers to `users`, which is not defined in `data:`",
    ]);
  });

  test("a step removed for its schema error does not shift the paths of the steps after it", () => {
    const got = lines(`scenarios:
  a:
    vus: 1
    duration: 1s
    flow:
      - request: {url: "http://x/", bogus: 1}
      - think_time: {type: nonsense}
      - request: {url: "http://x/\${vars.nope}"}
      - group: {name: g, steps: [{request: {}}, {request: {url: "http://x/\${secrets.s}"}}]}
`);
    expect(got.filter((l) => l.includes("refers to"))).toEqual([
      "error 8:24 scenarios.a.flow[2].request.url: `${vars.nope}` refers to `nope`, which is not defined in `variables:`",
      "error 9:65 scenarios.a.flow[3].group.steps[1].request.url: `${secrets.s}` refers to `s`, which is not defined in `secrets:`",
    ]);
  });

  test("a scenario whose executor settings are wrong still has its requests checked", () => {
    const got = lines(`scenarios:
  b:
    executor: ramping-vus
    vus: 1
    flow:
      - request: {url: "http://x/\${vars.other}"}
`);
    expect(got).toEqual([
      "error 2:3 scenarios.b: `ramping-vus` requires at least one entry in `stages`",
      "error 6:24 scenarios.b.flow[0].request.url: `${vars.other}` refers to `other`, which is not defined in `variables:`",
    ]);
  });

  test("what a pruned part would explain is not reported: a broken metrics: entry, an extractor, the only scenario", () => {
    const got = lines(`metrics:
  orders: {kind: countr}
thresholds:
  orders: count > 0
scenarios:
  a:
    vus: 1
    duration: 1s
    flow:
      - request: {url: "http://x/", extract: [{type: header, name: tok}]}
      - request: {url: "http://x/\${tok}"}
`);
    expect(got).toEqual([
      "error 2:18 metrics.orders.kind: unknown variant `countr`, expected one of `counter`, `gauge`, `rate`, `trend`",
      "error 10:47 scenarios.a.flow[0].request.extract[0].header: missing field `header`",
    ]);
    expect(lines(`scenarios:\n  a: {vus: 1, duration: 1s}\n`)).toEqual(["error 2:3 scenarios.a: a scenario needs a `flow` and/or an `exec` function"]);
  });

  test("through dist/loadr: the counts cover every kind of problem", async () => {
    const dir = scratch({
      "plan.yaml": `thresholds:
  http_req_duraton: p(95) < 500
scenarios:
  a:
    vus: 1
    flow:
      - request: {url: "http://x/\${vars.nope}", method: purge}
`,
    });
    const r = await loadr(["validate", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plan.yaml: error at line 4, column 3 (scenarios.a): `constant-vus` requires `duration`");
    expect(r.stderr).toContain("plan.yaml: error at line 2, column 3 (thresholds.http_req_duraton)");
    expect(r.stderr).toContain("plan.yaml: error at line 7, column 24 (scenarios.a.flow[0].request.url)");
    expect(r.stderr).toContain("plan.yaml: warning at line 7, column 57 (scenarios.a.flow[0].request.method)");
    expect(r.stderr).toContain("3 error(s), 1 warning(s)");
  });
});
