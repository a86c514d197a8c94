/**
 * Unpacking a plugin archive (`.tar.gz`/`.tgz` through the `tar` package, `.zip` through
 * yauzl) into a fresh staging directory. Safety first (issue 7): the archive is read fully into
 * memory and every entry is checked BEFORE anything is written, so a refused archive leaves
 * nothing behind. Refused: `..` components, absolute paths, symlinks/hard links whose target
 * leaves the archive (links inside it are written as plain copies: nothing we unpack is ever a
 * link), devices/FIFOs, more than ENTRY_CAP entries, more than UNPACK_CAP bytes (checked
 * against the declared size before reading, and again while reading; for a .tar.gz also the
 * whole decompressed stream, so data hidden after the tar's end counts), two entries for one
 * path (or a file where another entry needs a directory), a name component over NAME_MAX bytes
 * or a path over PATH_CAP bytes.
 * A single top-level directory (`name-1.0.0/plugin.toml`) is stripped, as the reference does.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join, posix } from "node:path";
import * as tar from "tar";
import yauzl from "yauzl";

export const UNPACK_CAP = 256 * 1024 * 1024;
export const ENTRY_CAP = 10_000;
/** a file name's longest component (most filesystems' NAME_MAX) and a whole path, in bytes */
export const NAME_MAX = 255;
export const PATH_CAP = 1024;

export class ArchiveError extends Error {}

type Kind = "file" | "dir" | "symlink" | "hardlink" | "special";

interface RawEntry {
  path: string;
  kind: Kind;
  /** what the archive calls it, for messages ("character device", "FIFO") */
  label: string;
  mode: number;
  linkTarget?: string;
  data?: Buffer;
}

export type ArchiveFormat = "tar.gz" | "zip";

export function archiveFormat(name: string): ArchiveFormat {
  const n = name.toLowerCase();
  if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) return "tar.gz";
  if (n.endsWith(".zip")) return "zip";
  throw new ArchiveError(`unsupported archive type for \`${name}\` (expected .tar.gz, .tgz or .zip)`);
}

/** Unpacks `bytes` (an archive called `name`) into `dest`, which must exist and be empty. */
export async function unpackArchive(bytes: Uint8Array, name: string, dest: string): Promise<void> {
  const format = archiveFormat(name);
  const raw = format === "tar.gz" ? await readTar(Buffer.from(bytes), name) : await readZip(Buffer.from(bytes), name);
  writeEntries(plan(raw, name), dest);
}

// --- reading ---------------------------------------------------------------------------------

class Budget {
  private bytes = 0;
  private entries = 0;
  constructor(private readonly name: string) {}
  entry(): void {
    if (++this.entries > ENTRY_CAP) throw new ArchiveError(`archive ${this.name} has more than ${ENTRY_CAP} entries (cap); refusing to install`);
  }
  add(n: number): void {
    this.bytes += n;
    if (this.bytes > UNPACK_CAP) throw tooLarge(this.name);
  }
}

const tooLarge = (name: string) => new ArchiveError(`archive ${name} unpacks to more than ${UNPACK_CAP / 1024 / 1024} MiB (cap); refusing to install`);

const TAR_KINDS: Record<string, [Kind, string]> = {
  File: ["file", "file"],
  OldFile: ["file", "file"],
  ContiguousFile: ["file", "file"],
  Directory: ["dir", "directory"],
  GNUDumpDir: ["dir", "directory"],
  SymbolicLink: ["symlink", "symlink"],
  Link: ["hardlink", "hard link"],
  CharacterDevice: ["special", "character device"],
  BlockDevice: ["special", "block device"],
  FIFO: ["special", "FIFO"],
};

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);

/**
 * The tar inside a .tar.gz, decompressed here rather than by the tar parser: the cap then counts
 * every decompressed byte — gigabytes of zeros after the tar's end made the parser buffer them
 * all (minutes, gigabytes) while the per-entry budget saw nothing. A plain tar passes as is.
 */
function gunzipTar(buf: Buffer, name: string): Buffer {
  if (!startsWith(buf, GZIP_MAGIC)) return buf;
  let raw: Buffer;
  try {
    raw = gunzipSync(buf, { maxOutputLength: UNPACK_CAP });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(name);
    throw new ArchiveError(`archive ${name} is corrupt or not a .tar.gz: ${(e as Error).message}`);
  }
  // the parser would decompress a second layer itself, past the cap
  if (startsWith(raw, GZIP_MAGIC) || startsWith(raw, ZSTD_MAGIC))
    throw new ArchiveError(`archive ${name} is corrupt or not a .tar.gz: it is compressed twice`);
  return raw;
}

