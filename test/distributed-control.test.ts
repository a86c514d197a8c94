/**
 * A scale-out test steered through its aggregator (docs/distributed.md), over TLS with a shared
 * token: the parts join with wss:// trusting a CA file; scale, pause, resume and stop given to
 * the aggregator's control API reach every part — a scale is split across the parts in
 * proportion to their segments — and a part with the wrong CA cannot join.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { freePort, scaleOut, until } from "./support/scale-out.ts";
import { summaryQueries } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

const CERTS = resolve(import.meta.dir, "fixtures/http");

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: externally-controlled
    vus: 2
    max_vus: 8
    duration: 30s
    flow:
      - request: { url: /echo }
      - think_time: { type: constant, duration: 20ms }
`;

describe("scale-out control and TLS", () => {
  test("over wss:// with a token: scale splits across the parts, pause and resume reach them, stop ends the test", async () => {
    const apiPort = freePort();
    const api = (path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${apiPort}/v1/${path}`, body === undefined ? (path === "status" ? {} : { method: "POST" }) : { method: "POST", body: JSON.stringify(body) })
        .then((r) => r.json() as Promise<any>)
        .catch(() => undefined);
    const t0 = Date.now();
    const r = await scaleOut({
      plan: PLAN,
      parts: 2,
      env: { LOADR_TOKEN: "t0ken" },
      aggArgs: ["--tls-cert", join(CERTS, "server.pem"), "--tls-key", join(CERTS, "server-key.pem"), "--api", `127.0.0.1:${apiPort}`],
      partArgs: () => ["--tls-ca", join(CERTS, "ca.pem")],
      during: async ({ agg }) => {
        await until(async () => (await api("status"))?.state === "running", 30_000, "the test running");
        expect(agg.err()).toContain("wss://127.0.0.1:");
        expect((await api("scale", { scenario: "s", vus: 6 }))?.state).toBe("running");
        // each part takes its half: the aggregator's figures are the parts' sums, as they report them
        await until(async () => {
          const s = (await api("status"))?.scenarios?.[0];
          return s?.active_vus === 6 && s?.target_vus === 6;
        }, 15_000, "6 VUs active over the two parts");
        expect((await api("pause"))?.paused).toBe(true);
        await Bun.sleep(1500); // the parts' batches of the paused second
        const before = (await api("status")).parts.map((p: any) => p.requests);
        await Bun.sleep(2200);
        const during = (await api("status")).parts.map((p: any) => p.requests);
        expect(during).toEqual(before); // no request while paused, on any part
        expect((await api("resume"))?.paused).toBe(false);
        await until(async () => (await api("status")).parts.every((p: any, i: number) => p.requests > during[i]), 15_000, "requests again on every part");
        await api("stop");
      },
    });
    expect(Date.now() - t0).toBeLessThan(45_000); // the stop, not the 30 s duration, ended it
    expect(r.agg.code).toBe(99);
    expect(r.agg.summary.aborted).toBe("stopped by control API");
    for (const p of r.parts) {
      expect(p.code).toBe(0);
      expect(p.summary.aborted).toBe("stopped by control API");
      expect(summaryQueries(p.summary).series("vus_max")[0]!.agg.max).toBe(3); // half of 6 each
    }
  });

  test("a part that does not trust the aggregator's certificate cannot join", async () => {
    const dir = scratch({ "plan.yaml": PLAN });
    const port = freePort();
    const agg = Bun.spawn([resolve(import.meta.dir, "../dist/loadr"), "aggregate", "plan.yaml", "--parts", "1", "--listen", `127.0.0.1:${port}`, "--tls-cert", join(CERTS, "server.pem"), "--tls-key", join(CERTS, "server-key.pem"), "--barrier-timeout", "20s"], {
      cwd: dir,
      stdout: "ignore",
      stderr: "ignore",
    });
    try {
      const part = await loadr(["run", "plan.yaml", "--segment", "1/1", "--join", `127.0.0.1:${port}`, "--tls-ca", join(CERTS, "other-ca.pem"), "--join-timeout", "2s"], { cwd: dir, timeoutMs: 20_000 });
      expect(part.code).toBe(1);
      expect(part.stdout).toBe("");
      expect(part.stderr.trim().split("\n").at(-1)).toMatch(/^error: no aggregator answered at 127\.0\.0\.1:\d+ within 2 s \(.+\)/);
    } finally {
      agg.kill();
      await agg.exited;
    }
  });
});
