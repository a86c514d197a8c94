/**
 * The run session's one disposer stack (src/run/session.ts, src/run/disposers.ts): teardown
 * happens once, newest first, on every exit path — here a part that fails to start, and a run
 * that ended — and what started before a failure is released.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Disposers } from "../src/run/disposers.ts";
import { RunSession } from "../src/run/session.ts";
import { RunSetupError } from "../src/run/errors.ts";
import { prepareRun } from "../src/run/prepare.ts";
import { loadPlanText } from "../src/plan/load.ts";
import { scratch } from "./support/cli.ts";

describe("Disposers", () => {
  test("newest first, once, and a failing disposer does not stop the others", async () => {
    const d = new Disposers();
    const order: string[] = [];
    d.defer(() => void order.push("services"));
    d.defer(() => {
      order.push("outputs");
      throw new Error("boom");
    });
    d.defer(async () => {
      await Bun.sleep(5);
      order.push("faces");
    });
    await Promise.all([d.close(), d.close()]);
    await d.close();
    expect(order).toEqual(["faces", "outputs", "services"]);
    expect(() => d.defer(() => {})).toThrow("already closed");
  });
});

/** Is something listening on this loopback port? */
async function listening(port: number): Promise<boolean> {
  try {
    const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    s.end();
    return true;
  } catch {
    return false;
  }
}

function session(yaml: string, o: { outputFlags?: string[] } = {}) {
  const dir = scratch();
  const loaded = loadPlanText(yaml, join(dir, "plan.yaml"), dir);
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.diagnostics));
  return RunSession.open({
    run: prepareRun(loaded.plan, { baseDir: dir, env: {}, controlApi: false }),
    workers: 1,
    logLevel: "error",
    pluginsDir: dir,
    outputFlags: o.outputFlags,
    warn() {},
    onLog() {},
  });
}

const plan = (port: number) => `
plugins: [{ name: echo, config: { port: ${port} } }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 2
    flow: [ { request: { url: "\${services.echo.url}/json" } } ]
`;

async function freePort(): Promise<number> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

describe("RunSession", () => {
  test("an output that fails to start: the service started before it is stopped, and the error is one line", async () => {
    const port = await freePort();
    const err = await session(plan(port), { outputFlags: ["json=/proc/no/such/dir/out.json"] }).catch((e) => e);
    expect(err).toBeInstanceOf(RunSetupError);
    expect(err.message).toContain("json output");
    expect(await listening(port)).toBe(false);
  });

  test("after a run, close() tears down once: the service stops, a second close waits for the same", async () => {
    const port = await freePort();
    const s = await session(plan(port));
    expect(await listening(port)).toBe(true);
    const r = await s.run();
    expect(r.exitCode).toBe(0);
    expect(r.summary.metrics.find((m) => m.metric === "http_reqs")?.agg.sum).toBe(2);
    // the run's end does not stop the services: the session's close does
    expect(await listening(port)).toBe(true);
    await Promise.all([s.close(), s.close()]);
    expect(await listening(port)).toBe(false);
  });
});
