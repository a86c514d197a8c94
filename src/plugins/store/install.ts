/**
 * Installing into the plugins directory (issue 7, reference §6.3/§6.9) without ever leaving a
 * half-installed plugin: every source is first assembled in a private staging directory beside
 * the target (`<dir>/.staging-<pid>-<rand>`, same filesystem), checked there (manifest valid,
 * artifact present, name safe), and only then swapped into `<dir>/<name>` with two renames under
 * a per-plugin lock file. A killed install leaves only its staging directory, which the next
 * install removes; a failed one removes it at once. Concurrent installs of one plugin serialise
 * on the lock, each commits a complete tree, the last one wins.
 */
import { createHash } from "node:crypto";
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { unpackArchive } from "./archive.ts";
import { fetchBytes } from "./download.ts";
import { artifactUrl, IndexError, type LoadedIndex, loadIndex, resolvePlugin, type Resolved } from "./plugin-index.ts";
import { type Manifest, ManifestError, parseManifest } from "./manifest.ts";
import { discover } from "./plugins-dir.ts";
import { acceptableTargets } from "./target.ts";

export class InstallError extends Error {}

export interface Installed {
  manifest: Manifest;
  dir: string;
}

/** `<src>/plugin.toml` + the top-level regular files beside it (reference §6.3). */
export async function installFromDir(src: string, pluginsDir: string): Promise<Installed> {
  const from = resolve(src);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new InstallError(`plugin directory ${from} does not exist`);
  if (!existsSync(join(from, "plugin.toml"))) throw new InstallError(`${from} has no plugin.toml (a plugin directory holds plugin.toml and its artifact)`);
  return withStaging(pluginsDir, (staging) => {
    for (const f of readdirSync(from)) {
      const p = join(from, f);
      if (statSync(p).isFile()) copyFileSync(p, join(staging, f));
    }
    return commit(staging, pluginsDir, { label: from });
  });
}

