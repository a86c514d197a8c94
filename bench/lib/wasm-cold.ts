/**
 * One cold load of a WASM plugin in a fresh process (the wasm bench spawns this):
 *   bun bench/lib/wasm-cold.ts <cache-dir> <component.wasm>
 * prints {"transpile": "cache" | ms, "loadMs": ms, "firstCallMs": ms} — loadMs is read file →
 * transpile (or cache hit) → memory cap + deadline rewrite → compile → instantiate → describe().
 */
const [cache, artifact] = process.argv.slice(2);
process.env.LOADR_CACHE_DIR = cache;
const { loadWasmPlugin } = await import("../../src/plugins/host/wasm/load.ts");
const { WasmRuntime } = await import("../../src/plugins/host/wasm/runtime.ts");
const t0 = performance.now();
const loaded = await loadWasmPlugin({ name: "cold", artifact: artifact!, config: {}, timeoutMs: 1000, memoryLimitBytes: 16 << 20, logLevel: "error" });
const loadMs = performance.now() - t0;
const rt = new WasmRuntime(loaded.spec);
const t1 = performance.now();
rt.extract(new TextEncoder().encode("<<a>>"), [], '{"left":"<<","right":">>"}');
console.log(JSON.stringify({ transpile: loaded.transpile, loadMs, firstCallMs: performance.now() - t1 }));
export {};
