/**
 * The `js:` module in a scale-out test (docs/distributed.md): the parts run its scenario
 * functions; the aggregator runs setup() once (at the start barrier, its data sent to every part
 * with the start), teardown() once after the last part, and handleSummary() over the whole
 * test's summary (a part's share gets none). The target is one echo server shared by every
 * process, so its `/counter` (per server) shows how often setup and teardown reached it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { loadr, readJsonIfThere, scratch } from "./support/cli.ts";
import { scaleOut, until } from "./support/scale-out.ts";
import { summaryQueries } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
js:
  file: lib.js
scenarios:
  s:
    executor: per-vu-iterations
    vus: 4
    iterations: 3
    exec: run
`;

/** A fresh echo target per test: its `/counter` counts only that test's calls. */
let target: EchoServer;
beforeAll(async () => void (target = await startEcho({})));
afterAll(() => target.stop());
const counter = async () => Number(await (await fetch(`${target.url}/counter`)).text()) - 1; // minus this call

/**
 * setup() takes the target's counter once (its data carries what it read); every iteration takes
 * the counter too and counts, as its last act, whether it saw that data (`saw_data`, else
 * `missed_data`); teardown() takes the counter last and keeps what it read (`teardown_read`):
 * 1 + every iteration + 1 when it ran after them all.
 */
const LIFECYCLE = (o: { setup?: string; teardown?: string; run?: string } = {}) => `import http from "k6/http";
import { sleep } from "k6";
import { Counter, Gauge } from "k6/metrics";
const sawData = new Counter("saw_data");
const missedData = new Counter("missed_data");
const teardownRead = new Gauge("teardown_read");
const T = __ENV.TARGET;
export function setup() { ${o.setup ?? ""} const r = http.get(T + "/counter"); return { token: "tok-" + r.body }; }
export function run(data) { ${o.run ?? `http.get(T + "/counter");`} if (data && data.token === "tok-1") sawData.add(1); else missedData.add(1); }
export function teardown(data) { ${o.teardown ?? ""} teardownRead.add(Number(http.get(T + "/counter?from=" + data.token).body)); }
`;

/** The aggregator's status from its control API (undefined until it answers). */
const apiStatus = async (port: number): Promise<any> => (await fetch(`http://127.0.0.1:${port}/v1/status`).catch(() => undefined))?.json().catch(() => undefined);

/** Both parts ready at the barrier: the aggregator's setup() is running (the modules below make it sleep). */
const atBarrier = (port: number) => until(async () => (await apiStatus(port))?.parts?.filter((p: any) => p.state === "ready").length === 2, 20_000, "both parts at the barrier");

async function freshTarget(): Promise<Record<string, string>> {
  await target.stop();
  target = await startEcho({});
  return { TARGET: target.url };
}

