/**
 * The hostile suite, plugin side: plugin archives and native plugins written to hurt the host —
 * each attack with its expected outcome (docs/reliability.md "Bounds on what a run holds"). Archives are installed
 * through dist/loadr; native plugins are C fixtures built from source here.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { loadr, LOADR, scratch } from "./support/cli.ts";
import { buildC } from "./support/native.ts";
import { frame, frameHeader, FrameKind, FrameReader } from "../src/plugins/host/native/frames.ts";
import { runPlan, summaryQueries } from "./support/run-plan.ts";
import { watchPeakRss } from "./support/measured-run.ts";
import { artifactText, manifestText, pluginTarGz, tar, zip } from "./support/plugin-fixtures.ts";

setDefaultTimeout(60_000);

/** gzip of `head` followed by `zeros` zero bytes, streamed (nothing that size is held). */
async function gzipWithZeros(head: Uint8Array, zeros: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gz.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gz.on("end", r));
  gz.write(head);
  const block = Buffer.alloc(1 << 20);
  for (let left = zeros; left > 0; left -= block.length) gz.write(left >= block.length ? block : block.subarray(0, left));
  gz.end();
  await done;
  return Buffer.concat(chunks);
}

describe("plugin archives", () => {
  const plugin = { name: "t" };
  const attacks: [string, () => Uint8Array | Promise<Uint8Array>, string, string][] = [
    [
      "300 MiB of zeros after the tar's end, inside the gzip stream",
      () => gzipWithZeros(tar([{ path: "t-1.0.0/plugin.toml", data: manifestText(plugin) }, { path: "t-1.0.0/t.wasm", data: artifactText(plugin) }]), 300 * 1024 * 1024),
      "t.tar.gz",
      "archive t.tar.gz unpacks to more than 256 MiB (cap); refusing to install",
    ],
    ["the same file twice", () => pluginTarGz(plugin, [{ path: "{top}/x", data: "a" }, { path: "{top}/x", data: "b" }]), "t.tar.gz", "`x` appears twice (a file, then a file); refusing to install"],
    ["a file where a directory is needed", () => pluginTarGz(plugin, [{ path: "{top}/x", data: "a" }, { path: "{top}/x/y", data: "b" }]), "t.tar.gz", "`x/y` needs `x` to be a directory, but the archive has it as a file"],
    ["a directory, then a file of the same name", () => pluginTarGz(plugin, [{ path: "{top}/x/", type: "5" }, { path: "{top}/x", data: "b" }]), "t.tar.gz", "`x` appears twice (a directory, then a file)"],
    [
      "a name over 255 bytes",
      () => zip([{ path: "plugin.toml", data: manifestText(plugin) }, { path: "t.wasm", data: artifactText(plugin) }, { path: "a".repeat(300), data: "x" }]),
      "t.zip",
      "has a name over 255 bytes; refusing to install",
    ],
    [
      "a path over 1024 bytes",
      () => zip([{ path: "plugin.toml", data: manifestText(plugin) }, { path: "t.wasm", data: artifactText(plugin) }, { path: `${"d/".repeat(600)}x`, data: "x" }]),
      "t.zip",
      "has a path over 1024 bytes; refusing to install",
    ],
  ];
  for (const [what, make, file, message] of attacks) {
    test(`refuses ${what} with one line, leaving nothing behind`, async () => {
      const root = scratch();
      const plugins = join(root, "plugins");
      writeFileSync(join(root, file), await make());
      const t0 = performance.now();
      const r = await loadr(["plugin", "install", file, "--allow-untrusted", "--plugins-dir", plugins], { cwd: root, timeoutMs: 50_000 });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(message)]);
      expect(r.stderr).not.toContain("internal error");
      expect(existsSync(plugins) ? readdirSync(plugins) : []).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(30_000);
    });
  }
});