function readTar(gz: Buffer, name: string): Promise<RawEntry[]> {
  return new Promise((resolve, reject) => {
    const buf = gunzipTar(gz, name);
    const out: RawEntry[] = [];
    const budget = new Budget(name);
    let failed = false;
    const parser = new tar.Parser({ strict: true, brotli: false, zstd: false });
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e instanceof ArchiveError ? e : new ArchiveError(`archive ${name} is corrupt or not a .tar.gz: ${(e as Error).message}`));
      parser.abort(e instanceof Error ? e : new Error(String(e))); // stop reading the rest
    };
    parser.on("entry", (e: tar.ReadEntry) => {
      try {
        budget.entry();
        const [kind, label] = TAR_KINDS[e.type] ?? ["special", e.type];
        if (kind === "file") budget.add(e.size ?? 0);
        const entry: RawEntry = { path: e.path, kind, label, mode: e.mode ?? 0o644, linkTarget: e.linkpath };
        out.push(entry);
        if (kind !== "file") return void e.resume();
        const chunks: Buffer[] = [];
        let got = 0;
        e.on("data", (c: Buffer) => {
          got += c.length;
          if (got > (e.size ?? 0)) fail(new ArchiveError(`archive ${name}: entry \`${e.path}\` holds more data than its header declares`));
          chunks.push(c);
        });
        e.on("end", () => (entry.data = Buffer.concat(chunks)));
      } catch (err) {
        fail(err);
        e.resume();
      }
    });
    parser.on("error", fail);
    parser.on("end", () => {
      if (!failed) resolve(out);
    });
    parser.end(buf);
  });
}

const S_IFMT = 0o170000;
const ZIP_TYPES: Record<number, [Kind, string]> = {
  0o120000: ["symlink", "symlink"],
  0o020000: ["special", "character device"],
  0o060000: ["special", "block device"],
  0o010000: ["special", "FIFO"],
  0o140000: ["special", "socket"],
};

function readZip(buf: Buffer, name: string): Promise<RawEntry[]> {
  const corrupt = (e: Error) => new ArchiveError(`archive ${name} is corrupt or not a .zip: ${e.message}`);
  return new Promise((resolve, reject) => {
    // decodeStrings: false so that WE judge the names (yauzl would reject with its own words)
    yauzl.fromBuffer(buf, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(corrupt(err ?? new Error("unreadable")));
      const out: RawEntry[] = [];
      const budget = new Budget(name);
      const fail = (e: unknown) => {
        zip.close();
        reject(e instanceof ArchiveError ? e : corrupt(e as Error));
      };
      zip.on("error", fail);
      zip.on("end", () => resolve(out));
      zip.on("entry", (z: yauzl.Entry) => {
        try {
          budget.entry();
          const path = (z.fileName as unknown as Buffer).toString("utf8");
          const unixMode = z.externalFileAttributes >>> 16;
          const isDir = path.endsWith("/") || (unixMode & S_IFMT) === 0o040000;
          const [kind, label]: [Kind, string] = isDir ? ["dir", "directory"] : (ZIP_TYPES[unixMode & S_IFMT] ?? ["file", "file"]);
          const entry: RawEntry = { path, kind, label, mode: unixMode & 0o777 || 0o644 };
          out.push(entry);
          if (kind !== "file" && kind !== "symlink") return zip.readEntry();
          budget.add(z.uncompressedSize);
          zip.openReadStream(z, (e2, stream) => {
            if (e2 || !stream) return fail(e2 ?? new Error("unreadable entry"));
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("error", fail);
            stream.on("end", () => {
              const data = Buffer.concat(chunks);
              if (kind === "symlink") entry.linkTarget = data.toString("utf8");
              else entry.data = data;
              zip.readEntry();
            });
          });
        } catch (e) {
          fail(e);
        }
      });
      zip.readEntry();
    });
  });
}

// --- checking --------------------------------------------------------------------------------

interface Planned {
  dirs: string[];
  files: { path: string; data: Buffer; mode: number }[];
}

