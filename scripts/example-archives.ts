/**
 * Build step (docs/dev/architecture.md "Build outputs"): every built example plugin in dist/plugins/<name>/ is
 * packed into dist/archives/<name>-<target>.tar.gz. dist/archives/index.json lists them with
 * bare file names, so dist/archives is itself a mirror folder; plugins/index.json (committed)
 * lists them with URLs relative to itself (../dist/archives/...), so
 * `loadr plugin install <name> --index plugins/index.json` works in a fresh clone after
 * `bun run build`, offline. Packing is reproducible, so the committed sha256s only change when
 * an artifact really changes (then this step rewrites them and says so).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { IndexEntry } from "../src/plugins/store/plugin-index.ts";
import { mergeEntries, mergeIntoIndexFile, packPlugin, writeIndexFile } from "../src/plugins/store/pack.ts";

export function packExampleArchives(pluginsOut = "dist/plugins", archivesOut = "dist/archives", repoIndex = "plugins/index.json"): void {
  if (!existsSync(pluginsOut)) return;
  rmSync(archivesOut, { recursive: true, force: true });
  mkdirSync(archivesOut, { recursive: true });
  const local: Record<string, IndexEntry> = {};
  const repo: Record<string, IndexEntry> = {};
  for (const d of readdirSync(pluginsOut).sort()) {
    const dir = join(pluginsOut, d);
    if (!existsSync(join(dir, "plugin.toml"))) continue;
    const p = packPlugin(dir, { outDir: archivesOut });
    Object.assign(local, p.entry);
    const [name, entry] = Object.entries(p.entry)[0]!;
    const withUrl = structuredClone(entry);
    for (const v of Object.values(withUrl.versions)) for (const a of Object.values(v.artifacts)) a.url = `../${archivesOut}/${a.url}`;
    repo[name] = withUrl;
    console.log(`archive ${p.file.slice(resolve(".").length + 1)} (sha256 ${p.sha256.slice(0, 12)}…)`);
  }
  writeIndexFile(join(archivesOut, "index.json"), mergeEntries({ schema: 1, plugins: {} }, local));
  const before = existsSync(repoIndex) ? readFileSync(repoIndex, "utf8") : "";
  mergeIntoIndexFile(repoIndex, repo);
  if (readFileSync(repoIndex, "utf8") !== before) console.log(`${repoIndex}: example entries updated (commit it if the artifacts changed on purpose)`);
}
