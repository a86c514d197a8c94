import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadPlan } from "../src/plan/load.ts";
import type { RequestStep } from "../src/plan/schema.ts";
import { countRequestSteps } from "../src/plan/walk.ts";
import { errors, load, planWithFlow } from "./plan-helpers.ts";

const FULL = join(import.meta.dir, "fixtures/plans/full.yaml");

describe("loadPlan: the normalised Plan", () => {
  test("the full sample loads without diagnostics; baseDir is the file's directory", async () => {
    const r = await loadPlan(FULL);
    expect(r.diagnostics).toEqual([]);
    expect(r.baseDir).toBe(join(import.meta.dir, "fixtures/plans"));
    expect(r.text).toStartWith("# A plan touching");
    expect(Object.keys(r.plan!.scenarios)).toEqual(["browse", "buy"]);
  });
  test("defaults of the reference are filled in", () => {
    const r = load(planWithFlow("      - request: {url: http://x/}\n"));
    const http = r.plan!.defaults.http;
    expect(http).toEqual({
      headers: {}, timeout: 30_000, follow_redirects: true, max_redirects: 10, version: "auto", compression: true,
      keep_alive: true, tls: { insecure_skip_verify: false }, cookies: true, cache: false,
      discard_response_bodies: false, max_body_size: 64 * 1024 * 1024, tracing: false, hosts: {},
    });
    expect(r.plan!.scenarios.s).toMatchObject({ executor: "constant-vus", start_time: 0, graceful_stop: 30_000, tags: {} });
  });
  test("requests get method, timeout and follow_redirects from their defaults", async () => {
    const r = await loadPlan(FULL);
    const reqs: RequestStep[] = [];
    for (const sc of Object.values(r.plan!.scenarios))
      for (const s of sc.flow) {
        if ("request" in s) reqs.push(s.request);
        if ("group" in s) for (const g of s.group.steps) if ("request" in g) reqs.push(g.request);
      }
    expect(reqs.map((q) => [q.method, q.timeout, q.follow_redirects])).toEqual([
      ["GET", 10_000, false],
      ["GET", 10_000, false],
      ["POST", 2000, false], // `post` upper-cased; body present
      ["POST", 10_000, false], // form body → POST
    ]);
  });
  test("scenario think time falls back to defaults.think_time", async () => {
    const r = await loadPlan(FULL);
    expect(r.plan!.scenarios.browse!.think_time).toEqual({ type: "uniform", min: 100, max: 500 });
  });
  test("plugins entries: durations in ms, sizes in bytes rounded to 64 KiB pages, defaults", async () => {
    const r = await loadPlan(FULL);
    expect(r.plan!.plugins).toEqual([
      { name: "upper", path: "./plugins/upper.wasm", config: { left: "<", right: ">" }, enabled: true, timeout: 100, memory_limit: 1_048_576, isolation: "in-process", log_level: "warn" },
      { name: "redis", config: {}, enabled: false, timeout: 50, memory_limit: 16 * 1_048_576, isolation: "in-process", log_level: "warn" },
    ]);
    const odd = load(`plugins: [{name: p, memory_limit: 100KB, isolation: sandbox}]\nscenarios:\n  s: {vus: 1, duration: 1s, flow: []}\n`);
    expect(errors(odd).map((d) => [d.path, d.suggestion])).toEqual([["plugins[0].isolation", null]]);
    const ok = load(`plugins: [{name: p, memory_limit: 100KB}]\nscenarios:\n  s: {vus: 1, duration: 1s, flow: []}\n`);
    expect(ok.plan!.plugins[0]!.memory_limit).toBe(131_072);
  });
  test("extractors and conditions keep their YAML shape with defaults filled", async () => {
    const r = await loadPlan(FULL);
    const first = r.plan!.scenarios.browse!.flow[0]!;
    expect("request" in first && first.request.extract.slice(0, 2)).toEqual([
      { type: "jsonpath", name: "item_id", expression: "$.items[0].id", index: "first" },
      { type: "regex", name: "csrf", expression: 'name="csrf" value="([^"]+)"', default: "none", group: 1, index: "first" },
    ]);
    expect("request" in first && first.request.checks).toEqual([
      { type: "status", equals: 200, on_failure: "continue" },
      { type: "duration", max: 500, on_failure: "continue" },
    ]);
  });
  test("TLS versions written as YAML numbers are read as version strings", async () => {
    const r = await loadPlan(FULL);
    expect(r.plan!.defaults.http.tls.min_version).toBe("1.2");
  });
  test("the Plan is structured-cloneable (it is posted to workers)", async () => {
    const r = await loadPlan(FULL);
    expect(structuredClone(r.plan)).toEqual(r.plan!);
  });
  test("control-flow steps are accepted and validated already", () => {
    const r = load(planWithFlow(`      - repeat: {times: 2, steps: [{request: {url: http://x/}}]}
      - if: {condition: "1", then: [], else: [{think_time: {type: constant, duration: 1}}]}
      - random: {choices: [{weight: 2, steps: []}, {steps: [{request: {url: http://y/}}]}]}
      - switch: {value: "\${vu}", cases: {"1": [{request: {url: http://z/}}]}}
      - retry: {steps: []}
      - parallel: {branches: [[{request: {url: http://p/}}]]}
      - rendezvous: {name: r, users: 2}
      - during: {duration: 1s, steps: []}
      - while: {condition: "false", steps: []}
      - js: "1 + 1"
`));
    expect(errors(r)).toEqual([]);
    const flow = r.plan!.scenarios.s!.flow;
    expect(flow[4]).toEqual({ retry: { times: 3, steps: [] } });
    expect(flow[6]).toEqual({ rendezvous: { name: "r", users: 2, timeout: 30_000 } });
    expect(countRequestSteps(flow)).toBe(4);
    const bad = errors(load(planWithFlow(`      - random: {choices: []}
      - parallel: {branches: []}
      - rendezvous: {name: r, users: 0}
      - while: {condition: " ", steps: []}
      - switch: {value: x, cases: {}}
`)));
    expect(bad.map((d) => d.message)).toEqual([
      "`random` needs at least one entry in `choices`",
      "`parallel` needs at least one entry in `branches`",
      "`rendezvous.users` must be at least 1",
      "`condition` cannot be empty",
      "`switch` needs at least one entry in `cases`",
    ]);
  });
  test("data, metrics, js, outputs and observe blocks are validated", () => {
    const r = load(`data:
  users: {type: csv, path: users.csv, delimiter: ";;"}
  rows: {type: inline, rows: []}
metrics:
  orders: {kind: countr}
js: {file: a.js, script: "x"}
outputs:
  - {type: prometheus}
  - {type: influxdb, url: "not a url", database: d}
observe:
  - {type: prometheus, source: http://p, query: up}
scenarios:
  s: {vus: 1, duration: 1s, flow: []}
`);
    expect(errors(r).map((d) => [d.path, d.message])).toEqual([
      ["data.users.delimiter", "`delimiter` must be a single ASCII character"],
      ["data.rows.rows", "inline data has no rows"],
      ["metrics.orders.kind", "unknown variant `countr`, expected one of `counter`, `gauge`, `rate`, `trend`"],
      ["js.script", "`js.file` and `js.script` cannot both be set"],
      ["outputs[0]", "prometheus output needs `listen` and/or `remote_write_url`"],
      ["outputs[1].url", "invalid influxdb `url` `not a url`"],
    ]);
  });
});