/** An archive's bytes (`name` decides the format): unpack, check, commit. */
export async function installFromArchive(bytes: Uint8Array, name: string, pluginsDir: string, opts: CommitOptions = { label: name }): Promise<Installed> {
  return withStaging(pluginsDir, async (staging) => {
    await unpackArchive(bytes, name, staging);
    return commit(staging, pluginsDir, opts);
  });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface ByNameOptions {
  index: string;
  version?: string;
  target?: string;
  log: (line: string) => void;
  /** an index already loaded (update resolves many plugins against one fetch) */
  loaded?: LoadedIndex;
}

/** Resolve in the index, download (or read from a mirror), verify sha256 BEFORE unpacking, install. */
export async function installByName(name: string, pluginsDir: string, o: ByNameOptions): Promise<Installed & { resolved: Resolved }> {
  const { index, url } = o.loaded ?? (await loadIndex(o.index));
  const resolved = resolvePlugin(index, name, o.version, acceptableTargets(o.target));
  o.log(`resolving \`${name}\` v${resolved.version} for ${resolved.target} from the index…`);
  const at = artifactUrl(url, resolved.artifact.url);
  if (at.protocol !== "file:") o.log(`downloading ${at.href}…`);
  const bytes = await fetchBytes(at);
  const got = sha256Hex(bytes);
  if (got !== resolved.artifact.sha256.toLowerCase())
    throw new InstallError(
      `sha256 mismatch: expected ${resolved.artifact.sha256.toLowerCase()}, downloaded artifact hashed to ${got} (${at.href}); nothing was installed`,
    );
  const installed = await installFromArchive(bytes, basename(decodeURIComponent(at.pathname)), pluginsDir, {
    label: basename(at.pathname),
    expectName: name,
    indexEntry: resolved.artifact.entry,
  });
  return { ...installed, resolved };
}

// --- staging and commit ------------------------------------------------------------------------

interface CommitOptions {
  /** what the user gave (for messages) */
  label: string;
  /** index installs: the name the index promised */
  expectName?: string;
  /** index installs: the artifact file name the index promised (reconciled with the manifest) */
  indexEntry?: string;
}

async function withStaging<T>(pluginsDir: string, fill: (staging: string) => T | Promise<T>): Promise<T> {
  mkdirSync(pluginsDir, { recursive: true });
  sweepStale(pluginsDir);
  const staging = mkdtempSync(join(pluginsDir, `.staging-${process.pid}-`));
  try {
    return await fill(staging);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function commit(staging: string, pluginsDir: string, o: CommitOptions): Installed {
  const tomlPath = join(staging, "plugin.toml");
  if (!existsSync(tomlPath))
    throw new InstallError(`${o.label} has no plugin.toml at its top (or inside one top-level directory)`);
  let manifest: Manifest;
  try {
    manifest = parseManifest(readFileSync(tomlPath, "utf8"), `${o.label}/plugin.toml`);
  } catch (e) {
    if (e instanceof ManifestError) throw new InstallError(e.message);
    throw e;
  }
  if (!SAFE_NAME.test(manifest.name))
    throw new InstallError(`${o.label}: plugin name \`${manifest.name}\` cannot be a directory name (use letters, digits, '.', '_', '-', '+')`);
  if (o.expectName !== undefined && manifest.name !== o.expectName)
    throw new InstallError(`${o.label} holds plugin \`${manifest.name}\`, but the index lists it as \`${o.expectName}\`; nothing was installed`);
  const entry = resolve(staging, manifest.entry);
  if (relative(staging, entry).startsWith("..") || relative(staging, entry) === "")
    throw new InstallError(`${o.label}/plugin.toml: entry \`${manifest.entry}\` points outside the plugin directory`);
  reconcileEntry(staging, manifest, o.indexEntry);
  if (!existsSync(entry) || !statSync(entry).isFile())
    throw new InstallError(
      o.indexEntry !== undefined
        ? `unpacked archive is missing the plugin artifact \`${manifest.entry}\``
        : `${o.label} is missing the plugin artifact \`${manifest.entry}\` named by plugin.toml's entry`,
    );
  const final = join(pluginsDir, manifest.name);
  withLock(pluginsDir, manifest.name, () => {
    const old = join(pluginsDir, `.old-${manifest.name}`);
    recover(final, old);
    if (existsSync(final)) {
      // keep the user's enable/disable choice across reinstalls (the reference overwrites in place)
      if (existsSync(join(final, "disabled"))) copyFileSync(join(final, "disabled"), join(staging, "disabled"));
      renameSync(final, old);
    }
    chmodSync(staging, 0o755); // mkdtemp made it private; an installed plugin is readable like any other
    renameSync(staging, final);
    rmSync(old, { recursive: true, force: true });
  });
  return { manifest, dir: final };
}

/**
 * Reference §6.9 reconcile: the index names the artifact per target; when the archive holds a
 * file of that name but not the manifest's entry, rename it to what the manifest expects.
 */
function reconcileEntry(staging: string, manifest: Manifest, indexEntry: string | undefined): void {
  if (indexEntry === undefined || indexEntry === manifest.entry) return;
  const want = join(staging, manifest.entry);
  const have = join(staging, basename(indexEntry));
  if (!existsSync(want) && existsSync(have)) renameSync(have, want);
}

/** Finishes a swap that was interrupted between its two renames. Call under the lock. */
function recover(final: string, old: string): void {
  if (!existsSync(old)) return;
  if (existsSync(final)) rmSync(old, { recursive: true, force: true });
  else renameSync(old, final);
}

/** Removes `<dir>/<name>` (atomically: renamed away, then deleted). */
export function removeInstalled(pluginsDir: string, name: string): boolean {
  const p = discover(pluginsDir).find((x) => x.manifest.name === name);
  if (!p) return false;
  withLock(pluginsDir, name, () => {
    // renamed away first so no reader ever sees a half-deleted plugin
    const gone = `${join(pluginsDir, `.removed-${process.pid}-`)}${Date.now()}`;
    renameSync(p.dir, gone);
    rmSync(gone, { recursive: true, force: true });
  });
  return true;
}

/** Staging (and half-deleted) directories of loadr processes that died are removed. */
function sweepStale(pluginsDir: string): void {
  for (const n of readdirSync(pluginsDir)) {
    const m = /^\.(?:staging|removed)-(\d+)-/.exec(n);
    if (m && !alive(Number(m[1]))) rmSync(join(pluginsDir, n), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const LOCK_WAIT_MS = 30_000;

/** A lock file holding the owner's pid; a lock whose owner died is taken over. */
function withLock(pluginsDir: string, name: string, fn: () => void): void {
  const path = join(pluginsDir, `.lock-${name}`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(readFileSafe(path));
      if (owner > 0 && !alive(owner)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new InstallError(`another loadr is installing \`${name}\` (lock ${path} held by pid ${owner}); try again, or delete the lock if that process is gone`);
      Bun.sleepSync(20);
    }
  }
  try {
    fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

export { IndexError };
