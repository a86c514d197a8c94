/**
 * The hostile suite, plan side: plans written to hurt the runner — files that never end, an
 * alias bomb, numbers past every range, tags that never repeat — each with its expected outcome
 * (docs/reliability.md "Bounds on what a run holds"). Through dist/loadr, as a user meets them.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { loadr, LOADR, scratch, untilLoadRuns } from "./support/cli.ts";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";
import { measuredRun } from "./support/measured-run.ts";
import { MAX_TIMER_MS, setLongTimeout } from "../src/util/long-timeout.ts";
import { startEcho } from "../src/services/echo/server.ts";
import { DEFAULT_WS_OPTIONS } from "../src/protocols/ws/options.ts";
import { DEFAULT_SSE_OPTIONS } from "../src/protocols/sse/options.ts";
import { streamHandlers } from "./support/stream-handlers.ts";
import { PLAN_FILE_CAPS, readPlanFile } from "../src/util/plan-file.ts";
import { defaultMemoryLimit, machineMemory, parseMemoryLimit } from "../src/run/memory-guard.ts";

setDefaultTimeout(60_000);

/** A FIFO in `dir` fed forever by `yes` (which ends on SIGPIPE once the reader closes it). */
function endlessFifo(dir: string, name: string): { path: string; stop(): void } {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  const writer = Bun.spawn(["sh", "-c", `exec yes loadr > '${path}'`], { stdout: "ignore", stderr: "ignore" });
  return { path, stop: () => writer.kill("SIGKILL") };
}

const writers: { stop(): void }[] = [];
afterAll(() => writers.forEach((w) => w.stop()));

/** The run's lines that are errors, for "one clear line" checks. */
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("error") || l.includes(": error"));

