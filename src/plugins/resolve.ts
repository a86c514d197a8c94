/**
 * A plan's `plugins:` entry → the plugin to load (reference §6.4, DESIGN.md "Contracts"):
 * with `path` (relative to the plan's directory) the artifact, and the plugin.toml beside it
 * when there is one; without, the enabled plugin of that name in the plugins dir. Config is the
 * manifest `[config]` shallow-merged with the entry's. This minimal version serves native
 * plugins; the WASM work dispatches `type = "wasm"` from here too.
 */
import { existsSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { mergeConfig, readManifest, type Manifest } from "./manifest.ts";
import { findEnabled, pluginsDir } from "./store.ts";

export interface PlanPluginEntry {
  name: string;
  path?: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
  isolation?: "in-process" | "process";
}

export interface ResolvedPlugin {
  entry: PlanPluginEntry;
  /** absolute artifact path */
  path: string;
  manifest?: Manifest;
  type: "wasm" | "native";
  config: unknown;
}

export function resolvePluginEntry(entry: PlanPluginEntry, baseDir: string, env: Record<string, string | undefined> = process.env): ResolvedPlugin {
  if (entry.path !== undefined) {
    const path = resolve(baseDir, entry.path);
    const dir = dirname(path);
    const manifest = existsSync(join(dir, "plugin.toml")) ? readManifest(dir) : undefined;
    const type = manifest?.type ?? (extname(path).toLowerCase() === ".wasm" ? "wasm" : "native");
    return { entry, path, manifest, type, config: mergeConfig(manifest?.config ?? null, entry.config) };
  }
  const p = findEnabled(pluginsDir(undefined, env), entry.name);
  return { entry, path: p.artifact, manifest: p.manifest, type: p.manifest.type, config: mergeConfig(p.manifest.config, entry.config) };
}
