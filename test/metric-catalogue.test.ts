/**
 * Thresholds on metrics that cannot exist are errors (src/metrics/catalogue.ts,
 * src/run/metric-check.ts): at `loadr validate`, the API's validate(), and run start, with
 * file:line and did-you-mean; a metric only a plugin not yet loaded could record is a warning; a
 * counter that counted nothing observes 0, not "no samples".
 */
import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { builtinRouter, BUILTIN_HANDLER_METRICS } from "../src/protocols/builtins.ts";
import { Aggregator } from "../src/metrics/aggregator.ts";
import { evaluateThreshold } from "../src/metrics/thresholds.ts";
import { parseThreshold } from "../src/plan/thresholds.ts";
import { validationMetricCheck } from "../src/run/metric-check.ts";
import { run as apiRun, validate as apiValidate, LoadrError } from "../src/api.ts";
import { errors, load, warnings } from "./plan-helpers.ts";
import { loadr, scratch } from "./support/cli.ts";
import { ECHO_HEADER } from "./support/run-plan.ts";

const EXAMPLES = resolve(import.meta.dir, "../plugins/examples");
const emptyPluginsDir = () => mkdtempSync(join(tmpdir(), "loadr-plugins-"));
const check = (yaml: string) => load(yaml, { checks: validationMetricCheck({ baseDir: ".", pluginsDir: emptyPluginsDir() }) });
const SCENARIO = "scenarios:\n  s: {vus: 1, duration: 1s, flow: []}\n";

