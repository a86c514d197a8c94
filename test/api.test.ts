/**
 * The programmatic API (docs/api.md). First as a user gets it: the checkout is installed into a
 * fresh project with `bun add <checkout> --prefer-offline` (the proxies point nowhere, so nothing
 * may come from the network), and docs/api.md's example test runs there under `bun test` against
 * the built-in echo target. Then its promises, from the sources: the summary it resolves to,
 * validate(), an invalid plan, an AbortSignal, nothing printed without `onLog`, no signal
 * handlers, and no environment read but the `env` it is given.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LoadrError, run, validate } from "../src/api.ts";
import { scratch } from "./support/cli.ts";

const ROOT = resolve(import.meta.dir, "..");

/** The ```ts block under docs/api.md's "Example" heading, as a user would copy it. */
function exampleTest(): string {
  const doc = readFileSync(join(ROOT, "docs/api.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Example"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("docs/api.md has no ```ts block under its Example heading");
  return m[1]!;
}

/** `bun <args>` in `cwd`, no network: every proxy points at a closed port. */
async function bun(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const p = Bun.spawn([process.execPath, ...args], {
    cwd,
    env: { ...process.env, HTTP_PROXY: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9", NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: out + err };
}

describe("installed into another project", () => {
  test("docs/api.md's example test passes there, offline", async () => {
    const dir = scratch({ "package.json": JSON.stringify({ name: "uses-loadr", private: true }), "load.test.ts": exampleTest() });
    const add = await bun(["add", ROOT, "--prefer-offline"], dir);
    expect(add.code, add.out).toBe(0);
    // the installed copy, not the checkout, is what the test imports
    expect(readFileSync(join(dir, "node_modules/loadr/src/api.ts"), "utf8")).toBe(readFileSync(join(ROOT, "src/api.ts"), "utf8"));
    const t = await bun(["test"], dir);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toContain("1 pass");
    expect(t.out).toContain("0 fail");
  }, 120_000);
});

const echoPlan = (flow: unknown[], extra: Record<string, unknown> = {}) => ({
  plugins: [{ name: "echo" }],
  defaults: { http: { base_url: "${services.echo.url}" } },
  scenarios: { s: { executor: "per-vu-iterations", vus: 1, iterations: 3, flow } },
  ...extra,
});

describe("run()", () => {
  test("resolves to the summary: counts, checks, thresholds", async () => {
    const summary = await run(
      echoPlan([{ request: { url: "/status/503", checks: [{ type: "status", equals: 200 }] } }], { thresholds: { http_req_failed: ["rate<0.5"] } }),
      { workers: 1 },
    );
    expect(summary.metrics.find((m) => m.metric === "http_reqs")?.agg.sum).toBe(3);
    expect(summary.checks).toEqual([{ name: "status is 200", passes: 0, fails: 3 }]);
    // a failed threshold is a result, not an error
    expect(summary.thresholds_passed).toBe(false);
    expect(summary.aborted).toBeNull();
  });

  test("a plan file: relative paths resolve beside it; report files are written when asked", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "plans"));
    writeFileSync(join(dir, "plans/users.csv"), "name\nada\ngrace\n");
    writeFileSync(
      join(dir, "plans/plan.yaml"),
      `
plugins: [{ name: echo }]
data: { users: { type: csv, path: users.csv } }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow:
      - request: { url: "\${services.echo.url}/echo?u=\${data.users.name}", checks: [{ type: body_contains, name: named, value: '"u":"ada"' }] }
`,
    );
    const summary = await run(join(dir, "plans/plan.yaml"), { workers: 1, exports: { summaryExport: join(dir, "out/s.json") } });
    // one VU reads the rows in order: ada, then grace
    expect(summary.checks).toEqual([{ name: "named", passes: 1, fails: 1 }]);
    expect(JSON.parse(readFileSync(join(dir, "out/s.json"), "utf8")).run_id).toBe(summary.run_id);
  });

  test("an invalid plan rejects with every diagnostic, and runs nothing", async () => {
    const err = await run({ scenarios: { s: { executor: "constant-vu", flow: [] } } }).catch((e) => e);
    expect(err).toBeInstanceOf(LoadrError);
    expect(err.message).toStartWith("invalid plan: ");
    expect(err.diagnostics.length).toBeGreaterThan(0);
    expect(err.diagnostics[0].path).toContain("scenarios.s");
  });

  test("a run that cannot start rejects with one line, before any load", async () => {
    const err = await run({ plugins: [{ name: "no-such-plugin" }], scenarios: { s: { executor: "per-vu-iterations", vus: 1, iterations: 1, flow: [] } } }, { pluginsDir: scratch({}) }).catch((e) => e);
    expect(err).toBeInstanceOf(LoadrError);
    expect(err.message).toContain("plugin `no-such-plugin`");
    expect(err.message).not.toContain("\n");
  });

  test("aborting its signal stops the run gracefully with the summary", async () => {
    // the abort comes once the load runs (a 3rd request served: a VU's first response came back),
    // not after a fixed time that a loaded machine spends setting up
    const ac = new AbortController();
    let served = 0;
    const target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async () => {
        if (++served === 3) ac.abort();
        await Bun.sleep(20);
        return new Response("ok");
      },
    });
    const t0 = performance.now();
    const summary = await run(
      { scenarios: { s: { executor: "constant-vus", vus: 2, duration: "60s", flow: [{ request: { url: `http://127.0.0.1:${target.port}/` } }] } } },
      { workers: 1, signal: ac.signal },
    ).finally(() => target.stop(true));
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(summary.aborted).toBe("stopped by the caller (AbortSignal)");
    expect(summary.metrics.find((m) => m.metric === "http_reqs")?.agg.sum).toBeGreaterThanOrEqual(2);
    await expect(run(echoPlan([]), { signal: AbortSignal.abort() })).rejects.toThrow("its AbortSignal is already aborted");
  });

  test("installs no signal handlers", async () => {
    const count = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const before = count();
    const pending = run(echoPlan([{ request: { url: "/delay/300" } }]), { workers: 1 });
    await Bun.sleep(400); // the run is open: services, outputs and workers are up
    const during = count();
    await pending;
    expect(during).toEqual(before);
  });

  test("`env` is what the plan reads; the API reads no variable of its own", async () => {
    const summary = await run(
      echoPlan([{ request: { url: "/echo?g=${env.GREETING}", checks: [{ type: "body_contains", name: "greeted", value: "hello-from-options" }] } }]),
      { workers: 1, env: { GREETING: "hello-from-options" } },
    );
    expect(summary.checks).toEqual([{ name: "greeted", passes: 3, fails: 0 }]);
  });
});

