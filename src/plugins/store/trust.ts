/**
 * Where an install comes from, and whether it may proceed (reference §6.9). Only the index
 * pins a sha256, so every other non-directory source needs `--allow-untrusted`.
 */
import { existsSync, statSync } from "node:fs";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";

export type Source =
  | { kind: "dir"; path: string }
  | { kind: "archive"; path: string }
  | { kind: "url"; url: string }
  | { kind: "github"; spec: string }
  | { kind: "name"; name: string };

/** Reference order: github:, http(s)://, an existing dir, an existing file, a path-looking string, else an index name. */
export function classifySource(src: string): Source {
  if (src.startsWith("github:")) return { kind: "github", spec: src.slice("github:".length) };
  if (/^https?:\/\//i.test(src)) return { kind: "url", url: src };
  if (/^file:\/\//i.test(src)) return { kind: "archive", path: fileURLToPath(src) };
  if (existsSync(src)) return statSync(src).isDirectory() ? { kind: "dir", path: src } : { kind: "archive", path: src };
  if (src.includes("/") || src.includes(sep)) return { kind: "dir", path: src };
  return { kind: "name", name: src };
}

const UNTRUSTED_LABEL: Record<string, string> = { github: "github:", url: "a URL", archive: "a local archive" };

export class UntrustedSourceError extends Error {}

export function checkTrust(source: Source, allowUntrusted: boolean): void {
  const label = UNTRUSTED_LABEL[source.kind];
  if (label && !allowUntrusted)
    throw new UntrustedSourceError(
      `installing from ${label} is not an official-index source; re-run with --allow-untrusted to proceed (sha256 is not pinned for this source)`,
    );
}