describe("the catalogue at validate", () => {
  test("a misspelled built-in is an error at the key, with did-you-mean", () => {
    const r = check(`thresholds:\n  http_req_duraton: p(95) < 500\n${SCENARIO}`);
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        severity: "error",
        path: "thresholds.http_req_duraton",
        message: "unknown metric `http_req_duraton` in threshold: nothing in this run records it (declare a custom metric under `metrics:` or in the `js:` module's init code)",
        line: 2,
        column: 3,
        suggestion: "did you mean `http_req_duration`?",
      },
    ]);
  });

  test("engine, HTTP handler, `metrics:`, tagged selectors and observe series are known; tag keys stay open", () => {
    const r = check(`metrics: {orders: {kind: counter}}
observe: [{type: prometheus, source: "http://127.0.0.1:9090", query: up, as: node_up}]
thresholds:
  http_req_duration{name:login,anytag:x}: p(95) < 500
  http_req_tls_handshaking: max < 1s
  iterations: count > 0
  vu_exceptions: count == 0
  dropped_iterations: count < 1
  checks: rate > 0.9
  data_received: count > 0
  orders: count > 1
  node_up: value > 0
${SCENARIO}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan).toBeDefined();
  });

  test("every protocol metric of the reference's registry has a handler now; a name none records is an error", () => {
    const r = check(`thresholds:\n  ws_connecting: avg < 1\n  tcp_req_duration: p(95) < 1\n  grpc_req_duration: p(95) < 1\n  grpc_streams: count > 0\n  graphql_reqs: count > 0\n  udp_reqs: count > 0\n  browser_reqs: count > 0\n${SCENARIO}`);
    // gRPC, GraphQL, WebSocket, TCP and UDP are served (src/protocols/): their metrics may be named
    expect(errors(r).map((d) => d.path)).toEqual(["thresholds.browser_reqs"]);
    expect(errors(r)[0]!.message).toContain("nothing in this run records it");
  });

  test("a protocol plugin's family comes from its manifest; plugin_* needs a WASM plugin", () => {
    const plugins = `plugins:
  - {name: ep, path: ${join(EXAMPLES, "native-protocol")}}
`;
    const ok = check(`${plugins}thresholds:\n  echo_proto_reqs: count > 0\n  echo_proto_req_duration: p(99) < 5\n  echo_proto_msgs: count >= 0\n${SCENARIO}`);
    expect(ok.diagnostics).toEqual([]);
    const bad = check(`${plugins}thresholds:\n  ep_reqs: count > 0\n  plugin_call_duration: p(99) < 5\n${SCENARIO}`);
    expect(errors(bad).map((d) => [d.path, d.suggestion])).toEqual([
      ["thresholds.ep_reqs", "did you mean `echo_proto_reqs`? (plugin `ep`'s metrics are named after its library, `echo-proto`)"],
      // the SSE handler records plugin_req_duration (the reference's family for SSE)
      ["thresholds.plugin_call_duration", "did you mean `plugin_req_duration`?"],
    ]);
    const wasm = check(`plugins:\n  - {name: up, path: ${join(EXAMPLES, "wasm-extractor")}}\nthresholds:\n  plugin_call_duration: p(99) < 5\n  plugin_errors: count < 1\n${SCENARIO}`);
    expect(wasm.diagnostics).toEqual([]);
  });

  test("a plugin validate cannot place makes its possible metrics warnings, not errors", () => {
    const r = check(`plugins: [{name: notinstalled}]
thresholds:
  mystery_reqs: count > 0
  mystery_req_duration: p(95) < 5
  mystery_total: count > 0
${SCENARIO}`);
    expect(warnings(r).map((d) => [d.path, d.message])).toEqual([
      ["thresholds.mystery_reqs", "metric `mystery_reqs` is not known before plugin `notinstalled` loads; `loadr run` checks it then"],
      ["thresholds.mystery_req_duration", "metric `mystery_req_duration` is not known before plugin `notinstalled` loads; `loadr run` checks it then"],
    ]);
    expect(errors(r).map((d) => d.path)).toEqual(["thresholds.mystery_total"]);
  });

  test("an aggregation that never has a value for the metric's kind warns", () => {
    const r = check(`metrics: {orders: {kind: counter}}\nthresholds:\n  http_req_failed: [avg < 0.1, rate < 0.1]\n  orders: p(95) < 3\n${SCENARIO}`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r).map((d) => d.message)).toEqual([
      "`avg < 0.1`: `avg` has no value for a rate metric, so this threshold always passes (use rate, count)",
      "`p(95) < 3`: `p(N)` has no value for a counter metric, so this threshold always passes (use count, rate)",
    ]);
  });

  test("every built-in handler's declared metrics are in the catalogue's list", () => {
    const listed = new Map(BUILTIN_HANDLER_METRICS.map((h) => [h.handler, [...h.metrics].sort()]));
    for (const { handler } of builtinRouter({} as never).handlers) expect(listed.get(handler.name)).toEqual([...handler.metrics].sort());
  });
});

describe("a counter without samples", () => {
  test("observes 0 when the run knows its kind, and still 'no samples' when it does not", () => {
    const agg = new Aggregator(0);
    const spec = parseThreshold("dropped_iterations", { threshold: "count < 1", abort_on_fail: false, delay_abort_eval: 0 });
    expect(evaluateThreshold({ ...spec, kind: "counter" }, agg, 1000)).toMatchObject({ observed: 0, passed: true, unit: "count" });
    expect(evaluateThreshold(spec, agg, 1000)).toMatchObject({ observed: null, passed: true, unit: "" });
    const more = parseThreshold("orders", { threshold: "count > 0", abort_on_fail: false, delay_abort_eval: 0 });
    expect(evaluateThreshold({ ...more, kind: "counter" }, agg, 1000)).toMatchObject({ observed: 0, passed: false });
  });
});

describe("through dist/loadr and the API", () => {
  const TYPO = `${ECHO_HEADER}
thresholds:
  http_req_duration: p(95) < 500
  http_req_duraton: p(95) < 500
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: {url: /get}
`;

  test("loadr validate exits 1 with file:line and did-you-mean", async () => {
    const dir = scratch({ "plan.yaml": TYPO });
    const r = await loadr(["validate", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plan.yaml: error at line 9, column 3 (thresholds.http_req_duraton): unknown metric `http_req_duraton` in threshold");
    expect(r.stderr).toContain("did you mean `http_req_duration`?");
  });

  test("loadr run refuses before any load: one error line, no summary", async () => {
    const dir = scratch({ "plan.yaml": TYPO });
    const r = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "error: plan.yaml:9:3 (thresholds.http_req_duraton): unknown metric `http_req_duraton` in threshold: nothing in this run records it (declare a custom metric under `metrics:` or in the `js:` module's init code) — did you mean `http_req_duration`?",
    ]);
  });

  test("a protocol plugin loaded without a manifest: validate warns, run knows its family from the library", async () => {
    const dir = scratch();
    copyFileSync(join(EXAMPLES, "native-protocol/libecho_proto.so"), join(dir, "libecho_proto.so"));
    Bun.write(
      join(dir, "plan.yaml"),
      `plugins: [{name: ep, path: ./libecho_proto.so}]
thresholds:
  echo_proto_reqs: count == 2
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 2
    flow:
      - request: {url: "echo-proto://x/", body: hi}
`,
    );
    const v = await loadr(["validate", "plan.yaml"], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.stderr).toContain("warning at line 3, column 3 (thresholds.echo_proto_reqs): metric `echo_proto_reqs` is not known before plugin `ep` loads");
    const r = await loadr(["run", "plan.yaml", "-q"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("✓ echo_proto_reqs: count == 2 (observed: 2)");
    expect(r.code).toBe(0);
  });

  test("the API: validate() returns the error, run() rejects before any load", async () => {
    const plan = Bun.YAML.parse(TYPO) as Record<string, unknown>;
    const v = await apiValidate(plan);
    expect(v.valid).toBe(false);
    expect(v.diagnostics.map((d) => [d.severity, d.path, d.suggestion])).toEqual([["error", "thresholds.http_req_duraton", "did you mean `http_req_duration`?"]]);
    const err = await apiRun(plan, { workers: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadrError);
    expect((err as Error).message).toStartWith("(thresholds.http_req_duraton): unknown metric `http_req_duraton` in threshold");
  });
});
