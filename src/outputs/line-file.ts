/**
 * A text file the json and csv outputs append lines to: created (and truncated) at start with its
 * parent folders, so an unwritable path fails before any load; written in one syscall per batch.
 * It runs on the coordinator thread, never on the VUs'.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

export class LineFile {
  readonly path: string;
  private fd: number | undefined;

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
  }

  write(text: string): void {
    if (text.length > 0) this.writeBytes(Buffer.from(text));
  }

  writeBytes(buf: Uint8Array): void {
    if (this.fd === undefined) return;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
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