describe("plugin files that never end", () => {
  // /dev/zero behind a name a plan or a command accepts: each is read forever without a bound
  const cases: [string, (dir: string) => string[], string][] = [
    [
      "a plan's WASM plugin path",
      (dir) => {
        symlinkSync("/dev/zero", join(dir, "p.wasm"));
        writeFileSync(join(dir, "plan.yaml"), `plugins:\n  - name: p\n    path: p.wasm\n    config: { kind: extractor }\nscenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow:\n      - request: { url: "http://127.0.0.1:9/" }\n`);
        return ["run", "plan.yaml"];
      },
      "it is a character device; name a regular file",
    ],
    [
      "the plugin.toml of a plugin folder a plan names",
      (dir) => {
        mkdirSync(join(dir, "p"));
        symlinkSync("/dev/zero", join(dir, "p", "plugin.toml"));
        writeFileSync(join(dir, "plan.yaml"), `plugins:\n  - name: p\n    path: p\nscenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow:\n      - request: { url: "http://127.0.0.1:9/" }\n`);
        return ["run", "plan.yaml"];
      },
      "it is a character device; name a regular file",
    ],
    [
      "`loadr report`'s input",
      (dir) => {
        symlinkSync("/dev/zero", join(dir, "summary.json"));
        return ["report", "summary.json"];
      },
      "cannot read summary.json (it is a character device",
    ],
  ];
  for (const [what, setUp, message] of cases) {
    test(`${what} on /dev/zero is one line, at once`, async () => {
      const dir = scratch();
      const t0 = performance.now();
      const r = await loadr(setUp(dir), { cwd: dir, timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(message)]);
      expect(performance.now() - t0).toBeLessThan(20_000);
    });
  }
});