describe("prints nothing unless asked", () => {
  // workers write on the process's own stderr, so this needs a process of its own
  const script = (withLog: boolean) => `
import { run } from ${JSON.stringify(join(ROOT, "src/api.ts"))};
const lines: string[] = [];
const summary = await run({
  plugins: [{ name: "echo" }],
  defaults: { http: { cache: true } },
  scenarios: { s: { executor: "per-vu-iterations", vus: 1, iterations: 2, flow: [
    { request: { url: "\${services.echo.url}/json", extract: [{ type: "jsonpath", name: "x", expression: "$.missing" }] } },
  ] } },
}, { workers: 1, pluginsDir: "/nonexistent", ${withLog ? "onLog: (l) => lines.push(l)" : ""} });
await Bun.write(process.argv[2]!, JSON.stringify({ lines, reqs: summary.metrics.find((m) => m.metric === "http_reqs")?.agg.sum }));
`;

  for (const withLog of [false, true]) {
    test(withLog ? "onLog gets the plan's warnings and the workers' log lines" : "without onLog: no byte on stdout or stderr", async () => {
      const dir = scratch({ "main.ts": script(withLog) });
      mkdirSync(join(dir, "out"));
      // LOADR_PLUGINS_DIR is the CLI's; the API must not read it (the plan names no plugin dir)
      const r = await bun(["main.ts", join(dir, "out/r.json")], dir, { LOADR_PLUGINS_DIR: join(dir, "nowhere") });
      expect(r.code, r.out).toBe(0);
      const got = JSON.parse(readFileSync(join(dir, "out/r.json"), "utf8"));
      expect(got.reqs).toBe(2);
      if (!withLog) {
        expect(r.out).toBe("");
        expect(got.lines).toEqual([]);
      } else {
        expect(r.out).toBe("");
        expect(got.lines.some((l: string) => l.includes("defaults.http.cache is not applied"))).toBe(true);
        expect(got.lines.some((l: string) => l.includes("extraction `x` failed"))).toBe(true);
      }
    }, 60_000);
  }
});

describe("validate()", () => {
  test("a valid plan object, and a plan file's diagnostics with line and column", async () => {
    expect(await validate(echoPlan([{ request: { url: "/json" } }]))).toEqual({ valid: true, diagnostics: [] });
    const dir = scratch({ "bad.yaml": "scenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow:\n      - request: { url: /x, methd: GET }\n" });
    const r = await validate(join(dir, "bad.yaml"));
    expect(r.valid).toBe(false);
    expect(r.diagnostics[0]!.line).toBe(7);
    writeFileSync(join(dir, "ok.yaml"), "scenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow: []\n");
    expect((await validate(join(dir, "ok.yaml"))).valid).toBe(true);
  });
});
