/**
 * Bad input to a scale-out test (issue 25, docs/distributed.md): each is one clear line, and a
 * part never starts load without its barrier — a refused part writes no summary and sends no
 * request.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOADR, loadr, scratch } from "./support/cli.ts";
import { summaryQueries } from "./support/run-plan.ts";
import { freePort, spawnLoadr, until } from "./support/scale-out.ts";

setDefaultTimeout(60_000);

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 4
    iterations: 3
    flow: [{ request: { url: /x } }]
`;

/** An aggregator (short barrier) and parts with their own arguments; every process's result. */
async function attempt(aggArgs: string[], parts: string[][], env: (i: number) => Record<string, string> = () => ({})) {
  const dir = scratch({ "plan.yaml": PLAN, "token": "s3cret\n", "other-token": "nope\n" });
  const plan = join(dir, "plan.yaml");
  const port = freePort();
  const agg = spawnLoadr(["aggregate", plan, "--listen", `127.0.0.1:${port}`, "--barrier-timeout", "3s", ...aggArgs], { cwd: dir });
  const ps = parts.map((args, i) =>
    spawnLoadr(["run", plan, "--join", `127.0.0.1:${port}`, "--join-timeout", "10s", "--workers", "1", "--summary-export", join(dir, `p${i}.json`), ...args], { cwd: dir, env: env(i) }),
  );
  const [a, ...rest] = await Promise.all([agg.done, ...ps.map((p) => p.done)]);
  return { dir, agg: a!, parts: rest };
}

const lastLine = (s: string) => s.trim().split("\n").at(-1)!;

