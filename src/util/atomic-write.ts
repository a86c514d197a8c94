/**
 * Write a whole file or nothing: the bytes go to a temporary file in the same folder, which is
 * renamed over the target only once they are all written (and flushed). A full disk or a killed
 * process then leaves the previous file, or none, never a truncated one — a summary export a CI
 * step parses must not be half a JSON document.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Write `data` to `path` atomically, creating its folder first. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // same folder: rename() is atomic only within one filesystem
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o666);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
