/**
 * The WASM plugin host from sources: the example plugins behave as the reference's tests say
 * (§6.10), and every hostile behaviour is contained with the right error kind while the
 * instance is replaced and later calls work.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadWasmPlugin, WasmLoadError } from "../src/plugins/host/wasm/load.ts";
import { PluginCallError, WasmRuntime, type WasmPluginSpec } from "../src/plugins/host/wasm/runtime.ts";
import { NO_GRANTS } from "../src/plugins/host/wasm/grants.ts";
import { cacheDir } from "../src/util/cache-dir.ts";

setDefaultTimeout(60_000);

const root = resolve(import.meta.dir, "..");
const EXTRACTOR = join(root, "plugins/examples/wasm-extractor/loadr_wasm_extractor.wasm");
const ASSERTION = join(root, "plugins/examples/wasm-assertion/loadr_wasm_assertion.wasm");
const JS_EXTRACTOR = join(root, "plugins/examples/wasm-js-extractor/loadr_wasm_js_extractor.wasm");
const HOSTILE = join(root, "test/fixtures/wasm/hostile.wasm");
const enc = (s: string) => new TextEncoder().encode(s);

// a cache of our own, so the test proves transpile + cache hit rather than reusing a user's (the
// root is chosen once per process, maybe by an earlier test file: the checks ask cacheDir() where)
process.env.LOADR_CACHE_DIR = mkdtempSync(join(tmpdir(), "loadr-wasm-cache-"));

async function load(artifact: string, extra: Partial<Parameters<typeof loadWasmPlugin>[0]> = {}) {
  return loadWasmPlugin({ name: "p", artifact, config: {}, timeoutMs: 50, memoryLimitBytes: 16 << 20, logLevel: "warn", ...extra });
}

function fails(f: () => unknown): PluginCallError {
  try {
    f();
  } catch (e) {
    if (e instanceof PluginCallError) return e;
    throw e;
  }
  throw new Error("call did not fail");
}

describe("example plugins", () => {
  let extractor: WasmRuntime;
  let assertion: WasmRuntime;
  beforeAll(async () => {
    extractor = new WasmRuntime((await load(EXTRACTOR)).spec);
    assertion = new WasmRuntime((await load(ASSERTION)).spec);
  });

  test("upper-boundary describes itself and extracts between left and right, upper-cased", () => {
    const info = extractor.describe();
    expect(info.name).toBe("upper-boundary");
    expect(info.kind).toBe("extractor");
    expect(info.version.length).toBeGreaterThan(0);
    expect(info.description.length).toBeGreaterThan(0);
    const cfg = JSON.stringify({ left: "<<", right: ">>" });
    expect(extractor.extract(enc("prefix <<csrf-token-99>> suffix"), [], cfg)).toBe("CSRF-TOKEN-99");
    expect(extractor.extract(enc("no markers here"), [], cfg)).toBeUndefined();
    expect(extractor.extract(enc("<<x>>"), [], "not json")).toBeUndefined();
    expect(extractor.extract(enc("<<x>>"), [], JSON.stringify({ left: "", right: ">>" }))).toBeUndefined();
    // JSON escapes in the config are decoded
    expect(extractor.extract(enc('a "q"tok"q" b'), [], JSON.stringify({ left: '"q"', right: '"q"' }))).toBe("TOK");
  });

  test("upper-boundary's search: candidates screened on first and last byte, boundaries of any length", () => {
    const ex = (body: string, left: string, right: string) => extractor.extract(enc(body), [], JSON.stringify({ left, right }));
    // same first and last byte as the boundary, different middle: skipped
    expect(ex('{"tokex":"no","token":"tok-123"}', '"token":"', '"')).toBe("TOK-123");
    // a boundary longer than one 8-byte compare step, differing only in its 9th..11th byte
    expect(ex("[begin-marker-A]x[begin-marker-B]yes]", "[begin-marker-B]", "]")).toBe("YES");
    // one-byte boundaries; right boundary at the very end; empty match
    expect(ex("a|b|", "|", "|")).toBe("B");
    expect(ex("xx<<>>", "<<", ">>")).toBe("");
    // the body shorter than the boundary, or ending inside it
    expect(ex("<<", "<<<", ">")).toBeUndefined();
    expect(ex("ab<<x>", "<<", ">>")).toBeUndefined();
  });

  test("a body given as a range of a larger buffer is lowered as just that range, by the lean path and by jco's", async () => {
    const cfg = JSON.stringify({ left: "<<", right: ">>" });
    const chunk = Buffer.from("HTTP/1.1 200 OK\r\n\r\n<<head>> body <<range-tok>> tail <<after>>");
    // the range is exactly "<<range-tok>>": a byte lost at either end, or any byte outside, changes the result
    const from = chunk.indexOf("<<range");
    const to = chunk.indexOf(" tail");
    const sizeOf = '{"max_body_bytes":1}';
    process.env.LOADR_WASM_JCO_CALLS = "1";
    const jco = new WasmRuntime((await load(EXTRACTOR)).spec);
    const jcoAssertion = new WasmRuntime((await load(ASSERTION)).spec);
    for (const rt of [jco, jcoAssertion]) expect((rt as unknown as { live?: { direct?: unknown } }).live).toBeUndefined();
    jco.exports(); // instantiated while the variable is set: jco's own export wrappers
    jcoAssertion.exports();
    delete process.env.LOADR_WASM_JCO_CALLS;
    for (const rt of [jco, jcoAssertion]) expect((rt as unknown as { live: { direct?: unknown } }).live.direct).toBeUndefined();
    for (const [ex, as] of [[extractor, assertion], [jco, jcoAssertion]] as const) {
      expect(ex.extract({ bytes: chunk, from, to }, [], cfg)).toBe("RANGE-TOK");
      expect(ex.extract({ bytes: chunk, from: to, to: to }, [], cfg)).toBeUndefined();
      expect(as.check(200, { bytes: chunk, from, to }, [], 1, sizeOf).detail).toBe(`body is ${to - from} bytes, exceeds limit of 1 bytes`);
    }
  });

  test("repeated calls reuse one instance", () => {
    const before = extractor.instances;
    for (let i = 0; i < 10; i++) expect(extractor.extract(enc("<<a>>"), [["k", "v"]], '{"left":"<<","right":">>"}')).toBe("A");
    expect(extractor.instances).toBe(before);
  });

  test("the C glue's argument arena: any size, any config, in any order, with no leak", async () => {
    // its own instance with a generous deadline: this tests memory, and a 2 MiB call descheduled
    // on a loaded machine can pass 50 ms, which re-instantiates the plugin (a deadline, not a leak)
    const extractor = new WasmRuntime((await load(EXTRACTOR, { timeoutMs: 10_000 })).spec);
    const memory = () => extractor.memoryBytes();
    const a = '{"left":"<<","right":">>"}';
    const b = '{"left":"[","right":"]"}';
    const headers = Array.from({ length: 40 }, (_, i) => [`x-h${i}`, "v".repeat(i * 10)] as const);
    // 2 MiB is past the arena's 1 MiB cap: those arguments are malloc'd and freed one by one
    const sizes = [40, 5000, 100, 300_000, 2 << 20, 50, 2 << 20, 1000];
    const call = (size: number, i: number) => {
      const body = new Uint8Array(size).fill(0x61);
      body.set(enc(`<<m${i}>>[n${i}]`), size >> 1);
      const cfg = i % 3 === 0 ? b : a;
      expect(extractor.extract(body, i % 2 ? headers : [], cfg)).toBe(cfg === a ? `M${i}` : `N${i}`);
    };
    sizes.forEach(call);
    const before = memory();
    const instances = extractor.instances;
    for (let i = 0; i < 3000; i++) call(sizes[i % sizes.length]!, i);
    expect(extractor.instances).toBe(instances);
    expect(memory()).toBe(before);
  });

  test("max-body-size passes, fails and reports bad config in the reference's words", () => {
    const limit16 = JSON.stringify({ max_body_bytes: 16 });
    const ok = assertion.check(200, new Uint8Array(10), [], 1.5, limit16);
    expect(ok.pass).toBe(true);
    expect(ok.detail).toBe("body is 10 bytes (limit 16)");
    const big = assertion.check(200, new Uint8Array(64), [], 1.5, limit16);
    expect(big.pass).toBe(false);
    expect(big.detail).toBe("body is 64 bytes, exceeds limit of 16 bytes");
    const bad = assertion.check(200, new Uint8Array(1), [], 1.5, JSON.stringify({ max_body_bytes: "x" }));
    expect(bad.pass).toBe(false);
    expect(bad.detail).toContain("invalid config");
    expect(assertion.check(200, new Uint8Array(1), [], 1, "{}").detail).toBe("invalid config: missing field `max_body_bytes`");
  });

  test("the JavaScript (QuickJS) example runs too", async () => {
    const js = new WasmRuntime((await load(JS_EXTRACTOR, { timeoutMs: 2000 })).spec);
    expect(js.describe().name).toBe("regex-extract");
    expect(js.extract(enc('{"token":"tok-123"}'), [], JSON.stringify({ pattern: '"token":"([^"]+)"' }))).toBe("tok-123");
    expect(js.extract(enc("nothing"), [], JSON.stringify({ pattern: "x(y)" }))).toBeUndefined();
  });
});

describe("loading", () => {
  test("a second load of the same component is a transpile-cache hit", async () => {
    const first = await load(EXTRACTOR);
    const again = await load(EXTRACTOR);
    expect(again.transpile).toBe("cache");
    expect(first.spec.info.name).toBe("upper-boundary");
    expect(readdirSync(cacheDir("wasm")).some((n) => n.endsWith("jco-transpile-0.15.0"))).toBe(true);
  });

  test("kind comes from describe() when nothing says it", async () => {
    expect((await load(ASSERTION)).spec.kind).toBe("assertion");
  });

  test("an assertion component loaded as an extractor is refused (kind mismatch)", async () => {
    expect(load(ASSERTION, { name: "mbs", expectedKind: "extractor" })).rejects.toThrow("plugin `mbs` is `assertion`, expected `extractor`");
  });

  test("a component whose describe() names a world it does not export is refused", async () => {
    expect(load(join(root, "test/fixtures/wasm/liar.wasm"), { name: "liar" })).rejects.toThrow(
      "does not export loadr:plugin/assertion@0.1.0 (it exports loadr:plugin/extractor@0.1.0, loadr:plugin/meta@0.1.0); build it for world `loadr-assertion-plugin`",
    );
  });

  test("a wasm plugin cannot be a protocol", async () => {
    expect(load(EXTRACTOR, { name: "x", expectedKind: "protocol" })).rejects.toThrow(
      "wasm plugins cannot provide `protocol` (only extractor/assertion/hook); use a native plugin for `x`",
    );
  });

  test("a core module or a missing file is a clear load error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadr-wasm-"));
    const core = join(dir, "core.wasm");
    await Bun.write(core, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(load(core)).rejects.toThrow("is not a WebAssembly component");
    expect(load(join(dir, "missing.wasm"))).rejects.toThrow(`plugin i/o error on ${join(dir, "missing.wasm")}: no such file`);
    expect(load(core)).rejects.toBeInstanceOf(WasmLoadError);
  });

  test("a memory_limit below the plugin's initial memory is refused", async () => {
    expect(load(EXTRACTOR, { memoryLimitBytes: 64 * 1024 })).rejects.toThrow("raise `memory_limit`");
  });
});

describe("hostile plugin", () => {
  let spec: WasmPluginSpec;
  let rt: WasmRuntime;
  const lines: string[] = [];
  beforeAll(async () => {
    spec = { ...(await load(HOSTILE)).spec, logLevel: "info" };
    rt = new WasmRuntime(spec, (l) => lines.push(l));
  });
  const call = (mode: string, extra: Record<string, unknown> = {}) =>
    rt.extract(enc("<<ok>>"), [["h", "v"]], JSON.stringify({ mode, left: "<<", right: ">>", ...extra }));

  test("sees no environment", () => {
    process.env.LOADR_SECRET_FOR_TEST = "leak";
    expect(call("env")).toBe("env=0 home=(null)");
  });

  test("cannot read, list or write files", () => {
    expect(call("file")).toBe("read=denied dir=denied write=denied");
  });

  test("has clocks and random only when granted: an ungranted use fails the call, naming the grant", async () => {
    const e = fails(() => call("clock"));
    expect(e.kind).toBe("capability");
    expect(e.message).toBe("plugin `p` used wasi:clocks/monotonic-clock without the `clock` grant; add `capabilities: {clock: true}` to its `plugins:` entry");
    const onlyClock = new WasmRuntime({ ...spec, grants: { ...NO_GRANTS, clock: true } });
    expect(fails(() => onlyClock.extract(enc(""), [], JSON.stringify({ mode: "clock" }))).message).toContain("without the `random` grant");
    const both = new WasmRuntime({ ...spec, grants: { ...NO_GRANTS, clock: true, random: true } });
    expect(both.extract(enc(""), [], JSON.stringify({ mode: "clock" }))).toBe("clock=ok random=ok");
    expect(call("echo")).toBe("OK"); // the failed call's instance was replaced
  });

  test("an endless loop is stopped at the deadline and the next call works on a fresh instance", () => {
    const before = rt.instances;
    const t0 = performance.now();
    const e = fails(() => call("spin"));
    const took = performance.now() - t0;
    expect(e.kind).toBe("timeout");
    expect(e.message).toBe("plugin `p` timed out after 50 ms");
    expect(took).toBeGreaterThanOrEqual(49);
    expect(took).toBeLessThan(1000); // generous: a loaded 2-core box
    expect(call("echo")).toBe("OK");
    expect(rt.instances).toBe(before + 1);
  });

  test("sleeping never blocks the worker thread: the sandbox's clocks wake at once", () => {
    const sleeper = new WasmRuntime({ ...spec, grants: { ...NO_GRANTS, clock: true } });
    const t0 = performance.now();
    expect(sleeper.extract(enc(""), [], JSON.stringify({ mode: "sleep" }))).toBe("slept");
    expect(performance.now() - t0).toBeLessThan(500); // it asked for 1 s
  });

  test("exit fails the call, not the process", () => {
    const e = fails(() => call("exit"));
    expect(e.kind).toBe("exit");
    expect(e.message).toContain("called exit(");
    expect(call("echo")).toBe("OK");
  });

  test("a trap fails the call", () => {
    const e = fails(() => call("trap"));
    expect(e.kind).toBe("trap");
    expect(e.message).toStartWith("plugin `p` trapped:");
    expect(call("echo")).toBe("OK");
  });

  test("invalid UTF-8 in a result is rejected", () => {
    const e = fails(() => call("badutf8"));
    expect(e.kind).toBe("invalid");
    expect(e.message).toBe("plugin `p` returned invalid UTF-8");
  });

  test("memory stops at memory_limit; a plugin that handles it gets NULL, one that aborts fails with `memory`", () => {
    // writing 15 MiB through instrumented loops can take longer than 50 ms on a loaded box
    const rt = new WasmRuntime({ ...spec, timeoutMs: 5000 });
    const call = (mode: string, extra: Record<string, unknown> = {}) =>
      rt.extract(enc("<<ok>>"), [], JSON.stringify({ mode, left: "<<", right: ">>", ...extra }));
    const got = call("hog", { mib: 64 });
    const mib = Number(/allocated (\d+) MiB/.exec(got ?? "")?.[1]);
    expect(mib).toBeGreaterThan(8);
    expect(mib).toBeLessThan(16);
    const before = rt.instances;
    expect(call("echo")).toBe("OK"); // the instance above the high-water mark was recycled
    expect(rt.instances).toBe(before + 1);
    const e = fails(() => call("hog", { mib: 64, abort: true }));
    expect(e.kind).toBe("memory");
    expect(e.message).toContain("ran out of memory (memory_limit 16 MiB)");
    expect(call("echo")).toBe("OK");
  });

  test("stdout and stderr are captured into log lines at the plugin's log level", () => {
    expect(call("print")).toBe("printed");
    expect(lines).toContain("info: plugin `p` stdout: hello from the plugin's stdout");
    expect(lines).toContain("warn: plugin `p` stderr: hello from the plugin's stderr");
    const quiet: string[] = [];
    const warnOnly = new WasmRuntime({ ...spec, logLevel: "warn" }, (l) => quiet.push(l));
    warnOnly.extract(enc(""), [], JSON.stringify({ mode: "print" }));
    expect(quiet).toEqual(["warn: plugin `p` stderr: hello from the plugin's stderr"]);
  });
});

describe("sandbox imports", () => {
  test("unknown interfaces instantiate but every use is access-denied", async () => {
    const { sandboxImports } = await import("../src/plugins/host/wasm/sandbox.ts");
    const w = sandboxImports({ write: () => {} }) as Record<string, any>;
    const tcp = w["wasi:sockets/tcp-create-socket@0.2.0"];
    expect(typeof tcp.createTcpSocket).toBe("function");
    expect(() => tcp.createTcpSocket("ipv4")).toThrow("access-denied");
    expect(() => w["wasi:http/outgoing-handler@0.2.3"].handle()).toThrow("access-denied");
    const Socket = w["wasi:sockets/tcp@0.2.0"].TcpSocket;
    expect(() => new Socket()).toThrow("access-denied");
    expect({} instanceof Socket).toBe(false); // instanceof checks in the bindings still work
    expect(w["wasi:cli/environment@0.2.12"].getEnvironment()).toEqual([]);
    expect(w["wasi:filesystem/preopens"].getDirectories()).toEqual([]);
  });
});

describe("transpile cache", () => {
  test("a broken cache entry is replaced, not trusted", async () => {
    const { rmSync } = await import("node:fs");
    await load(EXTRACTOR);
    const { createHash } = await import("node:crypto");
    const sha = createHash("sha256").update(new Uint8Array(await Bun.file(EXTRACTOR).arrayBuffer())).digest("hex");
    const dir = join(cacheDir("wasm"), `${sha}-jco-transpile-0.15.0`);
    rmSync(join(dir, "plugin.js"));
    const again = await load(EXTRACTOR);
    expect(typeof again.transpile).toBe("number"); // transpiled again
    expect((await load(EXTRACTOR)).transpile).toBe("cache"); // and the entry is whole again
    expect(new WasmRuntime(again.spec).extract(enc("<<x>>"), [], '{"left":"<<","right":">>"}')).toBe("X");
  });
});
