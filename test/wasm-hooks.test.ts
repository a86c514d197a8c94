/**
 * WASM hooks (wit/0.2/loadr.wit) end to end through dist/loadr against the echo target: the three
 * examples as `bun run build` put them in dist/plugins (HMAC signing in C, token minting in
 * JavaScript with shared data, the on-log custom trend), then every hook behaviour with the test
 * fixture (test/fixtures/wasm/hooks.c): priority, scoping, the synthetic short-circuit, rewrites,
 * VU variables, shared data across workers, host metrics, grants both ways, the memory warning,
 * and each kind of bad input — a counted `plugin_errors` and a cleanly failed request, or one
 * plan error before any load.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { runPlan, type PlanRun } from "./support/run-plan.ts";

setDefaultTimeout(120_000);

const root = resolve(import.meta.dir, "..");
const PLUGINS = join(root, "dist/plugins");
const HOOKS = join(root, "test/fixtures/wasm/hooks.wasm");
const UPPER = join(root, "plugins/examples/wasm-extractor/loadr_wasm_extractor.wasm");
// one transpile cache for the file: the first run of a component transpiles it, the rest hit the cache
const CACHE = scratch();
const env = { LOADR_CACHE_DIR: CACHE };
const pluginsDir = ["--plugins-dir", PLUGINS];

beforeAll(() => {
  for (const p of ["hmac-sign", "token-mint", "route-timing"])
    if (!existsSync(join(PLUGINS, p, "plugin.toml"))) throw new Error(`dist/plugins/${p} is missing: run \`bun run build\``);
});

const ECHO = `
  - name: echo
defaults:
  http:
    base_url: \${services.echo.url}`;

const check = (r: PlanRun, name: string) => (r.summary.checks as { name: string; passes: number; fails: number }[]).find((c) => c.name === name);
/** every `"<key>": "<value>"` in the text (the echo target's JSON, as --http-debug=full prints it) */
const jsonValues = (text: string, key: string) => [...text.matchAll(new RegExp(`"${key}":\\s*"([^"]*)"`, "g"))].map((m) => m[1]!);

