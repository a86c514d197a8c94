/**
 * A text file the json and csv outputs append lines to: created (and truncated) at start with its
 * parent folders, so an unwritable path fails before any load. Outputs format into `lines`,
 * call spill() after each line and flush() once a second (with the snapshot); the file is
 * complete after each flush and at close. It runs on the coordinator thread, never on the VUs'.
 *
 * A regular file on a local disk is also opened with O_DIRECT, and whole blocks go through that
 * descriptor: the json output writes about 200 MB/s at full load, and copying that into the page
 * cache was the coordinator's largest cost — more than all the formatting (perf:
 * copy_folio_from_iter_atomic, about 300 ns per point on the bench VM, where fresh page-cache
 * pages are slow to fault in), on the very core the VUs run on. With O_DIRECT the device reads the buffer itself. A flush writes
 * the last partial block through the page cache, and the next direct write writes it again,
 * whole (the kernel first writes back and drops that cached page: once a second, not per
 * batch). Anything else (a pipe, a terminal, a network or memory filesystem, one that refuses
 * O_DIRECT) is written the ordinary way.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, statfsSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BLOCK } from "./encode/aligned-bytes.ts";
import { ByteLines } from "./encode/byte-lines.ts";

/**
 * How much formatted text is written at a time: a json batch of 8192 points is about 1.8 MB.
 * Each direct write costs a device notification (a VM exit on the bench machine, ~30 µs), so
 * writes should be large; formatting into a buffer much larger than this also sweeps the core's
 * L2 cache, which the VUs' thread shares.
 */
const CHUNK = 1 << 20;

export class LineFile {
  readonly path: string;
  /** what the output formats; flush() hands it to the file */
  readonly lines = new ByteLines();
  private fd: number | undefined;
  /** the same file opened with O_DIRECT, while direct writes work */
  private direct: number | undefined;
  /** regular file: writes name their offset (pwrite), which the two descriptors need */
  private positional = false;
  /** file offset of the first byte in `lines` */
  private pos = 0;

  constructor(path: string, cwd: string) {
    this.path = resolve(cwd, path);
  }

  open(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "w");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`cannot write ${this.path}${code ? ` (${code})` : ""}: choose a writable path`);
    }
    this.positional = fstatSync(this.fd).isFile();
    if (this.positional && constants.O_DIRECT && onLocalDisk(this.path)) {
      try {
        this.direct = openSync(this.path, constants.O_WRONLY | constants.O_DIRECT);
      } catch {
        // the filesystem refuses O_DIRECT (tmpfs on older kernels, some FUSE mounts): page cache it is
      }
    }
  }

  /** Append a string and flush. */
  write(text: string): void {
    this.lines.text(text);
    this.flush();
  }

  /** Write what `lines` holds once it reached CHUNK (called after each line). With O_DIRECT only
   *  whole blocks are written here. */
  spill(): void {
    if (this.lines.length >= CHUNK) this.writeOut(false);
  }

  /** Write everything in `lines`: the file is then complete. */
  flush(): void {
    this.writeOut(true);
  }

  /** Flush (best effort: the run is ending anyway) and close. */
  close(): void {
    try {
      this.flush();
    } catch {}
    if (this.direct !== undefined) closeSync(this.direct);
    this.direct = undefined;
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Whole blocks directly when possible; the rest through the page cache when `all`, else kept. */
  private writeOut(all: boolean): void {
    const buf = this.lines.view();
    if (this.fd === undefined) return this.lines.consume(buf.length);
    const whole = this.direct === undefined ? 0 : this.writeDirect(buf, buf.length - (buf.length % BLOCK));
    if (this.direct !== undefined) {
      // the partial block stays in `lines` (the next direct write needs it from a block
      // boundary); written through the page cache too when the file must be complete now
      if (all) writeAll(this.fd, buf, whole, this.pos + whole);
      this.pos += whole;
      this.lines.consume(whole);
    } else {
      writeAll(this.fd, buf, whole, this.positional ? this.pos + whole : null);
      this.pos += buf.length;
      this.lines.consume(buf.length);
    }
  }

  /** The first `n` bytes (a multiple of BLOCK) through O_DIRECT; returns how many were written.
   *  A refusal (EINVAL: alignment or a filesystem that only pretends) turns direct writes off. */
  private writeDirect(buf: Uint8Array, n: number): number {
    let off = 0;
    try {
      while (off < n) off += writeSync(this.direct!, buf, off, n - off, this.pos + off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
      closeSync(this.direct!);
      this.direct = undefined;
    }
    return off;
  }
}

/**
 * statfs magic numbers of local disk filesystems (ext2/3/4, xfs, btrfs, f2fs) and of overlayfs
 * (containers; it passes O_DIRECT to the disk below). Elsewhere — NFS, SMB, FUSE, tmpfs — a
 * direct write waits for the network or buys nothing, and the page cache absorbs bursts better.
 */
const LOCAL_DISK = new Set([0xef53, 0x58465342, 0x9123683e, 0xf2f52010, 0x794c7630]);

function onLocalDisk(path: string): boolean {
  try {
    return LOCAL_DISK.has(Number(statfsSync(path).type));
  } catch {
    return false;
  }
}

/** `buf` from `from` to its end, at `position` (null: the descriptor's own offset). */
function writeAll(fd: number, buf: Uint8Array, from: number, position: number | null): void {
  let off = from;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position === null ? null : position + off - from);
}

/** Tags as `k=v;k2=v2`, sorted by key (csv, and any output that wants one flat string). */
export function flatTags(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(";");
}

/** Tags with keys in sorted order (the reference's sample wire shape). */
export function sortedObject(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k]!;
  return out;
}