describe("files a plan names are bounded", () => {
  const ONE_REQUEST = (extra: string, request = `{ url: /json }`) => `${ECHO_HEADER}
${extra}
scenarios:
  s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [{ request: ${request} }] }
`;

  test("/dev/zero as a body, a CSV or a secret is refused at validate and at run, with file:line", async () => {
    const cases: [string, string, string][] = [
      ["body", ONE_REQUEST("", `{ url: /echo, method: POST, body: { file: /dev/zero } }`), "body file `/dev/zero`: it is a character device"],
      ["multipart", ONE_REQUEST("", `{ url: /echo, method: POST, body: { multipart: [{ name: f, file: /dev/zero }] } }`), "multipart file `/dev/zero`: it is a character device"],
      ["csv", ONE_REQUEST("data:\n  d: { type: csv, path: /dev/zero }"), "data file `/dev/zero`: it is a character device"],
      ["secret", ONE_REQUEST("secrets:\n  k: { file: /dev/zero }"), "secret file `/dev/zero`: it is a character device"],
    ];
    for (const [what, plan, message] of cases) {
      const d = scratch({ "plan.yaml": plan });
      for (const cmd of ["validate", "run"]) {
        const r = await loadr([cmd, "plan.yaml"], { cwd: d, timeoutMs: 20_000 });
        expect({ what, cmd, code: r.code }).toEqual({ what, cmd, code: 1 });
        expect(r.stderr).toMatch(new RegExp(`plan\\.yaml: error at line \\d+, column \\d+ \\([^)]*\\): ${message.replace(/[`/()]/g, "\\$&")}`));
        expect(r.stderr).not.toContain("    at ");
      }
    }
  });

  test("/dev/zero as a TLS file or a proto file is refused with file:line; an imported proto or a FIFO-fed CA file at run", async () => {
    const step = `{ url: "https://127.0.0.1:9/" }`;
    const grpc = (proto: string) => `{ url: "grpc://127.0.0.1:9", protocol: grpc, grpc: { service: x.Y, method: Z, proto_files: [${proto}] } }`;
    const plan = (tls: string, request: string) =>
      `defaults:\n  http:\n    tls: { ${tls} }\nscenarios:\n  s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [{ request: ${request} }] }\n`;
    const cases: [string, string, string][] = [
      ["ca", plan("ca_file: /dev/zero", step), "TLS CA file `/dev/zero`: it is a character device"],
      ["cert", plan("cert_file: /dev/zero, key_file: k.pem", step), "TLS certificate file `/dev/zero`: it is a character device"],
      ["key", plan("cert_file: k.pem, key_file: /dev/zero", step), "TLS key file `/dev/zero`: it is a character device"],
      ["proto", plan("", grpc("/dev/zero")), "proto file `/dev/zero`: it is a character device"],
    ];
    for (const [what, text, message] of cases) {
      const d = scratch({ "plan.yaml": text, "k.pem": "" });
      for (const cmd of ["validate", "run"]) {
        const r = await loadr([cmd, "plan.yaml"], { cwd: d, timeoutMs: 20_000 });
        expect({ what, cmd, code: r.code }).toEqual({ what, cmd, code: 1 });
        expect(r.stderr).toMatch(new RegExp(`plan\\.yaml: error at line \\d+, column \\d+ \\([^)]*\\): ${message.replace(/[`/()]/g, "\\$&")}`));
        expect(r.stderr).not.toContain("    at ");
      }
    }
    // protobufjs reads the imports itself: an import that is /dev/zero is refused before it reads it
    const d = scratch({
      "plan.yaml": plan("", grpc("a.proto")),
      "a.proto": `syntax = "proto3";\nimport "zero.proto";\npackage x;\nservice Y { rpc Z (M) returns (M); }\nmessage M {}\n`,
    });
    symlinkSync("/dev/zero", join(d, "zero.proto"));
    const imported = await loadr(["run", "plan.yaml"], { cwd: d, timeoutMs: 20_000 });
    expect(imported.code).toBe(1);
    expect(errorLines(imported.stderr)).toEqual([
      `error: plan.yaml:5:156 (scenarios.s.flow[0].request.grpc.proto_files): cannot load the proto files: cannot read proto file ${join(d, "zero.proto")} (imported by ${join(d, "a.proto")}): it is a character device; name a regular file, a symlink to one, or a FIFO`,
    ]);
    // a FIFO passes validate's check (its size is known only by reading it): the run reads it up to the cap
    const fifo = endlessFifo(d, "ca.fifo");
    writers.push(fifo);
    writeFileSync(join(d, "fifo.yaml"), plan("ca_file: ca.fifo", step));
    const endless = await loadr(["run", "fifo.yaml"], { cwd: d, timeoutMs: 20_000 });
    expect(endless.code).toBe(1);
    expect(errorLines(endless.stderr)).toEqual(["error: TLS file `ca.fifo`: it holds more than the 4 MiB limit for a TLS file"]);
  });

  test("open() in a module: a symlink to /dev/zero or an endless FIFO below the plan is one line, not a read forever", async () => {
    const plan = `scenarios:\n  s: { executor: shared-iterations, vus: 1, iterations: 1, exec: run }\njs:\n  file: lib.js\n`;
    for (const [name, message] of [
      ["zero", "it is a character device; name a regular file, a symlink to one, or a FIFO"],
      ["feed.fifo", "it holds more than the 256 MiB limit for a data file"],
    ]) {
      const d = scratch({ "plan.yaml": plan, "lib.js": `const rows = open("./${name}");\nexport function run() {}\n` });
      if (name === "zero") symlinkSync("/dev/zero", join(d, name));
      else writers.push(endlessFifo(d, name));
      const r = await loadr(["run", "plan.yaml"], { cwd: d, timeoutMs: 30_000 });
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(errorLines(r.stderr)).toEqual([`error: js module: the module's init code failed: open(\`./${name}\`): ${message}`]);
    }
  });

  test("a plan that is /dev/zero, or a FIFO fed forever, is one line naming the file and the 16 MiB limit", async () => {
    const d = scratch();
    const fifo = endlessFifo(d, "plan.fifo");
    writers.push(fifo);
    const zero = await loadr(["run", "/dev/zero"], { timeoutMs: 20_000 });
    expect(zero.code).toBe(1);
    expect(zero.stderr.split("\n")[0]).toBe("/dev/zero: error: cannot read `/dev/zero`: it is a character device; name a regular file, a symlink to one, or a FIFO");
    const t0 = performance.now();
    const endless = await loadr(["validate", fifo.path], { timeoutMs: 20_000 });
    expect(endless.code).toBe(1);
    expect(endless.stderr).toContain(`cannot read \`${fifo.path}\`: it holds more than the 16 MiB limit for a plan`);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  test("a secret fed by a FIFO is read up to its 1 MiB cap; a symlinked secret (Kubernetes) is read", async () => {
    const d = scratch({ "real-token": "s3cr3t\n" });
    mkdirSync(join(d, "mount"));
    symlinkSync(join(d, "real-token"), join(d, "mount", "token"));
    const fifo = endlessFifo(d, "token.fifo");
    writers.push(fifo);
    const plan = (file: string) => ONE_REQUEST(`secrets:\n  k: { file: ${file} }`, `{ url: "/echo", method: POST, body: "\${secrets.k}" }`);
    writeFileSync(join(d, "linked.yaml"), plan("mount/token"));
    writeFileSync(join(d, "fifo.yaml"), plan("token.fifo"));
    const linked = await loadr(["run", "linked.yaml", "-q"], { cwd: d, timeoutMs: 30_000 });
    expect(linked.code).toBe(0);
    const endless = await loadr(["run", "fifo.yaml", "-q"], { cwd: d, timeoutMs: 30_000 });
    expect(endless.code).toBe(1);
    expect(errorLines(endless.stderr)).toEqual(["error: secret `k`: cannot read `token.fifo`: it holds more than the 1 MiB limit for a secret file"]);
  });

  test("a data file over 256 MiB is refused by its size before a byte is read", async () => {
    const d = scratch({ "plan.yaml": ONE_REQUEST("data:\n  d: { type: csv, path: big.csv }") });
    writeFileSync(join(d, "big.csv"), "a\n1\n");
    truncateSync(join(d, "big.csv"), 300 * 1024 * 1024); // sparse: nothing is written to disk
    const r = await loadr(["validate", "plan.yaml"], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(data.d.path): data file `big.csv`: it is 300 MiB, over the 256 MiB limit for a data file");
  });

  test("readPlanFile: exactly the cap is read, one byte more is refused", () => {
    const d = scratch();
    const at = join(d, "s");
    writeFileSync(at, Buffer.alloc(PLAN_FILE_CAPS.secret, 0x61));
    expect(readPlanFile(at, "secret").length).toBe(PLAN_FILE_CAPS.secret);
    writeFileSync(at, Buffer.alloc(PLAN_FILE_CAPS.secret + 1, 0x61));
    expect(() => readPlanFile(at, "secret")).toThrow("it is 1 MiB, over the 1 MiB limit for a secret file");
    expect(() => readPlanFile(d, "secret")).toThrow("it is a directory");
    expect(() => readPlanFile(join(d, "nope"), "secret")).toThrow("no such file");
  });
});

describe("YAML alias bombs", () => {
  test("a billion-laughs plan is an error at the alias's line, not an internal error", async () => {
    const levels = "abcdefghi".split("");
    const lines = [`a: &a ["x","x","x","x","x","x","x","x","x"]`];
    for (let i = 1; i < levels.length; i++) lines.push(`${levels[i]}: &${levels[i]} [${Array(9).fill(`*${levels[i - 1]}`).join(",")}]`);
    const d = scratch({ "plan.yaml": `${lines.join("\n")}\nscenarios:\n  s: { executor: constant-vus, vus: 1, duration: 1s, flow: [] }\n` });
    for (const cmd of ["validate", "run"]) {
      const r = await loadr([cmd, "plan.yaml"], { cwd: d, timeoutMs: 20_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain("internal error");
      expect(r.stderr).toContain("plan.yaml: error at line 9, column 8: YAML aliases expand too far: `*h` stands for 43,046,721 values");
    }
  });
});

describe("numbers past every range", () => {
  test('"1e400" as a duration is refused as .inf is', async () => {
    for (const v of [`"1e400"`, `.inf`, `"${"9".repeat(320)}s"`]) {
      const d = scratch({ "plan.yaml": `scenarios:\n  s: { executor: constant-vus, vus: 1, duration: ${v}, flow: [] }\n` });
      const r = await loadr(["validate", "plan.yaml"], { cwd: d });
      expect({ v, code: r.code }).toEqual({ v, code: 1 });
      expect(r.stderr).toContain("(scenarios.s.duration)");
    }
  });

  test("a timer past setTimeout's 2^31-1 ms waits instead of firing after 1 ms", async () => {
    let fired = false;
    const t = setLongTimeout(() => (fired = true), MAX_TIMER_MS + 1);
    await Bun.sleep(100);
    t.clear();
    expect(fired).toBe(false);
  });

  test("a 30d think time and a 30d start_time are waited for (until the run is stopped)", async () => {
    const d = scratch({
      "plan.yaml": `${ECHO_HEADER}
scenarios:
  thinker: { executor: constant-vus, vus: 1, duration: 30d, graceful_stop: 0s, flow: [{ request: { url: /json } }, { think_time: { type: constant, duration: 30d } }] }
  later: { executor: constant-vus, vus: 1, duration: 1s, start_time: 30d, flow: [{ request: { url: /json } }] }
`,
    });
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "--progress", "--summary-export", "s.json"], { cwd: d, stdout: "ignore", stderr: "pipe" });
    // the stop comes once the thinker's request is done (the progress line's run-wide p95 has a
    // value), and a second more: 30d timers that fired at once would have made many requests by
    // then. (A fixed 2.5 s from the spawn stopped a loaded machine's run in its set-up: exit 130.)
    const load = untilLoadRuns(proc);
    while (!/ p95 +\d/.test(load.stderr()) && proc.exitCode === null) await Bun.sleep(50);
    await Bun.sleep(1000);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(99);
    const s = await Bun.file(join(d, "s.json")).json();
    const reqs = (scenario: string) =>
      s.snapshot.series.filter((x: any) => x.metric === "http_reqs" && x.tags.scenario === scenario).reduce((n: number, x: any) => n + x.agg.sum, 0);
    expect(reqs("thinker")).toBe(1);
    expect(reqs("later")).toBe(0);
  });

  test("a WebSocket frame's 30d delay and a 30d sse.duration are waited for, not fired after 1 ms", async () => {
    const DAYS_30 = 30 * 86_400_000;
    const echo = await startEcho({});
    let up = true;
    const h = streamHandlers();
    try {
      // the frame waits its delay, so the 1 s request timeout ends the session before it is sent
      const ws = await h.call("ws", { url: echo.wsUrl, timeoutMs: 1000, options: { ...DEFAULT_WS_OPTIONS, frames: [{ data: new TextEncoder().encode("x"), binary: false, delayMs: DAYS_30 }] } });
      expect({ kind: ws.errorKind, sent: (ws.extras as { msgs_sent: number }).msgs_sent }).toEqual({ kind: "timeout", sent: 0 });
      // a silent stream read for 30d of a 31d timeout: still open after 500 ms; it ends when the server goes
      const sse = h.call("sse", { url: echo.sseUrl + "?count=0&end=hold", timeoutMs: DAYS_30 + 86_400_000, options: { ...DEFAULT_SSE_OPTIONS, durationMs: DAYS_30 } });
      expect(await Promise.race([sse.then((r) => r.error), Bun.sleep(500).then(() => "still reading")])).toBe("still reading");
      up = false;
      await echo.stop();
      expect((await sse).error).not.toContain("sse.duration");
    } finally {
      if (up) await echo.stop();
    }
  });
});

describe("tags that never repeat", () => {
  const UNIQUE_NAMES = (iterations: number, maxSeries?: number) => `
plugins: [{ name: echo }]
defaults:
  http: { base_url: "\${services.echo.url}" }
${maxSeries !== undefined ? `  max_series: ${maxSeries}` : ""}
scenarios:
  s: { executor: shared-iterations, vus: 8, iterations: ${iterations}, flow: [{ request: { name: "/item/\${vu}/\${iteration}", url: /json } }] }
`;

  test("a name per request stops at 1,000 series per metric with one warning; the rest count under __overflow__", async () => {
    const r = await runPlan(UNIQUE_NAMES(3000), {}, ["--workers", "2"]);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      "warning: metric `http_reqs` reached 1,000 series: its tag `name` has 1,000 values; new values of `name` are recorded as `name=__overflow__` (a request's `name:` groups URLs; --max-series raises the bound)",
    ]);
    expect(r.series("http_reqs").length).toBeLessThanOrEqual(1001);
    expect(r.sum("http_reqs")).toBe(3000);
    expect(r.sum("http_reqs", { name: "__overflow__" })).toBeGreaterThanOrEqual(2000);
    expect(r.summary.breakdown.names.rows[0].key).toBe("__overflow__");
  });

  test("the bound is the plan's defaults.max_series, and --max-series wins over it", async () => {
    const plan = await runPlan(UNIQUE_NAMES(300, 50));
    expect(plan.code).toBe(0);
    expect(plan.series("http_reqs").length).toBe(51);
    const flag = await runPlan(UNIQUE_NAMES(300, 50), {}, ["--max-series", "20"]);
    expect(flag.series("http_reqs").length).toBe(21);
    expect(flag.stderr).toContain("reached 20 series");
  });

  test("setup()'s requests are bounded by the plan's max_series, not the default", async () => {
    const r = await runPlan(
      `${ECHO_HEADER}  max_series: 2000
js:
  file: lib.js
scenarios:
  s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [{ request: { url: /json } }] }
`,
      { "lib.js": `import http from "k6/http";\nexport function setup() { for (let i = 0; i < 1200; i++) http.get("/json", { tags: { name: "setup-" + i } }); }\n` },
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs")).toBe(1201);
    // past the default 1,000 the setup's sink would have capped `name` before the run's bound
    expect(r.series("http_reqs").length).toBe(1201);
    expect(r.stderr).not.toContain("reached");
  });
});