describe("the js module across parts", () => {
  test("exec runs on the parts; handleSummary runs once, on the aggregator, over the whole test", async () => {
    const r = await scaleOut({
      plan: PLAN,
      parts: 2,
      files: {
        "lib.js": `import http from "k6/http";
export function run() { http.get("/echo"); }
export function handleSummary(data) {
  const reqs = data.metrics.find((m) => m.metric === "http_reqs");
  return { "whole.txt": "requests=" + reqs.agg.count };
}
`,
      },
    });
    expect(r.agg.code).toBe(0);
    for (const p of r.parts) expect(p.code).toBe(0);
    expect(summaryQueries(r.agg.summary).sum("http_reqs")).toBe(12);
    expect(readFileSync(join(r.dir, "whole.txt"), "utf8")).toBe("requests=12");
    expect(r.agg.stderr).toContain("handleSummary() wrote whole.txt");
    for (const p of r.parts) expect(p.stderr).not.toContain("handleSummary()");
  });

  test("setup() runs once on the aggregator, every part's VUs get its data, teardown() once after the parts: counts as in one process", async () => {
    const env = await freshTarget();
    const r = await scaleOut({ plan: PLAN, parts: 2, env, files: { "lib.js": LIFECYCLE() } });
    expect(r.agg.code).toBe(0);
    for (const p of r.parts) expect(p.code).toBe(0);
    // the target's counter: setup 1, the 12 iterations, teardown 14 — each ran once, teardown after every part's load
    expect(await counter()).toBe(14);
    const q = summaryQueries(r.agg.summary);
    expect(q.series("teardown_read")[0]?.agg.max).toBe(14);
    // setup's and teardown's requests are the aggregator's own, tagged instance: aggregator, merged like a part's
    expect(q.sum("http_reqs", { instance: "aggregator", scenario: "setup" })).toBe(2);
    expect(q.sum("http_reqs")).toBe(12 + 2);
    expect(q.sum("saw_data")).toBe(12);
    expect(q.sum("missed_data")).toBe(0);
    // each part's VUs saw setup's data (its own share: 2 VUs × 3 iterations); no part ran setup or teardown
    for (const p of r.parts) {
      const pq = summaryQueries(p.summary);
      expect(pq.sum("saw_data")).toBe(6);
      expect(pq.sum("http_reqs")).toBe(6);
      expect(pq.sum("http_reqs", { scenario: "setup" })).toBe(0);
    }

    // the same plan in one process: the same counts, the same calls at the target
    const oneEnv = await freshTarget();
    const dir = scratch({ "plan.yaml": PLAN, "lib.js": LIFECYCLE() });
    const one = await loadr(["run", join(dir, "plan.yaml"), "--summary-export", join(dir, "one.json")], { cwd: dir, env: oneEnv });
    expect(one.code).toBe(0);
    expect(await counter()).toBe(14);
    const oq = summaryQueries(readJsonIfThere(join(dir, "one.json")));
    for (const m of ["http_reqs", "saw_data", "iterations"]) expect(q.sum(m)).toBe(oq.sum(m));
    expect(oq.sum("http_reqs", { scenario: "setup" })).toBe(2);
  });

  test("setup() that throws: exit 1 with its line on the aggregator, every part told to stop, no part sends a request", async () => {
    const env = await freshTarget();
    const r = await scaleOut({
      plan: PLAN,
      parts: 2,
      env,
      files: { "lib.js": LIFECYCLE({ setup: `throw new Error("no token today");` }) },
    });
    expect(r.agg.code).toBe(1);
    expect(r.agg.stderr.trim().split("\n").at(-1)).toStartWith("error: js module: setup() failed: no token today");
    expect(r.agg.summary).toBeUndefined();
    for (const p of r.parts) {
      expect(p.code).toBe(1);
      expect(p.stderr.trim().split("\n").at(-1)).toBe("error: the aggregator ended this part: no load was sent: js module: setup() failed: no token today");
      expect(p.summary).toBeUndefined();
    }
    expect(await counter()).toBe(0); // neither a VU nor teardown reached the target
  });

  test("teardown() that throws is a warning: the test's summary is still written", async () => {
    const env = await freshTarget();
    const r = await scaleOut({ plan: PLAN, parts: 2, env, files: { "lib.js": LIFECYCLE({ teardown: `throw new Error("cleanup refused");` }) } });
    expect(r.agg.code).toBe(0);
    expect(r.agg.stderr).toContain("warning: js module: teardown() failed: cleanup refused");
    const q = summaryQueries(r.agg.summary);
    expect(q.sum("saw_data")).toBe(12);
    expect(q.sum("http_reqs", { instance: "aggregator" })).toBe(1); // setup's; teardown threw before its request
    expect(await counter()).toBe(13);
  });

  test("setup() data past the bound: one line, exit 1, no part starts", async () => {
    const env = await freshTarget();
    const big = `import http from "k6/http";
export function setup() { return { rows: "x".repeat(17 * 1024 * 1024) }; }
export function run(data) { http.get(__ENV.TARGET + "/counter"); }
`;
    const r = await scaleOut({ plan: PLAN, parts: 2, env, files: { "lib.js": big } });
    expect(r.agg.code).toBe(1);
    expect(r.agg.stderr.trim().split("\n").at(-1)).toStartWith("error: js module: setup() returned 17.0 MB of data (as JSON); a scale-out test sends it to every part, at most 16.0 MB");
    for (const p of r.parts) {
      expect(p.code).toBe(1);
      expect(p.stderr.trim().split("\n").at(-1)).toStartWith("error: the aggregator ended this part: no load was sent: js module: setup() returned 17.0 MB");
    }
    expect(await counter()).toBe(0);
  });

  test("setup() data at the bound reaches every part's VUs whole; setup() reaches the plan's service (the aggregator's own echo)", async () => {
    const near = 16 * 1024 * 1024 - 64;
    const lib = `import http from "k6/http";
import { Counter } from "k6/metrics";
const got = new Counter("data_chars");
export function setup() { http.get("/echo"); return { rows: "x".repeat(${near}) }; }
export function run(data) { got.add(data.rows.length); http.get("/echo"); }
`;
    const plan = PLAN.replace("vus: 4\n    iterations: 3", "vus: 2\n    iterations: 1");
    const r = await scaleOut({ plan, parts: 2, files: { "lib.js": lib } });
    expect(r.agg.code).toBe(0);
    for (const p of r.parts) expect(summaryQueries(p.summary).sum("data_chars")).toBe(near);
    const q = summaryQueries(r.agg.summary);
    expect(q.sum("http_reqs", { instance: "aggregator", status: "200" })).toBe(1);
    expect(q.sum("http_reqs")).toBe(2 + 1);
  });

  test("teardown() runs once after a part is lost (--on-part-loss continue) and the test is stopped (the control API)", async () => {
    const env = await freshTarget();
    const plan = PLAN.replace("executor: per-vu-iterations\n    vus: 4\n    iterations: 3", "executor: constant-vus\n    vus: 4\n    duration: 30s");
    // an iteration counts that it saw the data as its last act (one the stop interrupts counts neither)
    const lib = LIFECYCLE({ run: `sleep(0.02); http.get(T + "/echo");` });
    const apiPort = 20000 + Math.floor(Math.random() * 20000);

    const r = await scaleOut({
      plan,
      parts: 2,
      env,
      files: { "lib.js": lib },
      aggArgs: ["--part-timeout", "1s", "--api", `127.0.0.1:${apiPort}`],
      during: async ({ parts }) => {
        await until(
          async () => {
            const s = await apiStatus(apiPort);
            return s?.state === "running" && s.parts.length === 2 && s.parts.every((p: any) => p.requests > 0);
          },
          20_000,
          "every part running and reporting",
        );
        parts[1]!.proc.kill("SIGKILL");
        await until(async () => (await apiStatus(apiPort))?.parts?.some((p: any) => p.state === "lost") === true, 20_000, "the killed part declared lost");
        expect((await fetch(`http://127.0.0.1:${apiPort}/v1/stop`, { method: "POST" })).status).toBe(202);
      },
    });
    expect(r.agg.code).toBe(99); // stopped: aborted
    expect(r.agg.stderr).toMatch(/part 2\/2 .* was lost/);
    expect(r.parts[0]!.code).toBe(0);
    expect(await counter()).toBe(2); // setup's and teardown's: once each
    const q = summaryQueries(r.agg.summary);
    expect(q.series("teardown_read")[0]?.agg.max).toBe(2);
    // every iteration saw setup's data, on both parts (a stop may interrupt an iteration after it counted)
    expect(q.sum("missed_data")).toBe(0);
    expect(q.sum("saw_data", { instance: "1/2" })).toBeGreaterThan(0);
    expect(q.sum("saw_data", { instance: "2/2" })).toBeGreaterThan(0);
  });

  /** 2 parts whose aggregator's setup() sleeps 3 s; `whileSetUp` acts once every part is at the barrier. */
  const duringSlowSetup = async (whileSetUp: NonNullable<Parameters<typeof scaleOut>[0]["during"]>) => {
    const env = await freshTarget();
    const apiPort = 20000 + Math.floor(Math.random() * 20000);
    return scaleOut({
      plan: PLAN,
      parts: 2,
      env,
      files: { "lib.js": LIFECYCLE({ setup: `sleep(3);` }) },
      aggArgs: ["--api", `127.0.0.1:${apiPort}`],
      during: async (running) => {
        await atBarrier(apiPort);
        await whileSetUp(running);
      },
    });
  };

  test("Ctrl-C while setup() runs: no part starts, teardown() still runs once, the summary is written", async () => {
    const r = await duringSlowSetup(async ({ agg }) => void agg.proc.kill("SIGINT"));
    expect(r.agg.code).toBe(99); // stopped
    expect(r.agg.summary).toBeDefined();
    for (const p of r.parts) {
      expect(p.code).toBe(1);
      expect(p.stderr).toContain("no load was sent");
    }
    expect(await counter()).toBe(2); // setup's and teardown's, no VU's
    expect(summaryQueries(r.agg.summary).series("teardown_read")[0]?.agg.max).toBe(2);
  });

  test("every part gone while setup() runs: exit 1, one line, teardown() not run", async () => {
    const r = await duringSlowSetup(async ({ parts }) => {
      for (const p of parts) p.proc.kill("SIGKILL");
    });
    expect(r.agg.code).toBe(1);
    expect(r.agg.stderr.trim().split("\n").at(-1)).toBe("error: every part left while setup() ran: no load was sent");
    expect(await counter()).toBe(1); // setup's only
  });
});
