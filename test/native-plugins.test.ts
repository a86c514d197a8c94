/**
 * Native protocol plugins end to end through dist/loadr: the C echo-proto example (reference
 * test contract), routing by scheme / by `protocol:` / from the plugins dir, metric families,
 * `source: extras`, the host-enforced timeout of a blocking plugin, and `error` failing a request.
 */
import { describe, expect, setDefaultTimeout, test, beforeAll } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { buildC, DIST_PLUGINS, EXAMPLES, metric, type SummaryLike } from "./support/native.ts";

setDefaultTimeout(60_000);

let dir: string;
let blocking: string;
beforeAll(() => {
  dir = scratch();
  blocking = buildC(join(EXAMPLES, "native-protocol/echo_proto.c"), join(dir, "libecho_block.so"), ["-DECHO_PROTO_BLOCKING"]);
});

const echoLib = () => join(DIST_PLUGINS, "echo-proto/libecho_proto.so");

async function run(plan: string, extra: string[] = [], env: Record<string, string> = {}) {
  const d = scratch({ "plan.yaml": plan });
  const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json", "-q", ...extra], { cwd: d, env });
  let summary: SummaryLike | undefined;
  try {
    summary = JSON.parse(readFileSync(join(d, "s.json"), "utf8"));
  } catch {
    summary = undefined;
  }
  return { ...r, summary, dir: d };
}

