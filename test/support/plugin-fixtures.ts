/**
 * Real plugin directories and archives for the distribution tests: hand-written tar headers
 * (so a test can build what no well-behaved tool would: `..` paths, escaping links, devices,
 * lying sizes) gzipped by Bun, and zips through yazl.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yazl from "yazl";

export interface FixturePlugin {
  name: string;
  version?: string;
  kind?: string;
  type?: "wasm" | "native";
  entry?: string;
  description?: string;
  /** artifact contents (default: a line naming the plugin and version) */
  artifact?: string | Uint8Array;
  config?: string;
}

export function manifestText(p: FixturePlugin): string {
  const version = p.version ?? "1.0.0";
  return [
    "[plugin]",
    `name = "${p.name}"`,
    `version = "${version}"`,
    `kind = "${p.kind ?? "extractor"}"`,
    `type = "${p.type ?? "wasm"}"`,
    `entry = "${p.entry ?? `${p.name}.wasm`}"`,
    `description = "${p.description ?? `fixture plugin ${p.name}`}"`,
    ...(p.config ? ["", "[config]", p.config] : []),
  ].join("\n") + "\n";
}

/** `<parent>/<name>-<version>/{plugin.toml, entry}`; returns the directory. */
export function writePluginDir(parent: string, p: FixturePlugin): string {
  const dir = join(parent, `${p.name}-${p.version ?? "1.0.0"}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "plugin.toml"), manifestText(p));
  writeFileSync(join(dir, p.entry ?? `${p.name}.wasm`), p.artifact ?? artifactText(p));
  return dir;
}

export function artifactText(p: FixturePlugin): string {
  return `artifact of ${p.name} v${p.version ?? "1.0.0"}\n`;
}

export interface TarEntry {
  path: string;
  data?: string | Uint8Array;
  /** ustar typeflag: 0 file, 1 hard link, 2 symlink, 3 char device, 4 block device, 5 dir, 6 FIFO */
  type?: "0" | "1" | "2" | "3" | "4" | "5" | "6";
  linkpath?: string;
  mode?: number;
  /** size to write in the header (default: the data's length) — lets a test lie */
  declaredSize?: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(e: TarEntry, size: number): Uint8Array {
  const h = Buffer.alloc(512);
  h.write(e.path, 0, 100, "utf8");
  h.write(octal(e.mode ?? (e.type === "5" ? 0o755 : 0o644), 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(e.declaredSize ?? size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write("        ", 148); // checksum placeholder: spaces
  h.write(e.type ?? "0", 156);
  if (e.linkpath) h.write(e.linkpath, 157, 100, "utf8");
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148);
  return h;
}

/** A raw .tar (uncompressed) of the entries exactly as given. */
export function tar(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = typeof e.data === "string" ? Buffer.from(e.data) : Buffer.from(e.data ?? new Uint8Array());
    parts.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function tarGz(entries: TarEntry[]): Uint8Array {
  return Bun.gzipSync(tar(entries) as Uint8Array<ArrayBuffer>);
}

/** The usual archive of a fixture plugin: `<name>-<version>/plugin.toml` + artifact. */
export function pluginTarGz(p: FixturePlugin, extra: TarEntry[] = []): Uint8Array {
  const top = `${p.name}-${p.version ?? "1.0.0"}`;
  return tarGz([
    { path: `${top}/`, type: "5" },
    { path: `${top}/plugin.toml`, data: manifestText(p) },
    { path: `${top}/${p.entry ?? `${p.name}.wasm`}`, data: p.artifact ?? artifactText(p) },
    ...extra.map((e) => ({ ...e, path: e.path.replace("{top}", top) })),
  ]);
}

export interface ZipEntry {
  path: string;
  data?: string;
  /** unix mode incl. type bits, e.g. 0o120777 for a symlink (data = link target) */
  mode?: number;
}

export function zip(entries: ZipEntry[]): Promise<Uint8Array> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(Buffer.from(e.data ?? ""), e.path, { mode: e.mode ?? 0o100644, mtime: new Date(0) });
  z.end();
  return new Response(z.outputStream as unknown as ReadableStream).arrayBuffer().then((b) => new Uint8Array(b));
}

export function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/** A schema-1 index with one plugin version per call, artifacts given per target. */
export function indexJson(plugins: Record<string, { kind?: string; description?: string; latest: string; versions: Record<string, { min_loadr_abi?: string; artifacts: Record<string, { url: string; sha256: string; entry: string }> }> }>, schema = 1): string {
  const out: Record<string, unknown> = {};
  for (const [n, p] of Object.entries(plugins)) {
    out[n] = {
      kind: p.kind ?? "extractor",
      description: p.description ?? `fixture plugin ${n}`,
      latest: p.latest,
      versions: Object.fromEntries(Object.entries(p.versions).map(([v, x]) => [v, { min_loadr_abi: x.min_loadr_abi ?? "1.0", artifacts: x.artifacts }])),
    };
  }
  return JSON.stringify({ schema, plugins: out }, null, 2);
}
