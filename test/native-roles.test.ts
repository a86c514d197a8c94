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
import { DIST_PLUGINS, metric, type SummaryLike } from "./support/native.ts";

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
    const d = scratch({
      "plan.yaml": `
plugins:
  - { name: echo-proto, path: ${join(DIST_PLUGINS, "echo-proto/libecho_proto.so")}, isolation: process }
scenarios:
  crasher:
    executor: shared-iterations
    vus: 1
    iterations: 3
    flow:
      - request: { name: crash, url: "echo-proto://h/", plugin: { crash: 1 } }
      - think_time: { type: constant, duration: 400ms }
  steady:
    executor: constant-vus
    vus: 2
    duration: 2500ms
    flow:
      - request: { name: steady, url: "echo-proto://h/", body: "abc", checks: [{ name: echoed, type: body_contains, value: "cba" }] }
      - think_time: { type: constant, duration: 5ms }
`,
    });
    const r = await loadr(["run", "plan.yaml", "-q", "--workers", "1", "--summary-export", "s.json"], { cwd: d, env: ENV });
    expect(r.code).toBe(0);
    const s = summaryOf(d);
    const crash = s.snapshot.series.filter((x) => x.metric === "echo_proto_reqs" && x.tags.name === "crash");
    expect(crash.map((x) => x.tags.error_kind)).toEqual(["plugin_crash"]);
    expect(crash[0]!.agg.count).toBe(3);
    const steadyOk = s.snapshot.series.find((x) => x.metric === "echo_proto_reqs" && x.tags.name === "steady" && x.tags.error_kind === undefined)!;
    expect(steadyOk.agg.count).toBeGreaterThan(100);
    expect(s.checks.find((c) => c.name === "echoed")!.passes).toBe(steadyOk.agg.count);
    expect(metric(s, "echo_proto_reqs")!.count).toBeGreaterThan(100);
  });
});