describe("the examples from dist/loadr", () => {
  test("hmac-sign signs each request, and the echo target receives the signature", async () => {
    const plan = `plugins:
  - name: hmac-sign
    config: { secret: s3cret }${ECHO}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - request: { method: POST, url: "/echo?q=1", body: "hello hooks" }
`;
    const run = await runPlan(plan, {}, ["-q", "--http-debug=full", ...pluginsDir], env);
    expect(run.code).toBe(0);
    const url = /> POST (\S+)/.exec(run.stderr)![1]!;
    const want = createHmac("sha256", "s3cret").update(`POST\n${url}\nhello hooks`).digest("hex");
    // the request as sent, and the echo target's view of it
    expect(run.stderr.match(/> x-signature: (\S+)/g)).toEqual([`> x-signature: ${want}`, `> x-signature: ${want}`]);
    expect(jsonValues(run.stderr, "x-signature")).toEqual([want, want]);
    expect(run.count("plugin_call_duration", { plugin: "hmac-sign", phase: "on-request" })).toBe(2);
    expect(run.sum("plugin_errors")).toBe(0);
  });

  test("hmac-sign signs what each request carries when URL and body change from one request to the next", async () => {
    const plan = `plugins:
  - name: hmac-sign
    config: { secret: s3cret }${ECHO}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { method: POST, url: "/echo?i=\${iteration}", body: "body \${iteration}" }
      - request: { method: POST, url: "/echo?i=\${iteration}", body: "body \${iteration}" }
`;
    const run = await runPlan(plan, {}, ["-q", "--http-debug=full", ...pluginsDir], env);
    expect(run.code).toBe(0);
    const urls = [...run.stderr.matchAll(/> POST (\S+)/g)].map((m) => m[1]!);
    expect(new Set(urls).size).toBe(3);
    const want = urls.map((u) => createHmac("sha256", "s3cret").update(`POST\n${u}\nbody ${/i=(\d+)/.exec(u)![1]}`).digest("hex"));
    expect([...run.stderr.matchAll(/> x-signature: (\S+)/g)].map((m) => m[1])).toEqual(want);
  });

  test("hmac-sign reads its key from an environment variable only when the plan grants it", async () => {
    const plan = (grant: string) => `plugins:
  - name: hmac-sign
    config: { secret_env: HMAC_KEY }${grant}${ECHO}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { url: /echo }
`;
    const granted = await runPlan(plan("\n    capabilities: { env: [HMAC_KEY] }"), {}, ["-q", "--http-debug=full", ...pluginsDir], { ...env, HMAC_KEY: "from-env" });
    expect(granted.code).toBe(0);
    const url = /> GET (\S+)/.exec(granted.stderr)![1]!;
    expect(jsonValues(granted.stderr, "x-signature")[0]).toBe(createHmac("sha256", "from-env").update(`GET\n${url}\n`).digest("hex"));
    // not granted: the plugin sees no environment, so it answers every request itself (599), sending nothing
    const denied = await runPlan(plan(""), {}, ["-q", ...pluginsDir], { ...env, HMAC_KEY: "from-env" });
    expect(denied.code).toBe(0);
    expect(denied.count("http_reqs", { synthetic: "true", status: "599" })).toBe(3);
    expect(denied.count("http_reqs")).toBe(3);
  });

  test("token-mint: one token for the whole run, shared by both workers; without the clock grant each call fails cleanly", async () => {
    const plan = (grant: string, iterations = 24) => `plugins:
  - name: tok
    path: ${join(PLUGINS, "token-mint")}
    config: { user: alice }
    timeout: 2s${grant}${ECHO}
scenarios:
  s:
    executor: shared-iterations
    vus: 4
    iterations: ${iterations}
    flow:
      - request:
          url: /demo/me
          checks:
            - { type: body_matches, name: minted user, pattern: '"username":"alice/[0-9]+"' }
`;
    const r = await runPlan(plan("\n    capabilities: { clock: true }"), {}, ["-q", "--workers", "2", "--http-debug=full"], env);
    expect(r.code).toBe(0);
    expect(check(r, "minted user")).toMatchObject({ passes: 24, fails: 0 });
    // minted once for both workers (the other worker found it in shared data), counted by the plugin's own metric
    expect(r.sum("token_mints", { plugin: "tok" })).toBe(1);
    expect(new Set(jsonValues(r.stderr, "username")).size).toBe(1);

    // each failed call drops its instance (a QuickJS one takes ~30 ms to make again): a few requests
    const d = await runPlan(plan("", 6), {}, ["-q", "--workers", "2"], env);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("plugin `tok` used wasi:clocks/wall-clock without the `clock` grant; add `capabilities: {clock: true}` to its `plugins:` entry");
    expect(d.sum("plugin_errors", { plugin: "tok", error: "capability", phase: "on-request" })).toBe(6);
    expect(d.count("http_reqs", { error_kind: "hook" })).toBe(6);
    expect(d.sum("token_mints")).toBe(0);
  });

  test("route-timing: a custom trend per route from on-log; thresholds use it, and validate knows it from the manifest", async () => {
    const plan = (metric: string) => `plugins:
  - name: route-timing${ECHO}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    flow:
      - request: { url: /echo }
      - request: { url: /json }
      - request: { url: /status/500 }
thresholds:
  "${metric}{route:/echo}": ["count == 6"]
  "${metric}{route:/json}": ["count == 6", "max < 10000"]
`;
    const r = await runPlan(plan("route_duration"), {}, ["-q", ...pluginsDir], env);
    expect(r.code).toBe(0);
    expect(r.summary.thresholds_passed).toBe(true);
    expect(r.count("route_duration", { route: "/echo", plugin: "route-timing" })).toBe(6);
    expect(r.count("route_duration", { route: "/status" })).toBe(0); // failed requests are left out
    expect(r.count("plugin_call_duration", { plugin: "route-timing", phase: "on-log" })).toBe(18);
    const dir = scratch({ "ok.yaml": plan("route_duration"), "typo.yaml": plan("route_durations") });
    expect((await loadr(["validate", join(dir, "ok.yaml"), ...pluginsDir])).code).toBe(0);
    const bad = await loadr(["validate", join(dir, "typo.yaml"), ...pluginsDir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain("unknown metric `route_durations` in threshold");
    expect(bad.stdout + bad.stderr).toContain("or in a WASM plugin manifest's `[metrics]`"); // where it could be declared, this plan having WASM plugins
    expect(bad.stdout + bad.stderr).toContain("did you mean `route_duration`?");
  });

  test("0.1 and 0.2 plugins in one plan: the committed 0.1 extractor runs beside a hook", async () => {
    const r = await runPlan(
      `plugins:
  - { name: upper, path: ${UPPER}, config: { left: '"token":"', right: '"' } }
  - { name: signer, path: ${HOOKS}, config: { request: sign } }${ECHO}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - request:
          url: /json
          extract: [{ type: plugin, name: token, plugin: upper }]
      - request:
          url: "/echo?t=\${token}"
          checks: [{ type: body_matches, name: extracted, pattern: '"t":"TOK-123"' }]
`,
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    expect(check(r, "extracted")).toMatchObject({ passes: 2, fails: 0 });
    expect(r.count("plugin_call_duration", { plugin: "upper", kind: "extractor", phase: "extract" })).toBe(2);
    expect(r.count("plugin_call_duration", { plugin: "signer", kind: "hook", phase: "on-request" })).toBe(4);
  });
});

/** A plan with fixture hooks (`entries` under `plugins:`) and one scenario of `flow`, as YAML text. */
function fixturePlan(entries: string, flow: string, scenario = "    executor: per-vu-iterations\n    vus: 1\n    iterations: 2\n", extra = ""): string {
  return `plugins:
${entries.replaceAll("HOOKS", HOOKS)}${ECHO}
scenarios:
  s:
${scenario}    flow:
${flow}${extra}`;
}

describe("hooks (the test fixture)", () => {
  test("priority orders the hooks, a synthetic answer short-circuits the rest, scenario and request lists choose them", async () => {
    const entries = `  - { name: signer, path: HOOKS, config: { request: sign, response: vars }, priority: 1 }
  - { name: answerer, path: HOOKS, config: { request: respond }, phase: on_request_headers, priority: 10 }`;
    const plan = `plugins:
${entries.replaceAll("HOOKS", HOOKS)}${ECHO}
scenarios:
  a:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - request:
          url: /echo
          checks:
            - { type: status, name: answered, equals: 299 }
            - { type: body_contains, name: answer body, value: answered by the hook }
      - request:
          url: /echo
          hooks: [signer]
          checks:
            - { type: body_matches, name: signed, pattern: '"x-hook":"GET [0-9]+/[0-9]+/a"' }
            - { type: body_matches, name: var from on-response, pattern: '"x-hook-var":"(299|200)"' }
  b:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    plugins: []
    flow:
      - request:
          url: /echo
          checks:
            - { type: body_contains, name: untouched, value: x-hook, negate: true }
`;
    const r = await runPlan(plan, {}, ["-q"], env);
    expect(r.code).toBe(0);
    for (const name of ["answered", "answer body", "signed", "var from on-response", "untouched"]) expect(check(r, name)).toMatchObject({ passes: 2, fails: 0 });
    // the answerer (priority 10) ran first and answered: nothing was sent, and the signer never saw those requests
    expect(r.count("http_reqs", { synthetic: "true", scenario: "a" })).toBe(2);
    expect(r.count("plugin_call_duration", { plugin: "signer", phase: "on-request" })).toBe(2);
    expect(r.count("plugin_call_duration", { plugin: "answerer" })).toBe(2); // its phase list is on-request only
    expect(r.count("plugin_call_duration", { scenario: "b" })).toBe(0);
  });

  test("on-request rewrites method, URL, body and headers; the echo target sees the rewritten request", async () => {
    const r = await runPlan(
      fixturePlan(
        "  - { name: rw, path: HOOKS, config: { request: rewrite, method: put, url: /echo } }",
        `      - request:
          url: /json
          headers: { X-Remove-Me: "1", X-Keep: "2" }
          checks:
            - { type: jsonpath, name: method, expression: "$.method", equals: PUT }
            - { type: jsonpath, name: path, expression: "$.path", equals: /echo }
            - { type: jsonpath, name: body, expression: "$.body", equals: hooked body }
            - { type: jsonpath, name: removed, expression: "$.headers['x-remove-me']", exists: false }
            - { type: jsonpath, name: kept, expression: "$.headers['x-keep']", equals: "2" }
`,
      ),
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    for (const name of ["method", "path", "body", "removed", "kept"]) expect(check(r, name)).toMatchObject({ passes: 2, fails: 0 });
    expect(r.count("http_reqs", { method: "PUT" })).toBe(2); // a changed method shows in the method tag
  });

  test("other protocols: a TCP exchange's payload (the request body) is what the hook made it; on-response and on-log run too", async () => {
    const r = await runPlan(
      fixturePlan(
        "  - { name: rw, path: HOOKS, config: { request: rewrite, response: vars, log: trend } }",
        `      - request:
          url: \${services.echo.tcp_url}
          body: the plan's payload
          checks:
            - { type: body_contains, name: hooked payload echoed, value: hooked body }
            - { type: body_contains, name: plan payload gone, value: "plan's payload", negate: true }
`,
      ),
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    for (const name of ["hooked payload echoed", "plan payload gone"]) expect(check(r, name)).toMatchObject({ passes: 2, fails: 0 });
    expect(r.count("tcp_reqs")).toBe(2);
    for (const phase of ["on-request", "on-response", "on-log"]) expect(r.count("plugin_call_duration", { plugin: "rw", phase })).toBe(2);
    expect(r.count("plugin_errors")).toBe(0);
  });

  test("other protocols: a hook on a WebSocket session (the sign mode: a header on the handshake) runs each phase once; the frames go as planned", async () => {
    const r = await runPlan(
      fixturePlan(
        "  - { name: signer, path: HOOKS, config: { request: sign, response: vars, log: trend } }",
        `      - request:
          url: \${services.echo.ws_url}
          ws: { send: [hello from the plan], receive_count: 1 }
          checks: [{ type: body_contains, name: echoed frame, value: hello from the plan }]
`,
      ),
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    expect(check(r, "echoed frame")).toMatchObject({ passes: 2, fails: 0 });
    expect(r.count("ws_msgs_sent")).toBe(2);
    for (const phase of ["on-request", "on-response", "on-log"]) expect(r.count("plugin_call_duration", { plugin: "signer", phase })).toBe(2);
    expect(r.count("plugin_errors")).toBe(0);
  });

  test("other protocols: a WebSocket session's first message is the request body, and a hook's new body is sent in its place", async () => {
    const r = await runPlan(
      fixturePlan(
        "  - { name: rw, path: HOOKS, config: { request: rewrite } }",
        `      - request:
          url: \${services.echo.ws_url}
          ws: { send: [the plan's first message, the second as planned], receive_count: 2 }
          checks:
            - { type: body_contains, name: second frame as planned, value: the second as planned }
      - request:
          url: \${services.echo.ws_url}
          ws: { send: [the plan's only message], receive_count: 1 }
          checks:
            - { type: body_contains, name: hooked first message echoed, value: hooked body }
`,
      ),
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    for (const name of ["second frame as planned", "hooked first message echoed"]) expect(check(r, name)).toMatchObject({ passes: 2, fails: 0 });
    // what left: 2 + 1 frames per iteration, the first of each session the hook's 11 bytes
    expect(r.count("ws_msgs_sent")).toBe(6);
    expect(r.count("plugin_errors")).toBe(0);
  });

  test("shared data: both workers' compare-and-swap increments are each seen once", async () => {
    const r = await runPlan(
      fixturePlan(
        "  - { name: counter, path: HOOKS, config: { request: shared } }",
        "      - request: { url: /status/204 }\n",
        "    executor: shared-iterations\n    vus: 6\n    iterations: 60\n",
      ),
      {},
      ["-q", "--workers", "2", "--http-debug"],
      env,
    );
    expect(r.code).toBe(0);
    const seen = [...r.stderr.matchAll(/> x-shared: (\d+)/g)].map((m) => Number(m[1]));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  test("host metrics: in the summary, tagged plugin; declared ones usable in thresholds; undeclared warned; a built-in name refused", async () => {
    // a plugin directory: the fixture with a manifest declaring what `metrics` records
    const dir = scratch();
    mkdirSync(join(dir, "metered"));
    copyFileSync(HOOKS, join(dir, "metered/hooks.wasm"));
    writeFileSync(
      join(dir, "metered/plugin.toml"),
      `[plugin]\nname = "metered"\nversion = "0.0.1"\nkind = "hook"\ntype = "wasm"\nentry = "hooks.wasm"\n\n[metrics]\nhook_calls = { kind = "counter" }\nhook_size = { kind = "trend" }\nhook_ok = { kind = "rate" }\nhook_gauge = { kind = "gauge" }\n`,
    );
    const entries = `  - { name: metered, path: ${join(dir, "metered")}, config: { request: metrics, route: r1 } }
  - { name: loose, path: HOOKS, config: { request: undeclared } }
  - { name: shadow, path: HOOKS, config: { request: shadow } }`;
    const r = await runPlan(
      fixturePlan(
        entries,
        `      - request: { url: /echo, body: "12345", method: POST, hooks: [metered] }
      - request: { url: /echo, hooks: [loose] }
      - request: { url: /echo, hooks: [shadow] }
`,
        undefined,
        `thresholds:
  "hook_calls{route:r1}": ["count == 2"]
  "hook_size": ["max == 5"]
  "hook_ok": ["rate == 1"]
  "hook_gauge": ["value == 7"]
`,
      ),
      {},
      ["-q"],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.summary.thresholds_passed).toBe(true);
    expect(r.sum("hook_calls", { plugin: "metered", route: "r1" })).toBe(2);
    expect(r.sum("not_in_manifest", { plugin: "loose" })).toBe(2);
    expect(r.stderr).toContain("plugin `loose` records `not_in_manifest` (counter), which its manifest does not declare under [metrics]");
    expect(r.sum("plugin_errors", { plugin: "shadow", error: "invalid", phase: "on-request" })).toBe(2);
    expect(r.stdout).toContain("hook `shadow` failed in before-send: plugin `shadow`: `http_reqs` is a built-in metric's name"); // the failures table
    expect(r.sum("http_reqs", { plugin: "shadow" })).toBe(0);
  });
});

describe("grants", () => {
  test("env: the allow-listed variables only, and none without the grant", async () => {
    const plan = (grant: string) =>
      fixturePlan(
        `  - { name: e, path: HOOKS, config: { request: env, env_name: HOOK_SECRET }${grant} }`,
        "      - request:\n          url: /echo\n          checks: [{ type: jsonpath, name: seen, expression: \"$.headers['x-env']\", equals: shh }]\n",
      );
    const granted = await runPlan(plan(", capabilities: { env: [HOOK_SECRET] }"), {}, ["-q"], { ...env, HOOK_SECRET: "shh", OTHER: "x" });
    expect(check(granted, "seen")).toMatchObject({ passes: 2, fails: 0 });
    const denied = await runPlan(plan(", capabilities: { env: [OTHER] }"), {}, ["-q"], { ...env, HOOK_SECRET: "shh", OTHER: "x" });
    expect(check(denied, "seen")).toMatchObject({ passes: 0, fails: 2 });
  });

  test("files: a granted directory, read-only, relative to the plan; nothing without the grant", async () => {
    const plan = (grant: string) =>
      fixturePlan(
        `  - { name: f, path: HOOKS, config: { request: file, file: fixtures/token.txt }${grant} }`,
        "      - request:\n          url: /echo\n          checks: [{ type: jsonpath, name: read, expression: \"$.headers['x-file']\", equals: from-the-file }]\n",
      );
    // the plan's directory holds fixtures/token.txt; the run starts elsewhere (paths are the plan's)
    const dir = scratch();
    mkdirSync(join(dir, "fixtures"));
    writeFileSync(join(dir, "fixtures/token.txt"), "from-the-file\nsecond line\n");
    writeFileSync(join(dir, "granted.yaml"), plan(", capabilities: { files: [{ path: fixtures, mode: ro }] }"));
    writeFileSync(join(dir, "denied.yaml"), plan(""));
    const g = await loadr(["run", join(dir, "granted.yaml"), "-q", "--summary-export", join(dir, "g.json")], { env });
    expect(g.code).toBe(0);
    const summary = (f: string) => JSON.parse(readFileSync(join(dir, f), "utf8"));
    const c = (s: any, n: string) => s.checks.find((x: any) => x.name === n);
    expect(c(summary("g.json"), "read")).toMatchObject({ passes: 2, fails: 0 });
    const d = await loadr(["run", join(dir, "denied.yaml"), "-q", "--summary-export", join(dir, "d.json")], { env });
    expect(d.code).toBe(0);
    expect(c(summary("d.json"), "read")).toMatchObject({ passes: 0, fails: 2 });
  });
});

describe("bad input", () => {
  test("each misbehaving hook fails its requests cleanly, counted in plugin_errors by kind and phase; the run goes on", async () => {
    const bad = {
      "bad-header": "invalid",
      "bad-url": "invalid",
      "bad-utf8-url": "invalid",
      spin: "timeout",
      trap: "trap",
      hog: "memory",
      clock: "capability",
    } as const;
    const entries = Object.keys(bad)
      .map((m) => `  - { name: ${m}, path: HOOKS, config: { request: ${m} }, timeout: 30ms${m === "hog" ? ", memory_limit: 2MB" : ""} }`)
      .join("\n");
    const flow = Object.keys(bad).map((m) => `      - request: { url: /echo, name: ${m}, hooks: [${m}] }\n`).join("") +
      `      - request: { url: /echo, name: refused, hooks: [says-no] }
      - request: { url: /echo, name: fine, hooks: [] }
`;
    const r = await runPlan(
      fixturePlan(entries + "\n  - { name: says-no, path: HOOKS, config: { response: fail }, phase: on-response }", flow, "    executor: per-vu-iterations\n    vus: 1\n    iterations: 3\n"),
      {},
      [], // not quiet: each failed request's reason is a warning line on stderr
      env,
    );
    expect(r.code).toBe(0);
    for (const [name, kind] of Object.entries(bad)) {
      expect(r.sum("plugin_errors", { plugin: name, error: kind, phase: "on-request" })).toBe(3);
      expect(r.count("http_reqs", { name, error_kind: "hook" })).toBe(3);
    }
    // a `fail` from on-response fails the request with the plugin's reason: not a plugin error
    expect(r.count("http_req_failed", { name: "refused" })).toBe(3);
    expect(r.sum("plugin_errors", { plugin: "says-no" })).toBe(0);
    expect(r.stderr).toContain("hook `says-no` failed in after-response: hook says no to 200");
    expect(r.count("http_reqs", { name: "fine", status: "200" })).toBe(3);
    expect(r.stderr).toContain("plugin `bad-header` returned an invalid request: header name `bad header` is not a token");
    expect(r.stderr).toContain("plugin `bad-url` returned an invalid request: URL `::no url` does not parse");
    expect(r.stderr).toContain("plugin `bad-utf8-url` returned invalid UTF-8");
    expect(r.stderr).toContain("plugin `spin` timed out after 30 ms");
    expect(r.stderr).toContain("plugin `hog` ran out of memory (memory_limit 2 MiB)");
  });

  test("plan errors, before any load: a priority that is not an integer, two entries with one name, an unknown phase, unknown names in hook lists", async () => {
    const plan = `plugins:
  - { name: h, path: ${HOOKS}, priority: 1.5 }
  - { name: h, path: ${HOOKS}, phase: on_reqest }${ECHO}
scenarios:
  s:
    vus: 1
    duration: 1s
    plugins: [hh]
    flow:
      - request: { url: /echo, hooks: [nope] }
`;
    const dir = scratch({ "plan.yaml": plan });
    for (const cmd of ["validate", "run"]) {
      const r = await loadr([cmd, join(dir, "plan.yaml")], { env });
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toContain("(plugins[0].priority): invalid type: floating point `1.5`, expected an integer");
      expect(out).toContain("(plugins[1].phase): unknown phase `on_reqest`");
    }
    const semantic = scratch({ "plan.yaml": plan.replace("priority: 1.5", "priority: 2").replace(", phase: on_reqest", "") });
    const v = await loadr(["validate", join(semantic, "plan.yaml")], { env });
    expect(v.code).toBe(1);
    expect(v.stdout + v.stderr).toContain("(plugins[1].name): a second `plugins:` entry named `h`; entry names must be unique");
    expect(v.stdout + v.stderr).toContain("(scenarios.s.plugins[0]): unknown plugin `hh`; hook lists name `plugins:` entries");
    expect(v.stdout + v.stderr).toContain("(scenarios.s.flow[0].request.hooks[0]): unknown plugin `nope`");
  });

  test("a phase the component does not export, and an extractor given a phase, are refused at run start", async () => {
    const upper = `  - { name: u, path: ${UPPER}, phase: on-log }`;
    const r1 = await runPlan(fixturePlan(upper, "      - request: { url: /echo }\n"), {}, ["-q"], env);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain("plugin `u`: `phase` and `priority` apply to hooks; `u` is an extractor");
    const hmac = `  - { name: s, path: ${join(PLUGINS, "hmac-sign")}, phase: on-log }`;
    const r2 = await runPlan(fixturePlan(hmac, "      - request: { url: /echo }\n"), {}, ["-q"], env);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("plugin `s`: phase `on-log` needs the plugin to export loadr:plugin/log-hook@0.2.0; it exports the phases on-request");
  });
});

describe("memory", () => {
  test("a plugin that starts near its memory_limit gets a warning naming the limit to set", async () => {
    const r = await runPlan(fixturePlan(`  - { name: tight, path: HOOKS, memory_limit: 320KB }`, "      - request: { url: /echo }\n"), {}, ["-q"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "plugin `tight` starts with 0.25 MiB of memory, above 3/4 of its memory_limit (0.31 MiB): it would be started again after every call; set `memory_limit: 1MB` on its `plugins:` entry",
    );
  });
});

describe("loadr plugin info", () => {
  test("shows what a WASM plugin imports, and with --plan what the plan grants it", async () => {
    const dir = scratch({
      "plan.yaml": `plugins:\n  - { name: tok, path: ${join(PLUGINS, "token-mint")}, capabilities: { clock: true, env: [A, B] } }\nscenarios:\n  s: { vus: 1, duration: 1s, flow: [] }\n`,
    });
    const r = await loadr(["plugin", "info", join(PLUGINS, "token-mint"), "--plan", join(dir, "plan.yaml")], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("imports: loadr:plugin/host@0.2.0");
    expect(r.stdout).toMatch(/imports: .*wasi:clocks\/wall-clock/);
    expect(r.stdout).toContain("grants (tok in plan.yaml): clock, env: A, B");
    const plain = await loadr(["plugin", "info", join(PLUGINS, "hmac-sign")], { env });
    expect(plain.stdout).toContain("grants: none (deny by default; give `--plan` to see a plan's)");
  });
});
