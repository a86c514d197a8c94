/**
 * The hostile suite, run side: runs that meet a broken environment still end on time with their
 * summary (docs/reliability.md). Each case failed before its fix.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

describe("outputs whose peer is gone", () => {
  test("a statsd port with nothing listening is one warning and a note; the run and its summary go on", async () => {
    // a UDP port just released: nothing listens there, so the kernel answers "port unreachable"
    const probe = await Bun.udpSocket({ hostname: "127.0.0.1" });
    const port = probe.port;
    probe.close();
    const r = await runPlan(`${ECHO_HEADER}
scenarios:
  s: { executor: shared-iterations, vus: 2, iterations: 400, flow: [{ request: { url: /json } }] }
outputs: [{ type: statsd, address: "127.0.0.1:${port}" }]
`);
    expect(r.stderr).not.toContain("Bun v");
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs")).toBe(400);
    const warned = r.stderr.split("\n").filter((l) => l.includes(`nothing receives datagrams at 127.0.0.1:${port}`));
    expect(warned.length).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`statsd output: \\d+ datagram\\(s\\) were refused by 127\\.0\\.0\\.1:${port}`));
  });
});
