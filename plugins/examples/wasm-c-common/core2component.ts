/**
 * Wraps a core wasm module built from C (loadr_wasm_plugin.h / loadr_wasm_hook.h glue) as a
 * component of a loadr:plugin world: embeds the world of wit/loadr.wit (0.1, the default) or of
 * the WIT file given (wit/0.2/loadr.wit), then `componentNew` with jco's WASI preview1 reactor
 * adapter when the module imports wasi_snapshot_preview1 (wasi-libc builds do).
 *
 *   bun core2component.ts <core.wasm> <world> <out.wasm> [<wit file, relative to the repository>]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { componentEmbed, componentNew } from "@bytecodealliance/jco-transpile/wasm-tools";

const [core, world, out, wit = "wit/loadr.wit"] = process.argv.slice(2);
if (!core || !world || !out) {
  console.error("usage: bun core2component.ts <core.wasm> <world> <out.wasm> [<wit file>]");
  process.exit(2);
}
const root = join(import.meta.dir, "../../..");
const witSource = readFileSync(join(root, wit), "utf8");
const binary = new Uint8Array(readFileSync(core));
const embedded = await componentEmbed({ binary, witSource, world });
const imports = WebAssembly.Module.imports(new WebAssembly.Module(binary));
const adapters: [string, Uint8Array][] = imports.some((i) => i.module === "wasi_snapshot_preview1")
  ? [["wasi_snapshot_preview1", new Uint8Array(readFileSync(join(root, "node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm")))]]
  : [];
writeFileSync(out, await componentNew(embedded, adapters));