/** Splits an entry path into safe components, or refuses it. */
function components(path: string, name: string): string[] {
  const p = path.replace(/\\/g, "/");
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p))
    throw new ArchiveError(`archive ${name}: entry \`${path}\` is an absolute path; refusing to install`);
  const parts = p.split("/").filter((c) => c !== "" && c !== ".");
  if (parts.includes(".."))
    throw new ArchiveError(`archive ${name}: entry \`${path}\` climbs out of the plugin directory (\`..\`); refusing to install`);
  const shown = path.length > 80 ? `${path.slice(0, 60)}…` : path;
  if (Buffer.byteLength(p) > PATH_CAP)
    throw new ArchiveError(`archive ${name}: entry \`${shown}\` has a path over ${PATH_CAP} bytes; refusing to install`);
  if (parts.some((c) => Buffer.byteLength(c) > NAME_MAX))
    throw new ArchiveError(`archive ${name}: entry \`${shown}\` has a name over ${NAME_MAX} bytes; refusing to install`);
  return parts;
}

function plan(raw: RawEntry[], name: string): Planned {
  for (const e of raw)
    if (e.kind === "special") throw new ArchiveError(`archive ${name}: entry \`${e.path}\` is a ${e.label}; a plugin archive may hold only files and directories`);
  const split = raw.map((e) => ({ e, parts: components(e.path, name) })).filter((x) => x.parts.length > 0);
  // strip one shared top-level directory when no file sits at the top
  const tops = new Set(split.map((x) => x.parts[0]));
  const strip = tops.size === 1 && split.every((x) => x.e.kind === "dir" || x.parts.length > 1) ? 1 : 0;
  const rel = (parts: string[]) => parts.slice(strip).join("/");

  const files = new Map<string, { data: Buffer; mode: number }>();
  const dirs = new Set<string>();
  const links: { path: string; target: string; e: RawEntry }[] = [];
  // every path once: a second entry for it would overwrite the first, or fail to write over it
  const seen = new Map<string, RawEntry>();
  for (const { e, parts } of split) {
    const path = rel(parts);
    if (path === "") continue;
    const before = seen.get(path);
    if (before !== undefined && !(before.kind === "dir" && e.kind === "dir"))
      throw new ArchiveError(`archive ${name}: \`${path}\` appears twice (a ${before.label}, then a ${e.label}); refusing to install`);
    seen.set(path, e);
    if (e.kind === "dir") dirs.add(path);
    else if (e.kind === "file") files.set(path, { data: e.data ?? Buffer.alloc(0), mode: e.mode });
    else {
      // a symlink is relative to its own directory; a tar hard link names a path in the archive
      const raw = e.linkTarget ?? "";
      const escapes = () =>
        new ArchiveError(`archive ${name}: entry \`${e.path}\` is a ${e.label} to \`${raw}\`, outside the plugin directory; refusing to install`);
      if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw escapes();
      const joined =
        e.kind === "symlink" ? posix.normalize(posix.join(posix.dirname(path), raw)) : posix.normalize(rel(raw.split("/").filter((c) => c !== "" && c !== ".")));
      if (joined === ".." || joined.startsWith("../") || joined.startsWith("/")) throw escapes();
      links.push({ path, target: joined, e });
    }
  }
  // a file cannot also be the directory of another entry
  for (const path of seen.keys())
    for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
      const parent = seen.get(path.slice(0, i));
      if (parent !== undefined && parent.kind !== "dir")
        throw new ArchiveError(`archive ${name}: \`${path}\` needs \`${path.slice(0, i)}\` to be a directory, but the archive has it as a ${parent.label}; refusing to install`);
    }
  for (const l of links) {
    const target = files.get(l.target);
    if (!target)
      throw new ArchiveError(`archive ${name}: entry \`${l.e.path}\` is a ${l.e.label} to \`${l.e.linkTarget}\`, which the archive does not contain as a file`);
    files.set(l.path, target);
  }
  return { dirs: [...dirs], files: [...files].map(([path, f]) => ({ path, ...f })) };
}

function writeEntries(p: Planned, dest: string): void {
  for (const d of p.dirs) mkdirSync(join(dest, d), { recursive: true });
  for (const f of p.files) {
    const out = join(dest, f.path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, f.data, { mode: f.mode & 0o111 ? 0o755 : 0o644 });
  }
}