describe("echo-proto (C ABI v1)", () => {
  test("options prefix over config, reversed body, header, extras, metric family", async () => {
    const r = await run(`
plugins:
  - { name: echo-proto, path: ${echoLib()}, config: { prefix: "CFG:" } }
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 20
    flow:
      - request:
          name: opts
          url: "echo-proto://host/path"
          body: "abcdef"
          plugin: { prefix: "PFX:" }
          checks:
            - { type: body_contains, value: "PFX:fedcba" }
            - { type: header, header: x-echo-proto, equals: "1" }
            - { type: jsonpath, source: extras, expression: "$.prefix_applied", equals: true }
            - { name: body is not JSON, type: jsonpath, expression: "$.prefix_applied", exists: false }
          extract:
            - { type: jsonpath, name: applied, source: extras, expression: "$.prefix_applied" }
      - request:
          name: cfg
          url: "echo-proto://host/path"
          body: "xyz"
          checks:
            - { type: body_contains, value: "CFG:zyx" }
            - { type: status, equals: 200 }
`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = r.summary!;
    for (const c of s.checks) expect({ name: c.name, fails: c.fails, passes: c.passes }).toEqual({ name: c.name, fails: 0, passes: 20 });
    expect(s.checks.length).toBe(6);
    expect(metric(s, "echo_proto_reqs")!.count).toBe(40);
    expect(metric(s, "echo_proto_req_duration")!.count).toBe(40);
    expect(metric(s, "http_reqs")).toBeUndefined();
    expect(metric(s, "http_req_failed")!.rate).toBe(0);
    // bytes: request body length sent, decoded response body received (6+3 sent, 10+7 received per iteration)
    expect(metric(s, "data_sent")!.sum).toBe(20 * 9);
    expect(metric(s, "data_received")!.sum).toBe(20 * 17);
    const series = s.snapshot.series.find((x) => x.metric === "echo_proto_reqs" && x.tags.name === "opts")!;
    expect(series.tags.proto).toBe("echo-proto");
    expect(series.tags.status).toBe("200");
  });

  test("the Rust echo-proto-rs honours the same contract", async () => {
    const r = await run(
      `
plugins:
  - { name: echo-proto-rs, config: { prefix: "CFG:" } }
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 10
    flow:
      - request:
          url: "echo-proto-rs://h/"
          body: "abcdef"
          plugin: { prefix: "PFX:" }
          checks:
            - { name: opts, type: body_contains, value: "PFX:fedcba" }
            - { name: header, type: header, header: x-echo-proto, equals: "1" }
            - { name: applied, type: jsonpath, source: extras, expression: "$.prefix_applied", equals: true }
      - request:
          url: "echo-proto-rs://h/"
          body: "xyz"
          checks:
            - { name: cfg, type: body_contains, value: "CFG:zyx" }
`,
      [],
      { LOADR_PLUGINS_DIR: DIST_PLUGINS },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.summary!.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([["applied", 10, 0], ["cfg", 10, 0], ["header", 10, 0], ["opts", 10, 0]]);
    expect(metric(r.summary!, "echo_proto_rs_reqs")!.count).toBe(20);
  });

  test("by name from the plugins dir, routed by `protocol:` as well as by scheme", async () => {
    const r = await run(
      `
plugins:
  - name: echo-proto
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 5
    flow:
      - request: { name: by-scheme, url: "echo-proto://h/", body: "ab", checks: [{ type: body_contains, value: "ba" }] }
      - request: { name: by-name, url: "h/", protocol: echo-proto, body: "cd", checks: [{ type: body_contains, value: "dc" }] }
`,
      [],
      { LOADR_PLUGINS_DIR: DIST_PLUGINS },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(metric(r.summary!, "echo_proto_reqs")!.count).toBe(10);
    expect(r.summary!.checks.every((c) => c.fails === 0 && c.passes === 5)).toBe(true);
  });

  test("an unknown `protocol:` is refused before the run", async () => {
    const r = await run(`
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "h/", protocol: nosuch }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown protocol `nosuch`");
    expect(r.stderr).not.toContain("    at ");
  });
});

describe("a plugin built for the reference C ABI", () => {
  test("cecho (reference contract, default visibility, no `blocking`) loads and runs unchanged", async () => {
    const d = scratch();
    const so = join(d, "libcecho.so");
    const r0 = Bun.spawnSync(["cc", "-O2", "-fPIC", "-shared", "-o", so, join(import.meta.dir, "fixtures/native/cecho.c")], { stderr: "pipe" });
    expect(r0.stderr.toString()).toBe("");
    const r = await run(`
plugins:
  - { name: c-echo, path: ${so} }
scenarios:
  s:
    executor: shared-iterations
    vus: 4
    iterations: 20
    flow:
      - request:
          method: SEND
          url: "cecho://host/path"
          body: "hello-c-abi"
          checks:
            - { name: body, type: body_contains, value: "hello-c-abi" }
            - { name: header, type: header, header: x-cecho, equals: "1" }
            - { name: echoed_by, type: jsonpath, source: extras, expression: "$.echoed_by", equals: "c-echo" }
            - { name: method, type: jsonpath, source: extras, expression: "$.method", equals: "SEND" }
`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.summary!.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([["body", 20, 0], ["echoed_by", 20, 0], ["header", 20, 0], ["method", 20, 0]]);
    expect(metric(r.summary!, "cecho_reqs")!.count).toBe(20);
    expect(metric(r.summary!, "data_sent")!.sum).toBe(20 * 11);
    expect(metric(r.summary!, "data_received")!.sum).toBe(20 * 11);
  });
});

describe("blocking plugins through the executor shim", () => {
  test("64 VUs × 5 ms calls run concurrently off the JS thread", async () => {
    const r = await run(
      `
plugins:
  - { name: eb, path: ${blocking} }
scenarios:
  s:
    executor: constant-vus
    vus: 64
    duration: 2s
    flow:
      - request: { url: "echo-proto-blocking://h/", body: "x", plugin: { sleep_ms: 5 } }
`,
      ["--workers", "1"],
    );
    expect(r.code).toBe(0);
    const n = metric(r.summary!, "echo_proto_blocking_reqs")!.count;
    // serial calls would give at most 2 s / 5 ms = 400; a loaded 2-core CI box still gets thousands
    expect(n).toBeGreaterThan(2000);
    expect(metric(r.summary!, "http_req_failed")!.rate).toBe(0);
  });

  test("the host enforces the request timeout; the late result is discarded", async () => {
    const r = await run(`
plugins:
  - { name: eb, path: ${blocking} }
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 4
    flow:
      - request: { name: slow, url: "echo-proto-blocking://h/", timeout: 100ms, plugin: { sleep_ms: 400 } }
      - request: { name: fast, url: "echo-proto-blocking://h/", body: "ok", checks: [{ type: body_contains, value: "ko" }] }
`);
    expect(r.code).toBe(0);
    const s = r.summary!;
    const slow = s.snapshot.series.filter((x) => x.metric === "echo_proto_blocking_reqs" && x.tags.name === "slow");
    expect(slow.map((x) => [x.tags.error_kind, x.tags.status, x.agg.count])).toEqual([["timeout", "0", 4]]);
    const failed = s.snapshot.series.filter((x) => x.metric === "http_req_failed" && x.tags.name === "slow");
    expect(failed[0]!.agg.rate).toBe(1);
    expect(s.checks[0]!.passes).toBe(4);
  });

  test("a non-null `error` fails the request (http_req_failed), status is informational", async () => {
    const r = await run(`
plugins:
  - { name: echo-proto, path: ${echoLib()} }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { url: "echo-proto://h/", plugin: { fail: "backend said no" } }
`);
    expect(r.code).toBe(0);
    expect(metric(r.summary!, "http_req_failed")!.rate).toBe(1);
    expect(metric(r.summary!, "echo_proto_reqs")!.count).toBe(3);
  });
});
