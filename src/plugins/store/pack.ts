/**
 * `loadr plugin pack`: a built plugin directory → `<name>-<target>.tar.gz` (plugin.toml and
 * the top-level files beside it, under one `<name>-<version>/` folder) plus its index entry
 * (seed 000 §5). The archive is reproducible — sorted entries, no owners, mtime 0 — so packing
 * the same build twice gives the same sha256 and a committed index stays true.
 */
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tar from "tar";
import { abiCompatible, HOST_PLUGIN_ABI, type IndexEntry, type PluginIndex, parseIndex } from "./plugin-index.ts";
import { sha256Hex } from "./install.ts";
import { type Manifest, readManifest } from "./manifest.ts";
import { hostTarget, WASM_TARGET } from "./target.ts";

export class PackError extends Error {}

export interface Packed {
  manifest: Manifest;
  target: string;
  file: string;
  sha256: string;
  /** `{ "<name>": IndexEntry }` for this one artifact */
  entry: Record<string, IndexEntry>;
}

export interface PackOptions {
  outDir: string;
  target?: string;
  /** prefix for the entry's url (default: the bare file name, i.e. beside the index) */
  urlBase?: string;
  minAbi?: string;
}

export function packPlugin(dir: string, o: PackOptions): Packed {
  const src = resolve(dir);
  if (o.minAbi !== undefined) abiCompatible(o.minAbi, "--min-abi");
  const manifest = readManifest(src);
  const target = o.target ?? (manifest.type === "wasm" ? WASM_TARGET : hostTarget());
  if (manifest.type === "wasm" && target !== WASM_TARGET)
    throw new PackError(`\`${manifest.name}\` is a WASM plugin: its target is ${WASM_TARGET}, not \`${target}\``);
  const files = readdirSync(src)
    .filter((f) => f !== "disabled" && statSync(join(src, f)).isFile())
    .sort();
  if (!files.includes(manifest.entry)) throw new PackError(`${src} is missing the plugin artifact \`${manifest.entry}\` named by plugin.toml's entry (build it first)`);
  const fileName = `${manifest.name}-${target}.tar.gz`;
  const out = resolve(o.outDir, fileName);
  const tmp = `${out}.tmp-${process.pid}`;
  tar.c({ sync: true, gzip: { level: 9 }, file: tmp, cwd: src, portable: true, mtime: new Date(0), prefix: `${manifest.name}-${manifest.version}`, noDirRecurse: true }, files);
  renameSync(tmp, out);
  const sha256 = sha256Hex(readFileSync(out));
  const url = o.urlBase ? `${o.urlBase.replace(/\/?$/, "/")}${fileName}` : fileName;
  const entry: IndexEntry = {
    kind: manifest.kind,
    description: manifest.description,
    latest: manifest.version,
    versions: { [manifest.version]: { min_loadr_abi: o.minAbi ?? HOST_PLUGIN_ABI, artifacts: { [target]: { url, sha256, entry: manifest.entry } } } },
  };
  return { manifest, target, file: out, sha256, entry: { [manifest.name]: entry } };
}

/** Merges index entries into `index` (versions and targets accumulate; `latest` = highest version). */
export function mergeEntries(index: PluginIndex, entries: Record<string, IndexEntry>): PluginIndex {
  const plugins = { ...index.plugins };
  for (const [name, add] of Object.entries(entries)) {
    const have = plugins[name];
    const versions = { ...(have?.versions ?? {}) };
    for (const [v, ver] of Object.entries(add.versions)) {
      versions[v] = { min_loadr_abi: ver.min_loadr_abi, artifacts: { ...(versions[v]?.artifacts ?? {}), ...ver.artifacts } };
      versions[v].artifacts = sortKeys(versions[v].artifacts);
    }
    const latest = [have?.latest, add.latest].filter((v): v is string => v !== undefined && v in versions).sort(compareVersions).at(-1)!;
    plugins[name] = { kind: add.kind, description: add.description || have?.description || "", latest, versions: sortKeys(versions, compareVersions) };
  }
  return { schema: 1, plugins: sortKeys(plugins) };
}

/** Reads an index file (a missing one is empty), merges, writes it back atomically. */
export function mergeIntoIndexFile(path: string, entries: Record<string, IndexEntry>): void {
  let index: PluginIndex = { schema: 1, plugins: {} };
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // a new index
  }
  if (text !== undefined) index = parseIndex(text, path);
  writeIndexFile(path, mergeEntries(index, entries));
}

export function writeIndexFile(path: string, index: PluginIndex): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(index, null, 2) + "\n");
  renameSync(tmp, path);
}

function compareVersions(a: string, b: string): number {
  try {
    return Bun.semver.order(a, b);
  } catch {
    return a.localeCompare(b);
  }
}

function sortKeys<T>(o: Record<string, T>, cmp: (a: string, b: string) => number = (a, b) => a.localeCompare(b)): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}
