/**
 * Where run-time caches live (docs/dev/architecture.md "Files at run time"): transpiled components and
 * extracted embedded libraries. `$LOADR_CACHE_DIR`, else `$XDG_CACHE_HOME/loadr`, else
 * `~/.cache/loadr`, else a private temp dir — the first one that is writable, so a read-only
 * or missing HOME still works.
 */
import { accessSync, constants, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let chosen: string | undefined;

export function cacheDir(sub: string, env: Record<string, string | undefined> = process.env): string {
  chosen ??= pickRoot(env);
  const dir = join(chosen, sub);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function pickRoot(env: Record<string, string | undefined>): string {
  const candidates = [
    env.LOADR_CACHE_DIR,
    env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, "loadr") : undefined,
    env.HOME ? join(env.HOME, ".cache", "loadr") : undefined,
  ];
  for (const c of candidates) {
    if (c && writable(c)) return c;
  }
  return mkdtempSync(join(tmpdir(), "loadr-cache-"));
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
