/**
 * `loadr plugin mirror <dir> [names...]`: makes a folder that IS an index — `index.json` plus
 * every selected artifact beside it, URLs rewritten to those relative file names — so copying
 * the folder to a machine with no network is all an air-gapped install needs
 * (`loadr plugin install <name> --index <dir>`). Artifacts are fetched (copied from a file://
 * index, downloaded from an http one) and their sha256 checked before they are kept; one
 * already present with the right hash is not fetched again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fetchBytes } from "./download.ts";
import { artifactUrl, IndexError, type IndexEntry, loadIndex } from "./plugin-index.ts";
import { sha256Hex } from "./install.ts";
import { mergeIntoIndexFile } from "./pack.ts";

export interface MirrorOptions {
  index: string;
  names: string[];
  allVersions: boolean;
  /** only these targets (empty = all) */
  targets: string[];
  log: (line: string) => void;
}

export interface MirrorResult {
  dir: string;
  artifacts: number;
  fetched: number;
  plugins: string[];
}

export async function mirrorIndex(dest: string, o: MirrorOptions): Promise<MirrorResult> {
  const dir = resolve(dest);
  const { index, url } = await loadIndex(o.index);
  const names = o.names.length > 0 ? o.names : Object.keys(index.plugins).sort();
  for (const n of names) if (!Object.hasOwn(index.plugins, n)) throw new IndexError(`plugin \`${n}\` is not in the index (try \`loadr plugin search ${n}\`)`);
  mkdirSync(dir, { recursive: true });
  const out: Record<string, IndexEntry> = {};
  let artifacts = 0;
  let fetched = 0;
  for (const name of names) {
    const entry = index.plugins[name]!;
    const versions = o.allVersions ? Object.keys(entry.versions) : [entry.latest];
    const mirrored: IndexEntry = { ...entry, versions: {} };
    for (const v of versions) {
      const ver = entry.versions[v];
      if (!ver) throw new IndexError(`plugin \`${name}\`: latest version \`${v}\` is not among its versions (available: ${Object.keys(entry.versions).join(", ")})`);
      const arts: typeof ver.artifacts = {};
      for (const [target, art] of Object.entries(ver.artifacts)) {
        if (o.targets.length > 0 && !o.targets.includes(target)) continue;
        const from = artifactUrl(url, art.url);
        const file = `${name}-${v}-${target}${archiveExt(from.pathname)}`;
        const path = join(dir, file);
        const want = art.sha256.toLowerCase();
        if (!(existsSync(path) && sha256Hex(readFileSync(path)) === want)) {
          const bytes = await fetchBytes(from);
          const got = sha256Hex(bytes);
          if (got !== want) throw new IndexError(`sha256 mismatch: expected ${want}, downloaded artifact hashed to ${got} (${from.href}); the mirror was not updated for it`);
          writeFileSync(`${path}.tmp-${process.pid}`, bytes);
          renameSync(`${path}.tmp-${process.pid}`, path);
          fetched++;
        }
        o.log(`  ${name} v${v} ${target} <- ${from.protocol === "file:" ? decodeURIComponent(from.pathname) : from.href}`);
        arts[target] = { ...art, url: file, sha256: want };
        artifacts++;
      }
      if (Object.keys(arts).length > 0) mirrored.versions[v] = { min_loadr_abi: ver.min_loadr_abi, artifacts: arts };
    }
    if (Object.keys(mirrored.versions).length > 0) out[name] = mirrored;
  }
  mergeIntoIndexFile(join(dir, "index.json"), out);
  return { dir, artifacts, fetched, plugins: Object.keys(out) };
}

function archiveExt(path: string): string {
  const b = basename(path).toLowerCase();
  for (const ext of [".tar.gz", ".tgz", ".zip"]) if (b.endsWith(ext)) return ext;
  return ".tar.gz";
}
