/**
 * The hostile suite, run side: runs that meet a broken environment still end on time with their
 * summary (docs/reliability.md). Each case failed before its fix.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";
import { measuredRun } from "./support/measured-run.ts";

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

describe("a disk that fills up", () => {
  test("exports are whole or absent: a write that fails partway (EFBIG past `ulimit -f`) leaves the previous file, not a truncated one", async () => {
    // 4 KiB per file: the summary export and the report are larger, so their write fails partway
    // (SIGXFSZ ignored, as a full disk's ENOSPC the write returns EFBIG); the JUnit file fits
    const r = await measuredRun(
      `${ECHO_HEADER}
scenarios:
  s: { executor: shared-iterations, vus: 1, iterations: 20, flow: [{ request: { url: /json } }, { request: { url: /status/404 } }] }
`,
      { files: { "s.json": '{"previous": true}\n' }, shellPrefix: "ulimit -f 8; trap '' XFSZ", args: ["-q", "--report", "r.html", "--junit", "j.xml"] },
    );
    const dir = r.dir;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot write ${join(dir, "s.json")}: EFBIG`);
    expect(r.stderr).toContain("cannot write r.html: EFBIG");
    expect(readFileSync(join(dir, "s.json"), "utf8")).toBe('{"previous": true}\n');
    expect(existsSync(join(dir, "r.html"))).toBe(false);
    expect(readFileSync(join(dir, "j.xml"), "utf8")).toEndWith("</testsuites>\n");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