describe("native plugins under isolation: process", () => {
  let so = "";
  beforeAll(() => {
    so = buildC(join(import.meta.dir, "fixtures/native/hostile.c"), join(scratch(), "libhostile.so"));
  });
  /** A plan running the hostile plugin's `names` in order, `iterations` times, in a child process (or in process). */
  const plan = (names: string[], o: { iterations?: number; timeout?: string; isolation?: string; think?: string } = {}) => `
plugins:
  - { name: hostile, path: ${so}, isolation: ${o.isolation ?? "process"} }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: ${o.iterations ?? 1}
    flow:
${names.map((n) => `      - request: { name: ${n}, url: "hostile://h/"${o.timeout ? `, timeout: ${o.timeout}` : ""} }`).join("\n")}
${o.think ? `      - think_time: { type: constant, duration: ${o.think} }` : ""}
`;

  test("a crash is one warning line, not the runtime's crash report; counted as plugin_crash", async () => {
    const r = await runPlan(plan(["crash"], { iterations: 3, think: "300ms" }));
    expect(r.code).toBe(0);
    expect(r.count("hostile_reqs", { error_kind: "plugin_crash" })).toBe(3);
    expect(r.stderr).not.toContain("Bun has crashed");
    expect(r.stderr).not.toContain("panic(");
    // every line about the crash (the runtime's report had ~20 per crash: "Bun v…", "panic(…", "Segmentation fault")
    const lines = r.stderr.split("\n").filter((l) => /crash|panic|segmentation|Bun v|bun\.report/i.test(l));
    expect(lines).toEqual(Array(3).fill("warn: plugin `hostile` crashed (signal SIGSEGV) in its isolated process; its in-flight requests fail as plugin_crash and it is restarted"));
  });

  test("a plugin printing to its stdout does not corrupt the channel: its lines go to stderr", async () => {
    const r = await runPlan(plan(["print"], { iterations: 20, timeout: "5s" }));
    expect(r.code).toBe(0);
    expect(r.count("hostile_reqs")).toBe(20);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.stdout).not.toContain("chatter");
    expect(r.stderr.split("\n").filter((l) => l.startsWith("hostile plugin chatter 0"))).toHaveLength(20);
  });

  test("a bad result buffer is a transport error as in process, not a child death", async () => {
    const failureOf = (r: Awaited<ReturnType<typeof runPlan>>) => r.summary.breakdown.failures.map((f: any) => [f.kind, f.count, f.message]);
    const isolated = await runPlan(plan(["null-buffer", "ok"], { iterations: 3 }));
    const inProcess = await runPlan(plan(["null-buffer", "ok"], { iterations: 3, isolation: "in-process" }));
    expect(isolated.code).toBe(0);
    expect(failureOf(isolated)).toEqual(failureOf(inProcess));
    expect(failureOf(isolated)[0][2]).toBe("plugin `hostile` returned a null buffer with non-zero length 5");
    expect(isolated.count("hostile_reqs", { name: "ok", status: "200" })).toBe(3);
    expect(isolated.stderr).not.toContain("crashed");
    expect(isolated.stderr).not.toContain("    at ");
  });

  test("the frame reader is linear: a 512 MiB answer in 64 KiB chunks, headers split anywhere, declined frames dropped", () => {
    const got: [number, number][] = [];
    const reader = new FrameReader((tag) => tag !== 2);
    const onFrame = (tag: number, payload: Uint8Array) => void got.push([tag, payload.length]);
    const big = 512 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const t0 = performance.now();
    reader.push(frameHeader(1, big), onFrame);
    for (let n = 0; n < big; n += chunk.length) reader.push(chunk, onFrame);
    expect(performance.now() - t0).toBeLessThan(20_000); // joining chunk by chunk took hours
    // a declined frame (its request timed out) between two small ones, all cut at odd places
    const stream = new Uint8Array([...frame(3, new Uint8Array(5)), ...frameHeader(2, 100_000), ...new Uint8Array(100_000), ...frame(4, new Uint8Array(7), FrameKind.Error)]);
    for (let i = 0; i < stream.length; i += 7) reader.push(stream.subarray(i, i + 7), onFrame);
    expect(got).toEqual([[1, big], [3, 5], [4, 7]]);
  });

  test("the request timeout applies while a 512 MiB answer comes; the channel goes on after it", async () => {
    const d = scratch({
      "plan.yaml": `
plugins:
  - { name: hostile, path: ${so}, isolation: process }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { name: huge, url: "hostile://h/", timeout: 200ms }
      # by then the child has the answer (it takes it in well under 3 s): \`ok\`'s answer comes behind it
      - think_time: { type: constant, duration: 3s }
      - request: { name: ok, url: "hostile://h/", timeout: 60s }
`,
    });
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "-q", "--summary-export", "s.json"], { cwd: d, stdout: "ignore", stderr: "ignore" });
    // loadr's own peak, not its child's (which holds the plugin's 512 MiB)
    const peak = watchPeakRss(proc.pid);
    const code = await proc.exited;
    const peakBytes = peak.stop();
    expect(code).toBe(0);
    const r = summaryQueries(JSON.parse(readFileSync(join(d, "s.json"), "utf8")));
    const durations = (name: string) => r.series("hostile_req_duration", { name });
    expect(durations("huge").map((x) => x.tags.error_kind)).toEqual(["timeout"]);
    expect(durations("huge")[0]!.agg.max).toBeLessThan(5000);
    expect(durations("ok").map((x) => `${x.tags.status} ${x.tags.error_kind ?? "ok"}`)).toEqual(["200 ok"]);
    // the late answer is dropped as it arrives, never held whole by the parent
    expect(peakBytes).toBeLessThan(512 * 1024 * 1024);
  });

  test("no child outlives its parent, even one killed with SIGKILL during a blocking call", async () => {
    const d = scratch({
      "plan.yaml": `
plugins:
  - { name: hostile, path: ${so}, isolation: process }
scenarios:
  s: { executor: constant-vus, vus: 2, duration: 60s, flow: [{ request: { name: sleep, url: "hostile://h/", timeout: 90s } }] }
`,
    });
    const proc = Bun.spawn([LOADR, "run", "plan.yaml", "-q"], { cwd: d, stdout: "ignore", stderr: "ignore" });
    let children: number[] = [];
    for (let i = 0; i < 100 && children.length === 0; i++) {
      await Bun.sleep(100);
      children = pluginHosts(proc.pid);
    }
    expect(children.length).toBeGreaterThan(0);
    proc.kill("SIGKILL");
    await proc.exited;
    let alive = children;
    for (let i = 0; i < 50 && alive.length > 0; i++) {
      await Bun.sleep(100);
      alive = children.filter(isAlive);
    }
    alive.forEach((pid) => process.kill(pid, "SIGKILL")); // leave nothing behind if the test fails
    expect(alive).toEqual([]);
  });
});

/** The `__plugin-host` children of `pid` (from /proc). */
function pluginHosts(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && readFileSync(`/proc/${e}/cmdline`, "utf8").includes("__plugin-host")) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}
