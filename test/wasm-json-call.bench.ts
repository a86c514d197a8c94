// Per-call cost of the upper-boundary C example on the echo target's /json response (the plan
// bench's body and headers), in-thread: `bun test/wasm-json-call.bench.ts [artifact.wasm]`.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWasmPlugin } from "../src/plugins/host/wasm/load.ts";
import { WasmRuntime } from "../src/plugins/host/wasm/runtime.ts";

process.env.LOADR_CACHE_DIR ??= mkdtempSync(join(tmpdir(), "wasm-json-"));
const artifact = process.argv[2] ?? join(import.meta.dir, "../dist/plugins/upper-boundary/loadr_wasm_extractor.wasm");
const body = new TextEncoder().encode('{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}');
const headers: [string, string][] = [
  ["Content-Type", "application/json"],
  ["etag", '"806344e86a1121e1"'],
  ["Date", "Sat, 05 Dec 2026 12:23:43 GMT"],
  ["Content-Length", "107"],
];
const cfg = JSON.stringify({ left: '"token":"', right: '"' });
const loaded = await loadWasmPlugin({ name: "bench", artifact, config: {}, timeoutMs: 5000, memoryLimitBytes: 16 << 20, logLevel: "error" });
const rt = new WasmRuntime(loaded.spec);
if (rt.extract(body, headers, cfg) !== "TOK-123") throw new Error("wrong value");
for (let round = 0; round < 5; round++) {
  const n = 1_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) rt.extract(body, headers, cfg);
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`round ${round}: ${us.toFixed(3)} µs/call`);
}
