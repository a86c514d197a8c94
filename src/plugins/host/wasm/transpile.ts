/**
 * Component → JS with jco's component bindgen (`generate()` in sync instantiation mode), cached
 * on disk by the component's sha256 under cacheDir("wasm") (docs/dev/architecture.md "Files at run time"). A
 * warm cache hit reads a few files; a miss loads the bindgen (its own 3.4 MB wasm, ~100–200 ms
 * the first time in a process) and transpiles (3–50 ms for C components, ~1 s for QuickJS ones).
 *
 * The bindgen is imported lazily (cache hits never pay for it). Inside dist/loadr its two core
 * wasm files are embedded (bindgen-assets.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../../util/cache-dir.ts";
import { inBinary } from "../../../util/in-binary.ts";

/** Bumped with the bindgen version: output of another version is not reused. */
const BINDGEN = "jco-transpile-0.15.0";
const JS_FILE = "plugin.js";

export interface Transpiled {
  sha256: string;
  /** the generated JS (sync instantiation mode, `export` keywords intact) */
  js: string;
  /** core module file name → bytes, as the JS asks for them through getCoreModule */
  modules: Record<string, Uint8Array>;
  /** exported interface names, e.g. `loadr:plugin/extractor@0.1.0` */
  exports: string[];
  /** where it came from: "cache" or the ms the transpile took */
  source: "cache" | number;
  /** its cache entry (derived files such as rewritten modules go there too) */
  dir: string;
}

export class TranspileError extends Error {}

export async function transpile(component: Uint8Array): Promise<Transpiled> {
  const sha256 = createHash("sha256").update(component).digest("hex");
  const dir = join(cacheDir("wasm"), `${sha256}-${BINDGEN}`);
  const cached = readCached(dir, sha256);
  if (cached) return cached;

  const t0 = performance.now();
  const out = await generateJs(component);
  const files = new Map(out.files);
  const js = new TextDecoder().decode(files.get(JS_FILE));
  const modules: Record<string, Uint8Array> = {};
  for (const [name, bytes] of files) if (name.endsWith(".wasm")) modules[name] = bytes;
  const exports = out.exports.map(([n]) => n).filter((n) => n.includes(":"));
  writeCache(dir, js, modules, exports);
  return { sha256, js, modules, exports, source: performance.now() - t0, dir };
}

async function generateJs(component: Uint8Array) {
  // imported so the bundler keeps them embedded; the bindgen finds them by name
  if (inBinary() && !(await import("./bindgen-assets.ts")).default.every(Boolean)) throw new TranspileError("jco bindgen assets missing from this build");
  const { generate, $init } = await import("@bytecodealliance/jco-transpile/component");
  await $init;
  try {
    return generate(component, { name: "plugin", instantiation: { tag: "sync" }, noTypescript: true });
  } catch (e) {
    const msg = typeof e === "object" && e && "payload" in e ? String((e as { payload: unknown }).payload) : String(e);
    throw new TranspileError(`not a loadable component: ${msg.split("\n")[0]}`);
  }
}

function readCached(dir: string, sha256: string): Transpiled | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as { exports: string[]; modules: string[] };
    const modules: Record<string, Uint8Array> = {};
    for (const m of meta.modules) modules[m] = new Uint8Array(readFileSync(join(dir, m)));
    return { sha256, js: readFileSync(join(dir, JS_FILE), "utf8"), modules, exports: meta.exports, source: "cache", dir };
  } catch {
    return undefined;
  }
}

/**
 * Writes into a private temp dir, then renames: concurrent runs never see half an entry. Only
 * called after a failed read, so an existing entry is a broken one (a disk filled up, a file
 * removed by hand): it is replaced.
 */
function writeCache(dir: string, js: string, modules: Record<string, Uint8Array>, exports: string[]): void {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, JS_FILE), js);
    for (const [name, bytes] of Object.entries(modules)) writeFileSync(join(tmp, name), bytes);
    writeFileSync(join(tmp, "meta.json"), JSON.stringify({ exports, modules: Object.keys(modules) }));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch {
    // a cache we cannot write is only slower next time
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A file derived from a cache entry (e.g. a core module after the limit rewrites, named by its
 * parameters), made once and then read back: a warm start skips the rewrite.
 */
export function cachedDerived(t: Transpiled, file: string, make: () => Uint8Array): Uint8Array {
  const path = join(t.dir, file);
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    const bytes = make();
    try {
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    } catch {
      // read-only cache: rewrite again next time
    }
    return bytes;
  }
}

/** Cache entries (for `loadr plugin` housekeeping and tests). */
export function cachedEntries(): string[] {
  return readdirSync(cacheDir("wasm")).filter((n) => !n.includes(".tmp-"));
}
