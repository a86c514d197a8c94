/**
 * The `files` grant (grants.ts): wasi:filesystem for the granted directories, read-only. A
 * Descriptor is a directory or a regular file below one granted root; opening walks the path
 * below that root only (no absolute paths, no `..` above it, symlinks resolved and kept inside),
 * anything that would write answers `read-only`, and a plugin can never construct a Descriptor
 * itself (the constructor wants the module's private token). Files are read with node:fs on
 * demand: the wasm call is synchronous, and so are these.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, relative, sep } from "node:path";
import type { GrantedDir } from "./grants.ts";

const TOKEN = Symbol("loadr-descriptor");

/** wasi:filesystem error codes (thrown as plain strings: jco lowers them into the result's error case) */
type ErrorCode = "access" | "read-only" | "no-entry" | "not-directory" | "is-directory" | "invalid" | "not-permitted" | "bad-descriptor" | "unsupported" | "io";

const READ_ONLY = (..._args: unknown[]): never => {
  throw "read-only" satisfies ErrorCode;
};

function code(e: unknown): ErrorCode {
  switch ((e as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return "no-entry";
    case "ENOTDIR":
      return "not-directory";
    case "EISDIR":
      return "is-directory";
    case "EACCES":
    case "EPERM":
      return "access";
    default:
      return "io";
  }
}

function typeOf(s: Stats): string {
  return s.isDirectory() ? "directory" : s.isFile() ? "regular-file" : s.isSymbolicLink() ? "symbolic-link" : "unknown";
}

const time = (ms: number) => ({ seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: Math.floor((ms % 1000) * 1e6) });

/** Stream classes the sandbox owns (the bindings check `instanceof` on what they lower). */
export interface StreamKinds {
  makeInput(read: (n: number) => Uint8Array | undefined): unknown;
}

export class Descriptor {
  /** a directory's or file's real host path, and the granted root it is below */
  readonly #path: string;
  readonly #root: string;
  readonly #streams: StreamKinds;

  constructor(token: symbol, path: string, root: string, streams: StreamKinds) {
    if (token !== TOKEN) throw "access-denied";
    this.#path = path;
    this.#root = root;
    this.#streams = streams;
  }

  static root(dir: GrantedDir, streams: StreamKinds): Descriptor {
    return new Descriptor(TOKEN, dir.host, dir.host, streams);
  }

  /** A path below this directory, resolved and checked to stay under the granted root. */
  #below(path: string): string {
    if (path.startsWith("/") || path.includes("\0")) throw "not-permitted" satisfies ErrorCode;
    let full: string;
    try {
      full = realpathSync(join(this.#path, path));
    } catch (e) {
      throw code(e);
    }
    const rel = relative(this.#root, full);
    if (rel.startsWith("..") || rel.startsWith(sep)) throw "not-permitted" satisfies ErrorCode;
    return full;
  }

  #stat(path = this.#path): Stats {
    try {
      return statSync(path);
    } catch (e) {
      throw code(e);
    }
  }

  getType(): string {
    return typeOf(this.#stat());
  }
  getFlags(): Record<string, boolean> {
    return { read: true };
  }
  stat(): Record<string, unknown> {
    return statRecord(this.#stat());
  }
  statAt(_flags: unknown, path: string): Record<string, unknown> {
    return statRecord(this.#stat(this.#below(path)));
  }
  openAt(_pathFlags: unknown, path: string, openFlags: Record<string, boolean> | undefined, flags: Record<string, boolean> | undefined): Descriptor {
    if (openFlags?.create || openFlags?.truncate || openFlags?.exclusive || flags?.write || flags?.mutateDirectory) READ_ONLY();
    const full = this.#below(path);
    const s = this.#stat(full);
    if (openFlags?.directory && !s.isDirectory()) throw "not-directory" satisfies ErrorCode;
    return new Descriptor(TOKEN, full, this.#root, this.#streams);
  }
  readViaStream(offset: bigint): unknown {
    if (this.#stat().isDirectory()) throw "is-directory" satisfies ErrorCode;
    let at = Number(offset);
    const path = this.#path;
    return this.#streams.makeInput((n) => {
      const [bytes, end] = readAt(path, n, at);
      at += bytes.length;
      return bytes.length === 0 && end ? undefined : bytes;
    });
  }
  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    if (this.#stat().isDirectory()) throw "is-directory" satisfies ErrorCode;
    return readAt(this.#path, Number(length), Number(offset));
  }
  readDirectory(): DirectoryEntryStream {
    let names: string[];
    try {
      names = readdirSync(this.#path);
    } catch (e) {
      throw code(e);
    }
    return new DirectoryEntryStream(TOKEN, this.#path, names);
  }
  isSameObject(other: Descriptor): boolean {
    return other instanceof Descriptor && other.#path === this.#path;
  }
  metadataHash(): { lower: bigint; upper: bigint } {
    return hashOf(this.#stat());
  }
  metadataHashAt(_flags: unknown, path: string): { lower: bigint; upper: bigint } {
    return hashOf(this.#stat(this.#below(path)));
  }
  readlinkAt(): never {
    throw "invalid" satisfies ErrorCode;
  }
  advise(): void {}
  sync(): void {}
  syncData(): void {}
  writeViaStream = READ_ONLY;
  appendViaStream = READ_ONLY;
  setSize = READ_ONLY;
  setTimes = READ_ONLY;
  write = READ_ONLY;
  createDirectoryAt = READ_ONLY;
  setTimesAt = READ_ONLY;
  linkAt = READ_ONLY;
  removeDirectoryAt = READ_ONLY;
  renameAt = READ_ONLY;
  symlinkAt = READ_ONLY;
  unlinkFileAt = READ_ONLY;
}

export class DirectoryEntryStream {
  #i = 0;
  constructor(
    token: symbol,
    private readonly dir: string,
    private readonly names: string[],
  ) {
    if (token !== TOKEN) throw "access-denied";
  }
  readDirectoryEntry(): { type: string; name: string } | undefined {
    const name = this.names[this.#i++];
    if (name === undefined) return undefined;
    let type = "unknown";
    try {
      type = typeOf(statSync(join(this.dir, name)));
    } catch {
      // vanished meanwhile: unknown
    }
    return { type, name };
  }
}

function readAt(path: string, length: number, offset: number): [Uint8Array, boolean] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw code(e);
  }
  try {
    const size = fstatSync(fd).size;
    const n = Math.max(0, Math.min(length, size - offset, 1 << 20));
    const buf = new Uint8Array(n);
    const got = n > 0 ? readSync(fd, buf, 0, n, offset) : 0;
    return [got === n ? buf : buf.subarray(0, got), offset + got >= size];
  } finally {
    closeSync(fd);
  }
}

function statRecord(s: Stats): Record<string, unknown> {
  return {
    type: typeOf(s),
    linkCount: BigInt(s.nlink),
    size: BigInt(s.size),
    dataAccessTimestamp: time(s.atimeMs),
    dataModificationTimestamp: time(s.mtimeMs),
    statusChangeTimestamp: time(s.ctimeMs),
  };
}

function hashOf(s: Stats): { lower: bigint; upper: bigint } {
  return { lower: BigInt(s.ino), upper: BigInt(s.dev) };
}
