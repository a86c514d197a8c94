/**
 * Resolving a plan's `plugins:` entries (reference §6.4, docs/dev/architecture.md "A `plugins:` entry"), once,
 * in the coordinator: entry → manifest (by name from the plugins dir, or beside `path`), merged
 * config, type and kind, artifact path; then the loader for its type. The result is plain data
 * that workers instantiate from. Built-in services (the echo target) are skipped here: the
 * service registry starts them.
 *
 *  - no `path`: the enabled plugin called `name` in the plugins dir (`plugin \`x\` not found in <dir>`);
 *  - `path` (relative to the plan file's directory): a `plugin.toml` in the artifact's directory
 *    (or in `path` itself when it is a directory) wins; else a `.wasm` file is a WASM plugin whose
 *    kind is `config.kind` or what its describe() reports; anything else is a native library.
 *
 * WASM entries are transpiled here (workers instantiate the spec). Native entries stay a
 * reference (path, manifest, merged config): each thread that needs one dlopens it itself
 * (src/plugins/host/plan-plugins.ts), because a library handle cannot be posted to a worker.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
/** `plugins:` entries are the loaded plan's (src/plan/schema/blocks.ts), defaults filled */
import type { PluginEntry } from "../../plan/schema.ts";
import { isBuiltInService } from "../../services/registry.ts";
import { type Manifest, ManifestError, mergeConfig, readManifest } from "../store/manifest.ts";
import { findEnabled, PluginNotFoundError } from "../store/plugins-dir.ts";
import { loadWasmPlugin, WasmLoadError } from "./wasm/load.ts";
import type { WasmPluginSpec } from "./wasm/runtime.ts";
import { GrantError, resolveGrants } from "./wasm/grants.ts";

/** A native entry, resolved but not loaded (plain data: it is posted to workers). */
export interface NativePluginRef {
  type: "native";
  entry: PluginEntry;
  /** absolute artifact path */
  path: string;
  manifest?: Manifest;
  /** manifest `[config]` merged with the entry's */
  config: unknown;
}

/** What workers receive. */
export type PluginSpec = WasmPluginSpec | NativePluginRef;

export interface ResolveOptions {
  /** the plan file's directory (`path` is relative to it) */
  baseDir: string;
  pluginsDir: string;
  /** progress lines (debug level), e.g. transpile timings */
  debug?: (msg: string) => void;
  /** what the run should warn about before it starts (a plugin that starts near its memory_limit) */
  warn?: (msg: string) => void;
  /** the run's environment, which `capabilities.env` allow-lists from (default: this process's) */
  env?: Record<string, string | undefined>;
}

export class PluginResolveError extends Error {}

/** A resolved entry before its type's loader runs. */
export interface ResolvedEntry {
  entry: PluginEntry;
  type: "wasm" | "native";
  /** from the manifest or `config.kind`; undefined = ask the plugin */
  kind?: string;
  artifact: string;
  manifest?: Manifest;
  config: unknown;
}

const DEFAULT_TIMEOUT_MS = 50;
const DEFAULT_MEMORY = 16 * 1024 * 1024;

export async function resolvePlugins(entries: readonly PluginEntry[], o: ResolveOptions): Promise<PluginSpec[]> {
  const out: PluginSpec[] = [];
  for (const entry of entries) {
    if (entry.enabled === false || isBuiltInService(entry)) continue;
    try {
      const r = resolveEntry(entry, o);
      out.push(await loadResolved(r, o));
    } catch (e) {
      if (e instanceof PluginResolveError || e instanceof ManifestError || e instanceof PluginNotFoundError || e instanceof WasmLoadError || e instanceof GrantError) {
        throw new PluginResolveError(`plugin \`${entry.name}\`: ${e.message}`);
      }
      throw e;
    }
  }
  return out;
}

export function resolveEntry(entry: PluginEntry, o: ResolveOptions): ResolvedEntry {
  if (entry.path === undefined) {
    const p = findEnabled(o.pluginsDir, entry.name);
    return fromManifest(entry, p.manifest, p.artifact);
  }
  const path = resolve(o.baseDir, entry.path);
  if (isDir(path)) {
    if (!existsSync(join(path, "plugin.toml"))) throw new PluginResolveError(`${path} is a directory without a plugin.toml`);
    const m = readManifest(path);
    return fromManifest(entry, m, resolve(path, m.entry));
  }
  if (existsSync(join(dirname(path), "plugin.toml"))) return fromManifest(entry, readManifest(dirname(path)), path);
  if (!existsSync(path)) throw new PluginResolveError(`plugin i/o error on ${path}: no such file or directory`);
  const config = entry.config ?? {};
  if (extname(path).toLowerCase() === ".wasm") {
    const hint = (config as { kind?: unknown }).kind;
    return { entry, type: "wasm", kind: typeof hint === "string" ? hint : undefined, artifact: path, config };
  }
  return { entry, type: "native", artifact: path, config };
}

function fromManifest(entry: PluginEntry, m: Manifest, artifact: string): ResolvedEntry {
  return { entry, type: m.type, kind: m.kind, artifact, manifest: m, config: mergeConfig(m.config, entry.config) };
}

/** Keys of a `plugins:` entry only WASM plugins read. */
const WASM_ONLY = ["phase", "priority", "capabilities"] as const;

async function loadResolved(r: ResolvedEntry, o: ResolveOptions): Promise<PluginSpec> {
  if (r.type === "native") {
    if (r.kind === "extractor" || r.kind === "assertion" || r.kind === "hook") {
      throw new PluginResolveError(`native plugins cannot provide \`${r.kind}\` (only output/protocol/service); use a wasm plugin for \`${r.entry.name}\``);
    }
    const wasmKey = WASM_ONLY.find((k) => r.entry[k] !== undefined);
    if (wasmKey !== undefined) throw new PluginResolveError(`\`${wasmKey}\` applies to WASM plugins; \`${r.entry.name}\` is a native one`);
    return { type: "native", entry: r.entry, path: r.artifact, manifest: r.manifest, config: r.config };
  }
  const loaded = await loadWasmPlugin({
    name: r.entry.name,
    artifact: r.artifact,
    expectedKind: r.kind,
    config: r.config,
    timeoutMs: r.entry.timeout ?? DEFAULT_TIMEOUT_MS,
    memoryLimitBytes: r.entry.memory_limit ?? DEFAULT_MEMORY,
    logLevel: r.entry.log_level ?? "warn",
    grants: resolveGrants(r.entry.capabilities, o.baseDir, o.env ?? process.env),
    hook: { phase: r.entry.phase, priority: r.entry.priority ?? 0 },
    metrics: r.manifest?.metrics.map((m) => ({ name: m.name, kind: m.kind })),
  });
  for (const w of loaded.warnings) o.warn?.(w);
  const how = loaded.transpile === "cache" ? "from the transpile cache" : `transpiled in ${Math.round(loaded.transpile)} ms`;
  o.debug?.(`plugin \`${r.entry.name}\`: ${loaded.spec.info.name} ${loaded.spec.info.version} (${loaded.spec.kind}) loaded ${how}, ready in ${Math.round(loaded.loadMs)} ms`);
  return loaded.spec;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
