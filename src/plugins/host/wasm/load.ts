/**
 * Coordinator side of a WASM plugin: read the component, transpile (cached), cap memory and
 * instrument the deadline in every core module, instantiate once to call describe() and check
 * the exported world, and return the plain-data spec each worker instantiates from.
 * Errors are the reference's (§6.4): `wasm plugin error: ...`, kind mismatches.
 */
import { readFileSync } from "node:fs";
import type { LogLevel } from "../../../util/logger.ts";
import { instrumentDeadline } from "./deadline-rewrite.ts";
import { capMemory, MemoryLimitError, PAGE } from "./memory-cap.ts";
import { PluginCallError, WasmRuntime, type PluginInfo, type WasmPluginSpec } from "./runtime.ts";
import { cachedDerived, transpile, TranspileError } from "./transpile.ts";
import { isComponent, WasmFormatError } from "./wasm-binary.ts";

export class WasmLoadError extends Error {}

/** Bump when memory-cap.ts or deadline-rewrite.ts change what they emit (cached rewrites). */
const REWRITE_VERSION = "r4";

export interface WasmLoadRequest {
  name: string;
  artifact: string;
  /** from the manifest or `config.kind`; absent = whatever describe() reports */
  expectedKind?: string;
  config: unknown;
  timeoutMs: number;
  memoryLimitBytes: number;
  logLevel: LogLevel;
}

export interface WasmLoaded {
  spec: WasmPluginSpec;
  /** "cache" or ms spent transpiling (the run logs it at debug) */
  transpile: "cache" | number;
  /** ms from reading the file to a described instance */
  loadMs: number;
}

const WORLD_OF = { extractor: "loadr-plugin", assertion: "loadr-assertion-plugin" } as const;
const INTERFACE_OF = { extractor: "loadr:plugin/extractor@0.1.0", assertion: "loadr:plugin/assertion@0.1.0" } as const;

export async function loadWasmPlugin(req: WasmLoadRequest): Promise<WasmLoaded> {
  const t0 = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(req.artifact));
  } catch (e) {
    throw new WasmLoadError(`plugin i/o error on ${req.artifact}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isComponent(bytes)) {
    throw new WasmLoadError(
      `wasm plugin error: ${req.artifact} is not a WebAssembly component; build it for wasm32-wasip2 (or wrap a core module with \`wasm-tools component new\`)`,
    );
  }
  const hinted = req.expectedKind;
  if (hinted !== undefined && hinted !== "extractor" && hinted !== "assertion") {
    throw new WasmLoadError(`wasm plugins cannot provide \`${hinted}\` (only extractor/assertion); use a native plugin for \`${req.name}\``);
  }

  let transpiled;
  try {
    transpiled = await transpile(bytes);
  } catch (e) {
    if (e instanceof TranspileError) throw new WasmLoadError(`wasm plugin error: ${e.message}`);
    throw e;
  }
  const maxPages = Math.ceil(req.memoryLimitBytes / PAGE);
  const modules: Record<string, Uint8Array> = {};
  try {
    for (const [n, b] of Object.entries(transpiled.modules)) {
      modules[n] = cachedDerived(transpiled, `${n}.limited-${maxPages}p-${REWRITE_VERSION}`, () => instrumentDeadline(capMemory(b, maxPages)));
    }
  } catch (e) {
    if (e instanceof MemoryLimitError || e instanceof WasmFormatError) throw new WasmLoadError(`wasm plugin error: ${e.message}`);
    throw e;
  }

  const spec: WasmPluginSpec = {
    type: "wasm",
    name: req.name,
    kind: (hinted as WasmPluginSpec["kind"]) ?? "extractor",
    info: { name: "", version: "", kind: "", description: "" },
    js: transpiled.js,
    modules,
    config: req.config,
    timeoutMs: req.timeoutMs,
    memoryLimitBytes: maxPages * PAGE,
    logLevel: req.logLevel,
  };
  let info: PluginInfo;
  const probe = new WasmRuntime(spec);
  try {
    probe.exports();
    info = probe.describe();
  } catch (e) {
    const why = e instanceof PluginCallError ? e.message : (e as Error).message;
    throw new WasmLoadError(`wasm plugin error: instantiating ${req.artifact} failed: ${why}`);
  }
  if (hinted === undefined) {
    if (info.kind !== "extractor" && info.kind !== "assertion") {
      throw new WasmLoadError(`wasm plugin \`${req.name}\` reports unsupported kind \`${info.kind}\``);
    }
    spec.kind = info.kind;
  } else if (info.kind !== hinted) {
    throw new WasmLoadError(`plugin \`${req.name}\` is \`${info.kind}\`, expected \`${hinted}\``);
  }
  const x = probe.exports();
  const fn = spec.kind === "extractor" ? x.extractor?.extract : x.assertion?.check;
  if (typeof fn !== "function") {
    throw new WasmLoadError(
      `wasm plugin error: ${req.artifact} does not export ${INTERFACE_OF[spec.kind]} (it exports ${transpiled.exports.join(", ") || "nothing"}); build it for world \`${WORLD_OF[spec.kind]}\``,
    );
  }
  spec.info = info;
  return { spec, transpile: transpiled.source, loadMs: performance.now() - t0 };
}