describe("scale-out bad input", () => {
  test("a part whose plan differs (another --vus) is refused with the two fingerprints; the aggregator gives up at its barrier", async () => {
    const r = await attempt(["--parts", "1"], [["--segment", "1/1", "--vus", "3"]]);
    expect(r.parts[0]!.code).toBe(1);
    expect(lastLine(r.parts[0]!.stderr)).toMatch(/^error: the aggregator at 127\.0\.0\.1:\d+ refused this part: this part's plan differs from the aggregator's \(fingerprint [0-9a-f]{16}, the aggregator's [0-9a-f]{16}\): give every part the same plan, files and plan flags/);
    expect(r.agg.code).toBe(1);
    expect(lastLine(r.agg.stderr)).toMatch(/^error: start barrier: 0 of 1 part was ready after 3 s; no load was sent \(start every part with --join 127\.0\.0\.1:\d+, or --on-barrier-timeout start/);
  });

  test("a wrong token and a missing token are refused; the token comes from a file or LOADR_TOKEN", async () => {
    const r = await attempt(
      ["--parts", "3", "--token-file", "token"],
      [["--segment", "1/3", "--token-file", "other-token"], ["--segment", "2/3"], ["--segment", "3/3"]],
      (i): Record<string, string> => (i === 2 ? { LOADR_TOKEN: "s3cret" } : {}),
    );
    expect(lastLine(r.parts[0]!.stderr)).toContain("refused this part: wrong token: the part's token is not the aggregator's (--token-file, or LOADR_TOKEN)");
    expect(lastLine(r.parts[1]!.stderr)).toContain("refused this part: this aggregator requires a token: give the part the same one (--token-file, or LOADR_TOKEN)");
    expect(r.parts[0]!.code).toBe(1);
    expect(r.parts[1]!.code).toBe(1);
    // the third, with the right token from the environment, got in and waited at the barrier, which then gave up: no load
    expect(r.agg.stderr).toContain("part 3/3 joined from");
    expect(lastLine(r.parts[2]!.stderr)).toBe("error: the aggregator ended this part: the aggregator gave up at the start barrier");
    expect(r.parts[2]!.stdout).toBe("");
  });

  test("a segment twice, segments striped differently, a segment of another count: each refused; segments that do not tile 0:1 start nothing", async () => {
    const dir = scratch({ "plan.yaml": PLAN });
    const plan = join(dir, "plan.yaml");
    const port = freePort();
    const agg = spawnLoadr(["aggregate", plan, "--listen", `127.0.0.1:${port}`, "--parts", "2", "--barrier-timeout", "20s"], { cwd: dir });
    const part = (args: string[]) => loadr(["run", plan, "--join", `127.0.0.1:${port}`, "--workers", "1", ...args], { cwd: dir, timeoutMs: 20_000 });
    const seq = ["--execution-segment-sequence", "0,1/3,2/3,1"];
    const first = spawnLoadr(["run", plan, "--join", `127.0.0.1:${port}`, "--workers", "1", "--execution-segment", "0:1/3", ...seq], { cwd: dir });
    await until(() => agg.err().includes("joined from"), 20_000, "the first part");
    const twice = await part(["--execution-segment", "0:1/3", ...seq]);
    expect(lastLine(twice.stderr)).toContain("refused this part: segment 0:1/3 has already joined this test");
    const striped = await part(["--execution-segment", "1/2:1"]);
    expect(lastLine(striped.stderr)).toContain("refused this part: segment 1/2:1 is striped over 2 units and segment 0:1/3 over 3: give every part the same --execution-segment-sequence");
    const otherCount = await part(["--segment", "2/3"]);
    expect(lastLine(otherCount.stderr)).toContain("refused this part: this test has 2 parts (loadr aggregate --parts 2), but this part is --segment 2/3: use --segment i/2");
    for (const r of [twice, striped, otherCount]) expect([r.code, r.stdout]).toEqual([1, ""]);
    // a second part that fits but leaves 2/3:1 uncovered: the test does not start, nothing is sent
    const second = spawnLoadr(["run", plan, "--join", `127.0.0.1:${port}`, "--workers", "1", "--execution-segment", "1/3:2/3", ...seq], { cwd: dir });
    const [a, f, s] = await Promise.all([agg.done, first.done, second.done]);
    expect(a.code).toBe(1);
    expect(lastLine(a.stderr)).toBe("error: the parts' segments (0:1/3, 1/3:2/3) leave 2/3:1 of the test uncovered: together they must tile 0:1");
    for (const p of [f, s]) {
      expect(p.code).toBe(1);
      expect(lastLine(p.stderr)).toContain("leave 2/3:1 of the test uncovered");
      expect(p.stdout).toBe(""); // no summary: the load never started
    }
  });

  test("an aggregator that never answers: one line after --join-timeout, no load", async () => {
    const dir = scratch({ "plan.yaml": PLAN });
    const port = freePort();
    const t0 = Date.now();
    const r = await loadr(["run", join(dir, "plan.yaml"), "--segment", "1/2", "--join", `127.0.0.1:${port}`, "--join-timeout", "1s"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toMatch(new RegExp(`^error: no aggregator answered at 127\\.0\\.0\\.1:${port} within 1 s \\(.+\\): is \`loadr aggregate\` running there, and the port open\\?$`));
    expect(r.stdout).toBe("");
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  test("flags: segments out of range or not fractions, --join without a segment, the other command's flags, the reference's controller", async () => {
    const dir = scratch({ "plan.yaml": PLAN });
    writeFileSync(join(dir, "t"), "");
    const plan = join(dir, "plan.yaml");
    const cases: [string[], string][] = [
      [["run", plan, "--segment", "5/4"], "error: --segment 5/4: i must be from 1 to 4 (parts are numbered from 1)"],
      [["run", plan, "--segment", "0/4"], "error: --segment 0/4: i must be from 1 to 4 (parts are numbered from 1)"],
      [["run", plan, "--segment", "half"], "error: --segment must be i/N, part i of N (e.g. 2/4), got `half`"],
      [["run", plan, "--execution-segment", "1/2:1/4"], "error: --execution-segment 1/2:1/4: the start must be below the end"],
      [["run", plan, "--execution-segment", "1/4:x"], "error: --execution-segment: `x` is not a fraction (write 1/4, 0.25 or 25%)"],
      [["run", plan, "--execution-segment", "1/4:1/2", "--execution-segment-sequence", "0,1/3,1"], "error: --execution-segment 1/4:1/2 is not a segment of the sequence 0,1/3,1"],
      [["run", plan, "--execution-segment", "0:1/2", "--execution-segment-sequence", "0,1/2,1/4,1"], "error: --execution-segment-sequence must increase: 1/2 then 1/4"],
      [["run", plan, "--segment", "1/2", "--execution-segment", "0:1/2"], "error: give --segment i/N or --execution-segment a:b, not both"],
      [["run", plan, "--join", "127.0.0.1:1"], "error: --join needs the part this process runs: --segment i/N (or --execution-segment a:b)"],
      [["run", plan, "--segment", "1/2", "--join", "127.0.0.1:1", "--api", "127.0.0.1:0"], "error: a part is controlled through its aggregator: give --api and --ui to `loadr aggregate`"],
      [["run", plan, "--segment", "1/2", "--join", "127.0.0.1:1", "--token-file", join(dir, "t")], `error: --token-file ${join(dir, "t")} is empty: put the shared token in it`],
      [["run", plan, "--parts", "2"], "error: --parts is a flag of `loadr aggregate` (the aggregator of a scale-out test)"],
      [["aggregate", plan, "--listen", "127.0.0.1:0"], "error: aggregate: give the number of parts and where they join, e.g. `loadr aggregate plan.yaml --parts 4 --listen 0.0.0.0:6570`"],
      [["aggregate", plan, "--parts", "2", "--listen", "127.0.0.1:0", "--workers", "2"], "error: --workers: the aggregator runs no workers (each part has its own --workers)"],
      [["aggregate", plan, "--parts", "2", "--listen", "127.0.0.1:0", "--segment", "1/2"], "error: --segment is a flag of a part (`loadr run --segment i/N --join host:port`), not of the aggregator"],
      [["aggregate", plan, "--parts", "2", "--listen", "nowhere"], "error: --listen nowhere: `nowhere` is not an address: use host:port, e.g. 127.0.0.1:6565"],
      [["aggregate", plan, "--parts", "2", "--listen", "127.0.0.1:0", "--tls-cert", "c.pem"], "error: --tls-cert and --tls-key go together (the aggregator's certificate and its key)"],
      [["aggregate", plan, "--parts", "2", "--listen", "127.0.0.1:0", "--on-part-loss", "ignore"], "error: --on-part-loss must be continue or abort, got `ignore`"],
      [["run", plan, "--controller", "127.0.0.1:6464"], "loadr has no controller or agents: run `loadr aggregate plan.yaml --parts N --listen host:port` and start each part with `loadr run plan.yaml --segment i/N --join host:port` (docs/distributed.md)"],
      [["controller"], "error: `loadr controller`: loadr has no controller or agents"],
      [["agent", "--join", "127.0.0.1:7625"], "error: `loadr agent`: loadr has no controller or agents"],
    ];
    for (const [args, line] of cases) {
      const r = await loadr(args, { cwd: dir, timeoutMs: 15_000 });
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(line);
    }
  });

  test("open files: the whole test's 400 VUs do not fit 600, a part's 100 do (a part needs them for its own share only)", async () => {
    const plan = PLAN.replace("vus: 4\n    iterations: 3", "vus: 400\n    iterations: 1");
    const dir = scratch({ "plan.yaml": plan });
    const run = async (args: string) => {
      const p = Bun.spawn(["/bin/sh", "-c", `ulimit -n 600 && exec '${LOADR}' run plan.yaml --workers 1 -q ${args}`], { cwd: dir, env: { PATH: "/usr/bin:/bin", NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" });
      const [stderr, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
      return { code, stderr };
    };
    const whole = await run("");
    expect(whole.code).toBe(1);
    expect(lastLine(whole.stderr)).toContain("error: 400 VUs at once need at least 928 open files");
    const part = await run("--segment 1/4 --summary-export part.json");
    expect(part.code).toBe(0);
    expect(summaryQueries(JSON.parse(readFileSync(join(dir, "part.json"), "utf8"))).sum("http_reqs")).toBe(100);
  });

  test("the rate one process can start is checked against the part's share: 1.5M/s is refused whole, and passes as 1/2", async () => {
    const plan = `
scenarios:
  s:
    executor: constant-arrival-rate
    rate: 1500000
    duration: 1s
    pre_allocated_vus: 10
    max_vus: 10
    flow: [{ request: { url: "http://127.0.0.1:9/" } }]
`;
    const dir = scratch({ "plan.yaml": plan });
    const whole = await loadr(["run", "plan.yaml"], { cwd: dir, timeoutMs: 15_000 });
    expect(whole.code).toBe(1);
    expect(whole.stderr).toContain("1,500,000 iterations/s is more than one loadr process can start");
    // as part 1 of 2 the plan is valid: what stops it is the aggregator nobody runs, before any load
    const part = await loadr(["run", "plan.yaml", "--segment", "1/2", "--join", `127.0.0.1:${freePort()}`, "--join-timeout", "1s"], { cwd: dir, timeoutMs: 15_000 });
    expect(part.code).toBe(1);
    expect(part.stderr).not.toContain("iterations/s is more than");
    expect(lastLine(part.stderr)).toStartWith("error: no aggregator answered at 127.0.0.1:");
  });
});

