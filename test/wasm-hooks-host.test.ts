/**
 * The host side of WASM hooks from sources, part by part: the shared-data store (versions,
 * compare-and-swap, its bounds, consistency and visibility across real worker threads), the
 * plugin metrics' bounds, the host log's rate limit, the read-only directories of the `files`
 * grant (no way out of the granted root), and the memory.grow watch.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { newSharedBuffer, SHARED_LIMITS, SharedStore, SharedStoreError } from "../src/plugins/host/wasm/shared-store.ts";
import { METRIC_LIMITS, PluginMetrics, HostCallError } from "../src/plugins/host/wasm/plugin-metrics.ts";
import { LOG_RATE } from "../src/plugins/host/wasm/host-api.ts";
import { Sink } from "../src/metrics/sink.ts";
import { Logger } from "../src/util/logger.ts";
import { Descriptor } from "../src/plugins/host/wasm/ro-files.ts";
import { GROW_FAILED, watchGrow } from "../src/plugins/host/wasm/grow-watch.ts";
import { capMemory } from "../src/plugins/host/wasm/memory-cap.ts";
import { loadWasmPlugin } from "../src/plugins/host/wasm/load.ts";
import { WasmRuntime } from "../src/plugins/host/wasm/runtime.ts";

setDefaultTimeout(60_000);

const enc = (s: string) => new TextEncoder().encode(s);
const conflictOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof SharedStoreError) return e.error;
    throw e;
  }
  throw new Error("no error");
};

describe("shared data store", () => {
  test("versions: a set raises the key's version; compare-and-swap writes only against the version it is given", () => {
    const s = new SharedStore(newSharedBuffer());
    expect(s.get("k")).toBeUndefined();
    expect(s.set("k", enc("a"), 0n)).toBe(1n); // 0: only if absent
    expect(conflictOf(() => s.set("k", enc("b"), 0n))).toEqual({ tag: "conflict", val: 1n });
    expect(s.set("k", enc("bb"), 1n)).toBe(2n);
    expect(s.set("k", enc("c"))).toBe(3n); // a plain set whatever the version
    expect(s.get("k")).toEqual({ value: enc("c"), version: 3n });
    expect(s.get("other")).toBeUndefined();
  });

  test("bounds: key and value length, number of keys, total bytes; a value that keeps growing is repacked, not leaked", () => {
    const s = new SharedStore(newSharedBuffer());
    expect(conflictOf(() => s.set("x".repeat(SHARED_LIMITS.keyBytes + 1), enc("v")))).toEqual({ tag: "too-large" });
    expect(conflictOf(() => s.set("big", new Uint8Array(SHARED_LIMITS.valueBytes + 1)))).toEqual({ tag: "too-large" });
    for (let i = 0; i < SHARED_LIMITS.keys; i++) s.set(`k${i}`, enc(String(i)));
    expect(conflictOf(() => s.set("one-more", enc("v")))).toEqual({ tag: "full" });
    expect(s.get("k1023")?.value).toEqual(enc("1023"));
    // one key rewritten ever larger, far past the total: each outgrown value is reclaimed by packing
    const t = new SharedStore(newSharedBuffer());
    for (let i = 1; i <= 400; i++) t.set("grows", new Uint8Array(1000 + (i % 64) * 1000).fill(i % 251));
    expect(t.get("grows")?.version).toBe(400n);
    expect(t.get("grows")?.value.length).toBe(1000 + (400 % 64) * 1000);
    // and the total is a bound: 64 KiB values fill it
    const u = new SharedStore(newSharedBuffer());
    let wrote = 0;
    let last: unknown;
    for (let i = 0; i < 100; i++) {
      try {
        u.set(`v${i}`, new Uint8Array(SHARED_LIMITS.valueBytes));
        wrote++;
      } catch (e) {
        last = (e as SharedStoreError).error;
        break;
      }
    }
    expect(wrote).toBe(Math.floor(SHARED_LIMITS.totalBytes / (SHARED_LIMITS.valueBytes + 3)));
    expect(last).toEqual({ tag: "full" });
  });

  test("across worker threads: every compare-and-swap increment lands once, and a set is visible to the other thread at once", async () => {
    const buf = newSharedBuffer();
    const src = resolve(import.meta.dir, "../src/plugins/host/wasm/shared-store.ts");
    const code = `
      import { SharedStore } from ${JSON.stringify(src)};
      self.onmessage = (m) => {
        const s = new SharedStore(m.data.buf);
        if (m.data.job === "count") {
          for (let i = 0; i < m.data.n; i++) {
            for (;;) {
              const cur = s.get("n");
              const v = cur ? new DataView(cur.value.buffer).getUint32(0, true) : 0;
              const next = new Uint8Array(4);
              new DataView(next.buffer).setUint32(0, v + 1, true);
              try { s.set("n", next, cur ? cur.version : 0n); break; } catch {}
            }
          }
          postMessage("done");
        } else {
          // publish: write the time of each set; the main thread notes when it sees it
          for (let i = 1; i <= m.data.n; i++) {
            const t = new Uint8Array(8);
            new DataView(t.buffer).setFloat64(0, performance.timeOrigin + performance.now(), true);
            s.set("t", t);
            const until = performance.now() + 2;
            while (performance.now() < until) {}
          }
          postMessage("done");
        }
      };`;
    const file = join(mkdtempSync(join(tmpdir(), "loadr-shared-")), "w.ts");
    writeFileSync(file, code);
    const run = (job: string, n: number) =>
      new Promise<void>((res, rej) => {
        const w = new Worker(file);
        w.onmessage = () => {
          w.terminate();
          res();
        };
        w.onerror = (e) => rej(e);
        w.postMessage({ buf, job, n });
      });
    await Promise.all([run("count", 2000), run("count", 2000)]);
    const s = new SharedStore(buf);
    expect(new DataView(s.get("n")!.value.buffer).getUint32(0, true)).toBe(4000);
    expect(s.get("n")!.version).toBe(4000n);

    // visibility: the main thread polls while a worker sets
    const lags: number[] = [];
    let seen = 0n;
    const publishing = run("publish", 50);
    let done = false;
    void publishing.then(() => (done = true));
    while (!done) {
      const e = s.get("t");
      if (e && e.version !== seen) {
        seen = e.version;
        lags.push(performance.timeOrigin + performance.now() - new DataView(e.value.buffer).getFloat64(0, true));
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(lags.length).toBeGreaterThan(5);
    lags.sort((a, b) => a - b);
    // the median is what the store costs (a poll loop on a loaded machine adds the rest)
    expect(lags[lags.length >> 1]!).toBeLessThan(50);
  });
});

describe("plugin metrics", () => {
  const setup = (declared: [string, "counter" | "trend"][] = []) => {
    const lines: string[] = [];
    const sink = new Sink();
    const m = new PluginMetrics(sink, "p", new Map(declared), new Logger("warn", (l) => lines.push(l)));
    return { m, sink, lines };
  };

  test("built-in names refused, a declared kind enforced, undeclared names warned once", () => {
    const { m, lines } = setup([["mine", "counter"]]);
    expect(() => m.record("counter", "http_reqs", 1, [])).toThrow(HostCallError);
    expect(() => m.record("trend", "plugin_errors", 1, [])).toThrow("`plugin_errors` is a built-in metric's name");
    expect(() => m.record("trend", "mine", 1, [])).toThrow("recorded `mine` as a trend, but its manifest declares a counter");
    expect(() => m.record("counter", "no spaces", 1, [])).toThrow("invalid metric name");
    m.record("counter", "mine", 1, []);
    m.record("trend", "extra", 1, []);
    m.record("trend", "extra", 2, []);
    expect(lines).toEqual(["warn: plugin `p` records `extra` (trend), which its manifest does not declare under [metrics]; declare it so `loadr validate` knows it"]);
  });

  test("cardinality: tag sets per name and names per plugin are bounded; the rest is dropped with one warning each", () => {
    const { m, sink, lines } = setup();
    for (let i = 0; i < METRIC_LIMITS.tagSets + 50; i++) m.record("counter", "by_user", 1, [["user", `u${i}`]]);
    for (let i = 0; i < METRIC_LIMITS.names + 10; i++) m.record("counter", `n${i}`, 1, []);
    const d = sink.drain();
    expect(d.series.filter((x) => x.metric === "by_user").length).toBe(METRIC_LIMITS.tagSets);
    expect(new Set(d.series.map((x) => x.metric)).size).toBe(METRIC_LIMITS.names);
    expect(lines.filter((l) => l.includes("tag combinations"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(`more than ${METRIC_LIMITS.names} metric names`))).toHaveLength(1);
    // every sample carries the plugin's tag, which the plugin cannot override
    const fresh = setup();
    fresh.m.record("counter", "by_user", 1, [["plugin", "someone-else"], ["user", "u1"]]);
    expect(fresh.sink.drain().tagSets.map((t) => t.tags)).toEqual([{ plugin: "p", user: "u1" }]);
  });
});

describe("the host API in a component", () => {
  test("the host log is rate-limited per instance, and says how many lines it dropped", async () => {
    process.env.LOADR_CACHE_DIR ??= mkdtempSync(join(tmpdir(), "loadr-wasm-cache-"));
    const loaded = await loadWasmPlugin({
      name: "chatty",
      artifact: resolve(import.meta.dir, "fixtures/wasm/hooks.wasm"),
      config: { request: "log" },
      timeoutMs: 1000,
      memoryLimitBytes: 16 << 20,
      logLevel: "warn",
    });
    const lines: string[] = [];
    const rt = new WasmRuntime(loaded.spec, (l) => lines.push(l));
    const req = { name: "n", protocol: "http", method: "GET", url: "http://127.0.0.1/", headers: [] as [string, string][], body: new Uint8Array() };
    for (let i = 0; i < 200; i++) rt.onRequest(undefined, req);
    // a burst, then whatever the steady rate refilled meanwhile; the logger shows a repeated line a few times only
    const hello = lines.filter((l) => l.includes("hello from the hook"));
    expect(hello.length).toBeLessThanOrEqual(LOG_RATE.burst);
    await Bun.sleep(300);
    rt.onRequest(undefined, req);
    expect(lines.some((l) => /plugin `chatty`: \d+ log line\(s\) dropped \(more than 10 a second\)/.test(l))).toBe(true);
  });
});

describe("read-only directories (the files grant)", () => {
  const root = mkdtempSync(join(tmpdir(), "loadr-files-"));
  mkdirSync(join(root, "granted/sub"), { recursive: true });
  writeFileSync(join(root, "granted/sub/a.txt"), "hello");
  writeFileSync(join(root, "secret.txt"), "no");
  symlinkSync(join(root, "secret.txt"), join(root, "granted/escape"));
  const streams = { makeInput: (read: (n: number) => Uint8Array | undefined) => ({ read }) };
  const dir = Descriptor.root({ host: join(root, "granted"), guest: "granted" }, streams);
  const code = (f: () => unknown) => {
    try {
      f();
      return "ok";
    } catch (e) {
      return e;
    }
  };

  test("reads below the root; never above it, through .., an absolute path or a symlink; never writes", () => {
    const f = dir.openAt({}, "sub/a.txt", {}, { read: true });
    expect(new TextDecoder().decode(f.read(100n, 0n)[0])).toBe("hello");
    expect(f.read(100n, 0n)[1]).toBe(true);
    expect(code(() => dir.openAt({}, "../secret.txt", {}, { read: true }))).toBe("not-permitted");
    expect(code(() => dir.openAt({}, "sub/../../secret.txt", {}, { read: true }))).toBe("not-permitted");
    expect(code(() => dir.openAt({}, "/etc/hostname", {}, { read: true }))).toBe("not-permitted");
    expect(code(() => dir.openAt({}, "escape", {}, { read: true }))).toBe("not-permitted");
    expect(code(() => dir.openAt({}, "sub/new.txt", { create: true }, { write: true }))).toBe("read-only");
    expect(code(() => dir.openAt({}, "sub/a.txt", {}, { write: true }))).toBe("read-only");
    expect(code(() => dir.unlinkFileAt("sub/a.txt"))).toBe("read-only");
    expect(code(() => new Descriptor(Symbol("forged"), "/", "/", streams))).toBe("access-denied");
    expect(dir.readDirectory().readDirectoryEntry()).toMatchObject({ name: expect.any(String) });
  });
});

describe("memory.grow watch", () => {
  test("a failed grow is recorded in the exported flag, a successful one is not; results are unchanged", async () => {
    const wat = `(module (memory (export "memory") 1)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))`;
    const bytes = watchGrow(capMemory(await parse(wat), 4));
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, any>;
    const failed = x[GROW_FAILED] as WebAssembly.Global;
    expect(x.grow(1)).toBe(1);
    expect(failed.value).toBe(0);
    expect(x.grow(100)).toBe(-1); // past the cap of 4 pages
    expect(failed.value).toBe(1);
    expect(x.grow(1)).toBe(2);
    // a module without memory.grow is left as it was
    const plain = await parse(`(module (func (export "f") (result i32) i32.const 1))`);
    expect(watchGrow(plain)).toBe(plain);
  });
});
