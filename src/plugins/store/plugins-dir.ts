/**
 * The plugins directory (reference §6.3): `<dir>/<name>/{plugin.toml, artifact, [disabled]}`.
 * Discovery, lookup by name and enable/disable live here; installing lives in install code.
 */
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { type Manifest, ManifestError, readManifest } from "./manifest.ts";

export interface InstalledPlugin {
  dir: string;
  manifest: Manifest;
  enabled: boolean;
  /** absolute path of the artifact (`entry` resolved against `dir`; not checked for existence) */
  artifact: string;
}

/** `--plugins-dir`, else `$LOADR_PLUGINS_DIR`, else `~/.loadr/plugins`. */
export function pluginsDir(flag?: string, env: Record<string, string | undefined> = process.env): string {
  if (flag) return resolve(flag);
  if (env.LOADR_PLUGINS_DIR) return resolve(env.LOADR_PLUGINS_DIR);
  const home = env.HOME || env.USERPROFILE || safeHomedir() || ".";
  return resolve(home, ".loadr", "plugins");
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

export function describeInstalled(dir: string): InstalledPlugin {
  const manifest = readManifest(dir);
  return { dir, manifest, enabled: !existsSync(join(dir, "disabled")), artifact: resolve(dir, manifest.entry) };
}

/**
 * Every immediate subdirectory with a plugin.toml, sorted by name; invalid manifests are
 * reported through `warn` and skipped; a missing directory is an empty list.
 */
export function discover(dir: string, warn: (msg: string) => void = () => {}): InstalledPlugin[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: InstalledPlugin[] = [];
  for (const n of names) {
    // dot-directories belong to installs (install.ts): staging areas, removed plugins being
    // deleted, and `.old-<name>`, the previous version during a swap — shown only when an
    // install died between its two renames and `<name>` is missing (the next install restores it)
    if (n.startsWith(".") && !(n.startsWith(".old-") && !names.includes(n.slice(5)))) continue;
    const sub = join(dir, n);
    if (!isDir(sub) || !existsSync(join(sub, "plugin.toml"))) continue;
    try {
      found.push(describeInstalled(sub));
    } catch (e) {
      if (e instanceof ManifestError) warn(`skipping ${sub}: ${e.message}`);
      else throw e;
    }
  }
  return found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

export class PluginNotFoundError extends Error {
  constructor(name: string, dir: string) {
    super(`plugin \`${name}\` not found in ${dir}`);
  }
}

/** The enabled plugin called `name` (disabled plugins are "not found", as in the reference). */
export function findEnabled(dir: string, name: string): InstalledPlugin {
  const p = discover(dir).find((x) => x.manifest.name === name && x.enabled);
  if (!p) throw new PluginNotFoundError(name, dir);
  return p;
}

export function setEnabled(dir: string, name: string, enabled: boolean): InstalledPlugin {
  const p = discover(dir).find((x) => x.manifest.name === name);
  if (!p) throw new PluginNotFoundError(name, dir);
  const marker = join(p.dir, "disabled");
  if (enabled) rmSync(marker, { force: true });
  else writeFileSync(marker, "");
  return { ...p, enabled };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
