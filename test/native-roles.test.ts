/**
 * Output and service plugins over the descriptor ABI, and crash isolation, through dist/loadr:
 * file-report receives snapshots and the summary (once, though listed twice); the redis-server
 * service starts before the load, its URL reaches templates, and it is stopped after the run
 * and on Ctrl-C; an `isolation: process` plugin that segfaults fails only its in-flight requests.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOADR, loadr, scratch, untilLoadRuns } from "./support/cli.ts";
import { DIST_PLUGINS, type SummaryLike } from "./support/native.ts";

setDefaultTimeout(60_000);

const ENV = { LOADR_PLUGINS_DIR: DIST_PLUGINS };
const summaryOf = (d: string): SummaryLike => JSON.parse(readFileSync(join(d, "s.json"), "utf8"));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("output plugins", () => {
  test("file-report gets every snapshot and the summary, once even when listed under plugins: and outputs:", async () => {
    const d = scratch({
      "plan.yaml": `
plugins:
  - { name: file-report, config: { path: report.txt } }
  - { name: echo-proto }
outputs:
  - { type: plugin, name: file-report }
scenarios:
  s:
    executor: constant-vus
    vus: 1
    duration: 2500ms
    flow:
      - request: { url: "echo-proto://h/", body: "x" }
      - think_time: { type: constant, duration: 10ms }
`,
    });
    const r = await loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json"], { cwd: d, env: ENV });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = readFileSync(join(d, "report.txt"), "utf8").trim().split("\n");
    const snaps = lines.filter((l) => l.startsWith("snapshot "));
    expect(snaps.length).toBeGreaterThanOrEqual(2);
    expect(snaps[0]).toMatch(/^snapshot 1: series=\d+$/);
    const runId = (summaryOf(d) as unknown as { run_id: string }).run_id;
    expect(lines.at(-1)).toBe(`summary: run_id=${runId} snapshots=${snaps.length}`);
    expect(lines.filter((l) => l.startsWith("summary:"))).toHaveLength(1);
  });

  test("outputs: naming a plugin not under plugins: is one clear error", async () => {
    const d = scratch({
      "plan.yaml": `
outputs: [{ type: plugin, name: ghost }]
scenarios:
  s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [{ request: { url: "http://127.0.0.1:1/" } }] }
`,
    });
    const r = await loadr(["run", "plan.yaml", "-q"], { cwd: d, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: outputs: plugin `ghost` is not listed under `plugins:` (add `- name: ghost` there)\n");
  });
});

const SERVICE_PLAN = (duration: string) => `
plugins:
  - name: redis-server
  - name: redis
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: ${duration}
    flow:
      - request:
          name: "pid \${services.redis-server.pid}"
          url: "\${services.redis-server.url}"
          plugin: { command: ["PING"] }
          checks: [{ name: pong, type: body_contains, value: "PONG" }]
      - think_time: { type: constant, duration: 5ms }
`;

describe("service plugins", () => {
  test("started before the load (URL in templates), stopped after the run", async () => {
    const d = scratch({ "plan.yaml": SERVICE_PLAN("1s") });
    const r = await loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json"], { cwd: d, env: ENV });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = summaryOf(d);
    expect(s.checks[0]!.fails).toBe(0);
    expect(s.checks[0]!.passes).toBeGreaterThan(10);
    const name = s.snapshot.series.find((x) => x.metric === "redis_reqs")!.tags.name!;
    const pid = Number(name.slice(4));
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  test("stopped on Ctrl-C too", async () => {
    const d = scratch({ "plan.yaml": SERVICE_PLAN("60s") });
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "--progress", "--summary-export", "s.json"], { cwd: d, env: { ...process.env, ...ENV }, stdout: "pipe", stderr: "pipe" });
    await untilLoadRuns(proc).running; // a loaded machine can take seconds to start the load
    proc.kill("SIGINT");
    const code = await proc.exited;
    expect(code).toBe(99); // aborted by the user, results kept
    const s = summaryOf(d);
    const pid = Number(s.snapshot.series.find((x) => x.metric === "redis_reqs")!.tags.name!.slice(4));
    expect(alive(pid)).toBe(false);
  });
});

describe("isolation: process", () => {
  test("a segfaulting plugin fails its in-flight requests as plugin_crash; the run and other requests go on", async () => {
    // Counts, not rates: a loaded machine restarts the child slowly (one steady VU managed 6
    // requests in 2.5 s at load 8), so each VU runs a fixed number of iterations instead of a
    // duration. The crasher's `after` request comes 400 ms after each crash (past the longest
    // back-off, 200 ms, after the third crash): it must be served by the restarted child.
    const d = scratch({
      "plan.yaml": `
plugins:
  - { name: echo-proto, path: ${join(DIST_PLUGINS, "echo-proto/libecho_proto.so")}, isolation: process }
scenarios:
  crasher:
    executor: per-vu-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { name: crash, url: "echo-proto://h/", plugin: { crash: 1 } }
      - think_time: { type: constant, duration: 400ms }
      - request: { name: after, url: "echo-proto://h/", body: "xyz", checks: [{ name: restarted, type: body_contains, value: "zyx" }] }
  steady:
    executor: per-vu-iterations
    vus: 2
    iterations: 40
    max_duration: 50s
    flow:
      - request: { name: steady, url: "echo-proto://h/", body: "abc", checks: [{ name: echoed, type: body_contains, value: "cba" }] }
      - think_time: { type: constant, duration: 50ms }
`,
    });
    const r = await loadr(["run", "plan.yaml", "-q", "--workers", "1", "--summary-export", "s.json"], { cwd: d, env: ENV });
    expect(r.code).toBe(0);
    const s = summaryOf(d);
    const reqs = (name: string) => s.snapshot.series.filter((x) => x.metric === "echo_proto_reqs" && x.tags.name === name);
    const kinds = (name: string) => Object.fromEntries(reqs(name).map((x) => [x.tags.error_kind ?? "ok", x.agg.count]));
    const check = (name: string) => s.checks.find((c) => c.name === name)!;
    expect(kinds("crash")).toEqual({ plugin_crash: 3 });
    // after every crash the plugin serves again
    expect(kinds("after")).toEqual({ ok: 3 });
    expect(check("restarted")).toMatchObject({ passes: 3, fails: 0 });
    // the other VUs ran all their iterations: a request fails only when it was in flight at a crash
    // (one per VU per crash) or came during a back-off (50 + 100 + 200 ms, one per 50 ms think):
    // at most 2 × (3 + 10) of 80 on any machine, a slow one fewer
    const steady = kinds("steady");
    expect(Object.keys(steady).filter((k) => k !== "ok" && k !== "plugin_crash")).toEqual([]);
    expect((steady.ok ?? 0) + (steady.plugin_crash ?? 0)).toBe(80);
    expect(steady.ok).toBeGreaterThanOrEqual(40);
    expect(check("echoed").passes).toBe(steady.ok!);
  });
});
