/**
 * WASM plugins end to end through dist/loadr against the echo target: the example plugins by
 * name from a plugins directory (dist/plugins, as `bun run build` lays it out), a plugin by
 * path relative to the plan, the hostile fixture contained with the right `plugin_errors`,
 * refusals with the reference's messages, and the binary alone in a directory with no HOME.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LOADR, loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(120_000);

const root = resolve(import.meta.dir, "..");
const PLUGINS = join(root, "dist/plugins");
const HOSTILE = join(root, "test/fixtures/wasm/hostile.wasm");
// one cache for the file: the first run transpiles, the others hit the cache
const CACHE = scratch();
const env = { LOADR_CACHE_DIR: CACHE };

type Summary = {
  metrics: { metric: string; kind: string; agg: Record<string, number | null> }[];
  checks: { name: string; passes: number; fails: number }[];
  thresholds: { metric: string; expression: string; observed: number | null; passed: boolean }[];
  thresholds_passed: boolean;
};
const metric = (s: Summary, name: string) => s.metrics.find((m) => m.metric === name)?.agg;
const check = (s: Summary, name: string) => s.checks.find((c) => c.name === name);

beforeAll(() => {
  for (const p of ["upper-boundary", "max-body-size"]) {
    if (!existsSync(join(PLUGINS, p, "plugin.toml"))) throw new Error(`dist/plugins/${p} is missing: run \`bun run build\``);
  }
});

const examplesPlan = `
name: wasm examples
plugins:
  - name: echo
  - name: upper-boundary
    config: { left: '"token":"', right: '"' }
  - name: max-body-size
    config: { max_body_bytes: 4096 }
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: shared-iterations
    vus: 4
    iterations: 40
    flow:
      - request:
          url: /json
          extract:
            - { type: plugin, name: token, plugin: upper-boundary }
            - { type: plugin, name: missing, plugin: upper-boundary, config: { left: "<<none>>" }, default: "dflt" }
          checks:
            - { type: plugin, plugin: max-body-size }
            - { type: plugin, plugin: max-body-size, name: tiny body, config: { max_body_bytes: 10 } }
      - request:
          name: echo
          method: POST
          url: /echo
          body: "token=\${token} missing=\${missing}"
          assert:
            - { type: plugin, plugin: max-body-size, name: small echo, config: { max_body_bytes: 16 } }
          checks:
            - { type: body_contains, value: "token=TOK-123 missing=dflt" }
thresholds:
  plugin_call_duration: ["count == 200"]
  "plugin_call_duration{kind:extractor}": ["count == 80"]
`;

describe("example plugins by name", () => {
  for (const workers of ["1", "2"]) {
    test(`variables, checks, assertions and plugin metrics (${workers} worker(s))`, async () => {
      const dir = scratch({ "plan.yaml": examplesPlan });
      const r = await loadr(["run", "plan.yaml", "--plugins-dir", PLUGINS, "--workers", workers, "--summary-export", "s.json"], { cwd: dir, env });
      expect(r.stderr).not.toContain("warn");
      expect(r.code).toBe(0);
      const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary;
      expect(check(s, "plugin max-body-size")).toMatchObject({ passes: 40, fails: 0 });
      expect(check(s, "tiny body")).toMatchObject({ passes: 0, fails: 40 });
      expect(check(s, 'body contains "token=TOK-123 missing=dflt"')).toMatchObject({ passes: 40, fails: 0 });
      // 80 requests, none failed at the HTTP level, plus one extra failed sample per failed
      // `small echo` assertion (the reference's counting): 40 of 120
      expect(metric(s, "http_req_failed")?.rate).toBeCloseTo(1 / 3, 6);
      expect(s.thresholds.every((t) => t.passed)).toBe(true);
      expect(metric(s, "plugin_errors")).toBeUndefined();
      expect(r.stdout).toContain("plugin_call_duration");
    });
  }

  test("an unknown plugin name is refused before the run, naming the plugins dir", async () => {
    const dir = scratch({ "plan.yaml": examplesPlan.replace("name: upper-boundary\n", "name: upper-boundry\n").replaceAll("plugin: upper-boundary", "plugin: upper-boundry") });
    const r = await loadr(["run", "plan.yaml", "--plugins-dir", PLUGINS], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin \`upper-boundry\`: plugin \`upper-boundry\` not found in ${PLUGINS}`);
    expect(r.stderr).not.toContain("    at ");
  });

  test("an assertion plugin used as an extractor is refused with the kind mismatch", async () => {
    const dir = scratch({ "plan.yaml": examplesPlan.replace("plugin: upper-boundary }", "plugin: max-body-size }") });
    const r = await loadr(["run", "plan.yaml", "--plugins-dir", PLUGINS], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugin `max-body-size` is `assertion`, expected `extractor`");
  });
});

describe("a plugin written in JavaScript", () => {
  test("regex-extract (QuickJS) by name extracts into a variable", async () => {
    const dir = scratch({
      "plan.yaml": `
plugins:
  - { name: echo }
  # QuickJS's first calls in a fresh worker are slow: a deadline that a loaded box holds
  - { name: regex-extract, timeout: 2s }
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 10
    flow:
      - request:
          url: \${services.echo.url}/json
          extract:
            - { type: plugin, name: item, plugin: regex-extract, config: { pattern: '"name":"(b[a-z]+)"' } }
      - request:
          method: POST
          url: \${services.echo.url}/echo
          body: "item=\${item}"
          checks: [ { type: body_contains, value: "item=beta" } ]
`,
    });
    const r = await loadr(["run", "plan.yaml", "--plugins-dir", PLUGINS, "--summary-export", "s.json"], { cwd: dir, env });
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary;
    expect(check(s, 'body contains "item=beta"')).toMatchObject({ passes: 10, fails: 0 });
  });
});

describe("plugins by path", () => {
  test("path is relative to the plan file; kind from config.kind must match describe()", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "plans/wasm"), { recursive: true });
    copyFileSync(join(PLUGINS, "max-body-size/loadr_wasm_assertion.wasm"), join(dir, "plans/wasm/mbs.wasm"));
    const plan = (kind: string) => `
plugins:
  - { name: echo }
  - { name: mbs, path: wasm/mbs.wasm, config: { kind: ${kind}, max_body_bytes: 1000 } }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 3
    flow:
      - request:
          url: \${services.echo.url}/json
          checks: [ { type: plugin, plugin: mbs } ]
`;
    await Bun.write(join(dir, "plans/ok.yaml"), plan("assertion"));
    const ok = await loadr(["run", "plans/ok.yaml", "--summary-export", "s.json"], { cwd: dir, env });
    expect(ok.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary;
    expect(check(s, "plugin mbs")).toMatchObject({ passes: 3, fails: 0 });

    await Bun.write(join(dir, "plans/bad.yaml"), plan("extractor"));
    const bad = await loadr(["run", "plans/bad.yaml"], { cwd: dir, env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("plugin `mbs`: plugin `mbs` is `assertion`, expected `extractor`");
  });
});

describe("hostile plugin", () => {
  test("every misbehaviour fails only its own call, with the right plugin_errors, and the run finishes", async () => {
    const dir = scratch();
    copyFileSync(HOSTILE, join(dir, "hostile.wasm"));
    await Bun.write(
      join(dir, "plan.yaml"),
      `
plugins:
  - { name: echo }
  # a generous deadline for the calls that should finish (a loaded box, fresh instances after
  # each failure), a short one for the endless loop
  - { name: h, path: hostile.wasm, timeout: 2s, memory_limit: 4MB, log_level: info }
  - { name: spinner, path: hostile.wasm, timeout: 30ms }
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 6
    flow:
      - request:
          url: /html
          extract:
            - { type: plugin, name: env, plugin: h, config: { mode: env } }
            - { type: plugin, name: files, plugin: h, config: { mode: file } }
            - { type: plugin, name: spin, plugin: spinner, config: { mode: spin }, default: "stopped" }
            - { type: plugin, name: exit, plugin: h, config: { mode: exit } }
            - { type: plugin, name: trap, plugin: h, config: { mode: trap } }
            - { type: plugin, name: utf8, plugin: h, config: { mode: badutf8 } }
            - { type: plugin, name: oom, plugin: h, config: { mode: hog, mib: 64, abort: true } }
            - { type: plugin, name: out, plugin: h, config: { mode: print } }
            - { type: plugin, name: csrf, plugin: h, config: { left: 'value="', right: '"' } }
      - request:
          method: POST
          url: /echo
          body: "\${env}|\${files}|\${spin}|\${csrf}"
          checks:
            - { type: body_contains, value: "env=0 home=(null)|read=denied dir=denied write=denied|stopped|CSRF-TOKEN-XYZ" }
thresholds:
  "plugin_errors{plugin:spinner,error:timeout}": ["count == 6"]
  "plugin_errors{error:exit}": ["count == 6"]
  "plugin_errors{error:trap}": ["count == 6"]
  "plugin_errors{error:invalid}": ["count == 6"]
  "plugin_errors{error:memory}": ["count == 6"]
  plugin_call_duration: ["count == 54"]
  http_reqs: ["count == 12"]
`,
    );
    const r = await loadr(["run", "plan.yaml", "--summary-export", "s.json"], { cwd: dir, env: { ...env, HOME: dir, LOADR_SECRET: "x" } });
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary;
    for (const t of s.thresholds) expect({ [t.metric]: t.passed, observed: t.observed }).toEqual({ [t.metric]: true, observed: t.observed });
    expect(r.code).toBe(0);
    expect(check(s, 'body contains "env=0 home=(null)|read=denied dir=denied write=denied|stopped|CSRF-TOKEN-XYZ"')).toMatchObject({ passes: 6, fails: 0 });
    expect(r.stderr).toContain("plugin `h` called exit(");
    expect(r.stderr).toContain("plugin `h` returned invalid UTF-8");
    expect(r.stderr).toContain("plugin `h` ran out of memory (memory_limit 4 MiB)");
    expect(r.stderr).toContain("info: plugin `h` stdout: hello from the plugin's stdout");
    expect(existsSync(join(dir, "loadr-hostile.txt"))).toBe(false);
  });
});

describe("the binary alone", () => {
  test("runs plugins from a directory with nothing beside it, with no usable HOME", async () => {
    const bin = scratch();
    copyFileSync(LOADR, join(bin, "loadr"));
    const dir = scratch({ "plan.yaml": examplesPlan });
    const proc = Bun.spawn([join(bin, "loadr"), "run", "plan.yaml", "--plugins-dir", PLUGINS, "--summary-export", "s.json"], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent/home", NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    // the banner and verdict aside, nothing: no warning, no error
    expect(stderr).toContain("\n✓ summary exported to s.json\n");
    expect(stderr).not.toMatch(/warning|error/);
    expect(code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as Summary;
    expect(check(s, 'body contains "token=TOK-123 missing=dflt"')).toMatchObject({ passes: 40, fails: 0 });
  });
});