describe("a plan that keeps what it allocates", () => {
  test("--max-memory stops the run with its summary and one line, before the kernel would", async () => {
    const r = await measuredRun(
      `
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: 60s
    flow:
      - js: "globalThis.keep = globalThis.keep || []; keep.push(new Float64Array(4 * 1024 * 1024).fill(1))"
      - think_time: { type: constant, duration: 100ms }
`,
      { args: ["--max-memory", "400MB"] },
    );
    expect(r.code).toBe(99);
    expect(r.elapsedMs).toBeLessThan(45_000);
    expect(r.stdout.split("\n").filter((l) => l.includes("run aborted"))).toEqual([
      expect.stringMatching(/^  ! run aborted: memory: the process used \d+ MB, past --max-memory 400 MB \(/),
    ]);
    expect(r.count("iterations")).toBeGreaterThan(0);
    // past the bound by what the leak adds until the guard acts (it samples every 50 ms, later on a
    // loaded machine) and the workers stop; without it the leak would reach gigabytes in 60 s
    expect(r.maxRss).toBeLessThan(2 * 400 * 1024 * 1024);
  });

  test("--max-memory takes a size, a share of the machine's memory or off; anything else is one usage line", async () => {
    expect(parseMemoryLimit("512MB")).toBe(512 * 1024 * 1024);
    expect(parseMemoryLimit("off")).toBe(0);
    expect(parseMemoryLimit("50%")).toBe(Math.floor(machineMemory() * 0.5));
    expect(defaultMemoryLimit()).toBe(Math.floor(machineMemory() * 0.8));
    const d = scratch({ "plan.yaml": `scenarios:\n  s: { executor: shared-iterations, vus: 1, iterations: 1, flow: [] }\n` });
    for (const bad of ["12XB", "150%", "-1GB"]) {
      const r = await loadr(["run", "plan.yaml", `--max-memory=${bad}`], { cwd: d });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: --max-memory: /)]);
    }
  });
});
