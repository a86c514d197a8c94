/**
 * The control API and its CLI clients end to end: `loadr run --api` on an ephemeral loopback
 * port, driven by `loadr status|pause|resume|scale|stop` and by plain HTTP for the error cases.
 */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { LOADR, loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(60_000);

type Status = {
  state: string;
  paused: boolean;
  vus: number;
  workers: number;
  aborted: string | null;
  scenarios: { name: string; executor: string; phase: string; active_vus: number; target_vus?: number; target_rate?: number; max_vus?: number }[];
};

/** Start `loadr run` with --api on a free port; resolves once the API answers. */
async function startRun(plan: string, args: string[] = []) {
  const dir = scratch({ "plan.yaml": plan });
  const proc = Bun.spawn([LOADR, "run", "plan.yaml", "--api", "127.0.0.1:0", "--summary-export", "s.json", ...args], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH!, NO_COLOR: "1" },
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 50_000);
  const reader = proc.stderr.getReader();
  let err = "";
  let address = "";
  while (!address) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`loadr ended before serving its API: ${err}`);
    err += new TextDecoder().decode(value);
    address = /control API at http:\/\/([^/\s]+)\/v1\/status/.exec(err)?.[1] ?? "";
  }
  const url = `http://${address}`;
  const get = async (path: string) => (await fetch(url + path)).json();
  const finished = (async () => {
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    clearTimeout(killer);
    return { stdout, code, summary: JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) };
  })();
  return { address, url, get, status: () => get("/v1/status") as Promise<Status>, finished, dir };
}

const ctl = (args: string[], address: string) => loadr([...args, "--address", address]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** poll until `ok` holds (status updates every 200 ms; a loaded box may need longer) */
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await sleep(100);
  }
}
const iterations = (snap: { series: { metric: string; agg: { sum: number } }[] }) =>
  snap.series.filter((s) => s.metric === "iterations").reduce((n, s) => n + s.agg.sum, 0);

const plan = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  ext:
    executor: externally-controlled
    max_vus: 10
    graceful_ramp_down: 0s
    flow:
      - request: { url: / }
      - think_time: { type: constant, duration: 50ms }
  steady:
    executor: constant-vus
    vus: 1
    duration: 60s
    flow:
      - request: { url: / }
      - think_time: { type: constant, duration: 50ms }
`;

describe("control API", () => {
  test("status, scale, pause, resume and stop through the CLI clients; the run ends with the summary", async () => {
    const run = await startRun(plan, ["--workers", "2"]);
    const s0 = await until(run.status, (s) => s.state === "running");
    expect(s0.workers).toBe(2);
    expect(s0.scenarios.find((s) => s.name === "ext")).toMatchObject({ executor: "externally-controlled", active_vus: 0, target_vus: 0, max_vus: 10 });

    const st = await ctl(["status"], run.address);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain("state: running");
    expect(st.stdout).toMatch(/ext\s+externally-controlled/);

    const sc = await ctl(["scale", "ext", "--vus", "5"], run.address);
    expect(sc.code).toBe(0);
    const s1 = await until(run.status, (s) => s.scenarios[0]!.active_vus === 5);
    expect(s1.scenarios[0]).toMatchObject({ active_vus: 5, target_vus: 5 });
    expect(s1.vus).toBe(6);

    // scale down: the VUs go back to 2
    expect((await ctl(["scale", "ext", "--vus", "2", "--json"], run.address)).code).toBe(0);
    expect((await until(run.status, (s) => s.scenarios[0]!.active_vus === 2)).scenarios[0]!.active_vus).toBe(2);

    // pause: no iteration starts; in-flight ones finish. /v1/metrics is a once-a-second snapshot of
    // once-a-second worker deltas, so it lags up to ~2 s: let it settle, then the count must stand still
    const p = await ctl(["pause", "--json"], run.address);
    expect(JSON.parse(p.stdout).paused).toBe(true);
    await sleep(3000);
    const before = iterations((await run.get("/v1/metrics")) as never);
    await sleep(2500);
    const after = iterations((await run.get("/v1/metrics")) as never);
    expect(after).toBe(before);
    expect((await run.status()).paused).toBe(true);

    expect((await ctl(["resume"], run.address)).stdout).toContain("resumed");
    expect(before).toBeGreaterThan(0);
    const moving = await until(
      async () => iterations((await run.get("/v1/metrics")) as never),
      (n) => n > after,
    );
    expect(moving).toBeGreaterThan(after);

    const stop = await ctl(["stop"], run.address);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("stopping gracefully");
    const end = await run.finished;
    expect(end.code).toBe(99); // a stop request is reported as `aborted`, like Ctrl-C
    expect(end.summary.aborted).toBe("stopped by control API");
    expect(end.stdout).toContain("run aborted: stopped by control API");
  });

  test("client mistakes get 4xx with a JSON error and the run keeps going", async () => {
    const run = await startRun(plan);
    const s0 = await until(run.status, (s) => s.state === "running");
    // --workers defaults to the usable cores, never more than the plan's peak VUs (10 + 1)
    expect(s0.workers).toBe(Math.min(availableParallelism(), 11));
    const post = (path: string, body: string) => fetch(run.url + path, { method: "POST", body });

    const notScalable = await post("/v1/scale", JSON.stringify({ scenario: "steady", vus: 3 }));
    expect(notScalable.status).toBe(409);
    expect(((await notScalable.json()) as { error: string }).error).toContain("only externally-controlled scenarios can be scaled (here: ext)");

    const unknown = await post("/v1/scale", JSON.stringify({ scenario: "nope", vus: 3 }));
    expect(unknown.status).toBe(404);

    const tooMany = await post("/v1/scale", JSON.stringify({ scenario: "ext", vus: 11 }));
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: string }).error).toContain("0 to max_vus (10)");

    for (const body of ["{not json", "[]", JSON.stringify({ scenario: "ext" }), JSON.stringify({ scenario: "ext", vus: -1 })]) {
      const r = await post("/v1/scale", body);
      expect(r.status).toBe(400);
      expect(typeof ((await r.json()) as { error: unknown }).error).toBe("string");
    }
    expect((await fetch(run.url + "/v1/pause")).status).toBe(405);
    expect((await fetch(run.url + "/v1/nothing")).status).toBe(404);

    // the CLI client says what the server said, one line, exit 1
    const cli = await ctl(["scale", "steady", "--vus", "3"], run.address);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split("\n")).toHaveLength(1);
    expect(cli.stderr).toContain("error: scale: scenario `steady` uses `constant-vus`");

    expect((await run.status()).state).toBe("running");
    await ctl(["stop"], run.address);
    const end = await run.finished;
    expect(end.summary.aborted).toBe("stopped by control API");
  });

  test("pause holds an arrival-rate schedule: no credit accrues, the full count still runs after resume", async () => {
    // Timed by the run's own clock, not by sleeps a loaded machine stretches: the pause lands
    // `elapsed_secs` into the run at most, so at least 4 s minus that of schedule is left to run
    // after the resume, at its pace. Accrued credit would start it all at once on resume.
    const run = await startRun(
      `
