/** `loadr run --ui`: the live dashboard's server — SSE from the run, stopping with it (or serving after it with --ui-linger), control forwarding, bad binds. */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadr, scratch } from "./support/cli.ts";
import { freePort } from "./support/receivers.ts";
import { startLiveRun } from "./support/live-run.ts";
import { UiServer } from "../src/ui/server.ts";

setDefaultTimeout(60_000);

const PLAN = `
name: live
plugins: [{ name: echo }]
scenarios:
  s:
    executor: constant-vus
    vus: 3
    duration: 3s
    flow:
      - request: { url: "\${services.echo.url}/" }
      - think_time: { type: constant, duration: 10ms }
thresholds:
  http_req_failed: ["rate<0.01"]
`;

/** Reads SSE events from a stream until `until` returns true. */
async function readEvents(url: string, until: (events: { event: string; data: any }[]) => boolean, timeoutMs = 30_000) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const res = await fetch(url, { signal: ctrl.signal });
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const events: { event: string; data: any }[] = [];
  let buf = "";
  const dec = new TextDecoder();
  try {
    for await (const chunk of res.body!) {
      buf += dec.decode(chunk);
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
      }
      if (until(events)) break;
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return events;
}

describe("live dashboard server", () => {
  test("streams init + a tick per second + done, then with --ui-linger keeps serving the results until Ctrl-C", async () => {
    const dir = scratch({ "plan.yaml": PLAN });
    const live = await startLiveRun(["run", "plan.yaml", "--ui-linger", "--ui-bind", `127.0.0.1:${freePort()}`], dir);
    const page = await (await fetch(live.url)).text();
    expect(page).toContain("<title>loadr live — live</title>");
    expect(page).toContain('id="controls" style="margin-top:12px;"'); // the run's control API is mounted
    const status = (await (await fetch(live.url + "v1/status")).json()) as { scenarios: { name: string }[] };
    expect(status.scenarios.map((s) => s.name)).toEqual(["s"]);
    const events = await readEvents(live.url + "events", (es) => es.some((e) => e.event === "done"));
    expect(events[0]!.event).toBe("init");
    expect(events[0]!.data).toMatchObject({ name: "live", scenarios: ["s"], control: true });
    const ticks = events.filter((e) => e.event === "tick").map((e) => e.data);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ticks.map((t) => t.vus))).toBe(3);
    expect(Math.max(...ticks.map((t) => t.scenario_vus.s))).toBe(3);
    expect(ticks[ticks.length - 1].requests).toBeGreaterThan(0);
    expect(ticks[ticks.length - 1].thresholds[0]).toMatchObject({ metric: "http_req_failed", passed: true });
    const done = events.find((e) => e.event === "done")!.data;
    expect(done.status).toEqual({ state: "finished", text: "PASSED", cls: "ok" });
    expect(done.timeline.length).toBeGreaterThanOrEqual(ticks.length);

    await live.waitFor("still serving results at");
    const summary = (await (await fetch(live.url + "summary.json")).json()) as any;
    expect(summary.thresholds_passed).toBe(true);
    const state = (await (await fetch(live.url + "api/state")).json()) as any;
    expect(state.status.text).toBe("PASSED");
    expect((await fetch(live.url + "v1/stop", { method: "POST" })).status).toBe(409); // the run has finished
    expect(live.proc.exitCode).toBeNull(); // still serving
    live.proc.kill("SIGINT");
    expect(await live.proc.exited).toBe(0);
  });

  test("without --ui-linger the dashboard stops when the run ends: the process exits by itself (a CI job does not hang)", async () => {
    const dir = scratch({ "plan.yaml": PLAN.replace("duration: 3s", "duration: 1s") });
    const live = await startLiveRun(["run", "plan.yaml", "--ui", "--ui-bind", `127.0.0.1:${freePort()}`], dir);
    const events = await readEvents(live.url + "events", (es) => es.some((e) => e.event === "done"));
    expect(events.at(-1)!.event).toBe("done");
    const code = await Promise.race([live.proc.exited, Bun.sleep(20_000).then(() => "still running")]);
    expect(code).toBe(0);
    expect(live.stderr()).not.toContain("still serving");
    expect(await fetch(live.url).then(() => "served", () => "refused")).toBe("refused");
  });

  test("a port in use for --ui-bind is one clear line", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const port = busy.port!;
    const dir = scratch({ "plan.yaml": PLAN });
    const r = await loadr(["run", "plan.yaml", "-q", "--ui", "--ui-bind", `127.0.0.1:${port}`], { cwd: dir });
    busy.stop(true);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: --ui-bind: cannot listen on 127.0.0.1:${port}: the port is in use (choose another, e.g. port 0 for any free one)`);
    const bad = await loadr(["run", "plan.yaml", "-q", "--ui-bind", "nowhere"], { cwd: dir });
    expect(bad.stderr.trim()).toBe("error: --ui-bind: `nowhere` is not host:port (e.g. 127.0.0.1:9125)");
  });

  test("/v1/* is forwarded to the run's control handler; the page shows the buttons only then", async () => {
    const seen: string[] = [];
    const ui = new UiServer({
      bind: "127.0.0.1:0", name: "ctl", scenarios: ["s"],
      control: async (req) => {
        seen.push(`${req.method} ${new URL(req.url).pathname}`);
        return Response.json({ ok: true });
      },
    });
    try {
      expect(await (await fetch(ui.url)).text()).toContain('id="controls" style="margin-top:12px;"');
      const r = await fetch(ui.url + "v1/pause", { method: "POST" });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ok: true });
      expect(seen).toEqual(["POST /v1/pause"]);
    } finally {
      ui.stop();
    }
  });
});
