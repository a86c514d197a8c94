/**
 * The plugin index (seed 000 §5, reference §6.9): schema 1, one entry per plugin, per version,
 * per target an archive `url` (absolute, or relative to the index itself so a mirror is one
 * folder), its `sha256` and the artifact `entry`. There is no default network index: the user
 * names one with `--index` or `LOADR_PLUGIN_INDEX` (a URL, a path, a `file://` URL or a folder
 * holding `index.json`).
 */
import { statSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { fetchBytes } from "./download.ts";

/** The host's plugin ABI (reference: `LOADR_PLUGIN_ABI_VERSION` 1). Only the major part gates. */
export const HOST_PLUGIN_ABI = "1.0";

const Artifact = z.object({ url: z.string().min(1), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "expected 64 hex digits"), entry: z.string().min(1) });
const Version = z.object({ min_loadr_abi: z.string(), artifacts: z.record(z.string(), Artifact) });
const Entry = z.object({
  kind: z.string(),
  description: z.string().default(""),
  latest: z.string(),
  versions: z.record(z.string(), Version),
});
const IndexDoc = z.object({ schema: z.number(), plugins: z.record(z.string(), Entry) });

export type IndexArtifact = z.infer<typeof Artifact>;
export type IndexVersion = z.infer<typeof Version>;
export type IndexEntry = z.infer<typeof Entry>;
export type PluginIndex = z.infer<typeof IndexDoc>;

export class IndexError extends Error {}

export function parseIndex(text: string, where: string): PluginIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new IndexError(`plugin index ${where} is not valid JSON: ${(e as Error).message}`);
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== 1) throw new IndexError(`unsupported plugin index schema ${JSON.stringify(schema ?? null)} (this loadr understands schema 1)`);
  const parsed = IndexDoc.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IndexError(`plugin index ${where}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Where the index is: the flag, else `$LOADR_PLUGIN_INDEX`; none → a message saying how to give one. */
export function indexLocation(flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  const loc = flag || env.LOADR_PLUGIN_INDEX;
  if (!loc)
    throw new IndexError(
      "no plugin index configured: pass --index <url|path> or set LOADR_PLUGIN_INDEX (a mirror folder's index.json works offline; this repository ships plugins/index.json)",
    );
  return loc;
}

/** The index location as a URL: paths and folders become file:// URLs (a folder means its index.json). */
export function indexUrl(location: string): URL {
  if (/^(https?|file):\/\//i.test(location)) return new URL(location);
  let path = resolvePath(location);
  if (isDir(path)) path = join(path, "index.json");
  return pathToFileURL(path);
}

export interface LoadedIndex {
  index: PluginIndex;
  /** artifact URLs resolve against this */
  url: URL;
}

export async function loadIndex(location: string): Promise<LoadedIndex> {
  const url = indexUrl(location);
  const bytes = await fetchBytes(url, 32 * 1024 * 1024, "plugin index");
  return { index: parseIndex(new TextDecoder().decode(bytes), url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href), url };
}

/** An artifact `url` resolved against the index (relative URLs sit beside the index file). */
export function artifactUrl(indexAt: URL, url: string): URL {
  const at = new URL(url, indexAt);
  // a remote index must not make us read local files (a file's hash would leak through the check)
  if (at.protocol === "file:" && indexAt.protocol !== "file:")
    throw new IndexError(`index ${indexAt.href} points an artifact at a local file (${url}); only a local index may do that`);
  return at;
}

export interface Resolved {
  name: string;
  version: string;
  target: string;
  kind: string;
  artifact: IndexArtifact;
}

export function resolvePlugin(index: PluginIndex, name: string, version: string | undefined, targets: string[]): Resolved {
  const entry = Object.hasOwn(index.plugins, name) ? index.plugins[name] : undefined;
  if (!entry) throw new IndexError(`plugin \`${name}\` is not in the index (try \`loadr plugin search ${name}\`)`);
  const v = version ?? entry.latest;
  const ver = Object.hasOwn(entry.versions, v) ? entry.versions[v] : undefined;
  if (!ver) throw new IndexError(`plugin \`${name}\` has no version \`${v}\` (available: ${Object.keys(entry.versions).join(", ") || "none"})`);
  if (!abiCompatible(ver.min_loadr_abi, `plugin \`${name}\` v${v}`))
    throw new IndexError(
      `plugin \`${name}\` v${v} needs loadr plugin ABI >= ${ver.min_loadr_abi} but this loadr provides ${HOST_PLUGIN_ABI}; upgrade loadr or pick another version`,
    );
  const target = targets.find((t) => Object.hasOwn(ver.artifacts, t));
  if (!target)
    throw new IndexError(
      `plugin \`${name}\` v${v} has no artifact for target \`${targets[0]}\` (available: ${Object.keys(ver.artifacts).join(", ") || "none"})`,
    );
  return { name, version: v, target, kind: entry.kind, artifact: ver.artifacts[target]! };
}

/** Only the major part of `min_loadr_abi` matters (reference §6.9); a malformed value is an error. */
export function abiCompatible(min: string, what = "index entry"): boolean {
  const m = /^(\d+)(\.\d+)*$/.exec(min.trim());
  if (!m) throw new IndexError(`${what} has a malformed min_loadr_abi \`${min}\` (expected <major>.<minor>, e.g. 1.0)`);
  return Number(m[1]) <= Number(HOST_PLUGIN_ABI.split(".")[0]);
}

/** Case-insensitive substring of name or description, sorted by name. */
export function searchIndex(index: PluginIndex, term: string): { name: string; entry: IndexEntry }[] {
  const t = term.toLowerCase();
  return Object.entries(index.plugins)
    .filter(([n, e]) => n.toLowerCase().includes(t) || e.description.toLowerCase().includes(t))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entry]) => ({ name, entry }));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