plugins: [{ name: echo }]
scenarios:
  car:
    executor: constant-arrival-rate
    rate: 20
    duration: 4s
    pre_allocated_vus: 5
    max_vus: 40
    flow: [ { request: { url: "\${services.echo.url}/" } } ]
`,
      ["--workers", "2"],
    );
    const post = async (what: string) => (await fetch(`${run.url}/v1/${what}`, { method: "POST" })).json() as Promise<Status & { elapsed_secs: number }>;
    await until(run.status, (s) => s.state === "running");
    const paused = await post("pause");
    expect(paused.paused).toBe(true);
    const leftMs = 4000 - paused.elapsed_secs * 1000;
    await sleep(2500);
    expect((await run.status()).paused).toBe(true);
    const resumedAt = Date.now();
    expect((await post("resume")).paused).toBe(false);
    const end = await run.finished;
    const afterResumeMs = Date.now() - resumedAt;
    expect(end.code).toBe(0);
    const count = (metric: string) => end.summary.metrics.find((m: { metric: string }) => m.metric === metric)?.agg.count ?? 0;
    // the schedule is paused, not skipped: 20/s × 4 s of schedule time (an arrival with every VU
    // busy is dropped and counted, never lost)
    expect(count("iterations") + count("dropped_iterations")).toBe(80);
    // (less 500 ms: the last arrival is due 50 ms before the end, and the workers see the pause a
    // little after the run answered it)
    expect(afterResumeMs).toBeGreaterThanOrEqual(leftMs - 500);
  });

  test("a paused run still stops at once on `loadr stop`", async () => {
    const run = await startRun(plan, ["--workers", "2"]);
    await until(run.status, (s) => s.state === "running");
    await ctl(["scale", "ext", "--vus", "3"], run.address);
    await ctl(["pause"], run.address);
    await sleep(300);
    const t0 = Date.now();
    await ctl(["stop"], run.address);
    const end = await run.finished;
    expect(end.code).toBe(99);
    expect(end.summary.aborted).toBe("stopped by control API");
    // held VUs do not wait for a resume, and the 50 ms iterations in flight are long done
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test("a client with no run to talk to says so in one line", async () => {
    const r = await loadr(["status", "--address", "127.0.0.1:1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no loadr run answers at 127.0.0.1:1");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const bad = await loadr(["pause", "--address", "nowhere"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not an address");
  });

  test("LOADR_API is the default address and --api refuses a bad address", async () => {
    const r = await loadr(["status"], { env: { LOADR_API: "127.0.0.1:1" } });
    expect(r.stderr).toContain("127.0.0.1:1");
    const dir = scratch({ "plan.yaml": plan });
    const bad = await loadr(["run", "plan.yaml", "--api", "localhost"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--api:");
  });
});
