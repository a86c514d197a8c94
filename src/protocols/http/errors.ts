/**
 * Transport error messages. Their wording is chosen so that `classifyError()` (reference §2.5)
 * puts each into the right error_kind bucket; keep the key words when editing them.
 */
import { BODY_TOO_LARGE, TOO_MANY_OPEN_FILES } from "../types.ts";

/** Rust's `Duration` Debug form, which the reference prints in timeout messages: 10s, 1.5s, 500ms, 250µs. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${trim(ms / 1000)}s`;
  if (ms >= 1) return `${trim(ms)}ms`;
  return `${trim(ms * 1000)}µs`;
}

function trim(n: number): string {
  // at most 9 significant decimals, like Duration's nanosecond precision, without trailing zeros
  return String(Number(n.toFixed(9)));
}

export function timeoutMessage(ms: number): string {
  return `request timed out after ${formatDuration(ms)}`;
}

export const CLOSED_EARLY = "connection closed before message completed";

/** `64 MiB`, `512 KiB`, `1000 bytes`: a size as the plan would likely have written it */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** The response body passed max_body_size; `what` says how it was found out (`its Content-Length of N bytes`). */
export function bodyTooLargeMessage(what: string, limit: number): string {
  return `${BODY_TOO_LARGE}${what} passed max_body_size (${formatSize(limit)})`;
}

/** A socket could not be made: no file descriptor left (EMFILE, or ENFILE system-wide). */
export function tooManyOpenFilesMessage(code: string, where: string): string {
  return `${TOO_MANY_OPEN_FILES}no socket for ${where} (${code})`;
}

/** Maps a Bun socket error (from connectError/error/close) to a classified message. */
export function socketErrorMessage(err: unknown, where: string): string {
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  const msg = e?.message ?? String(err);
  switch (code) {
    case "EMFILE":
    case "ENFILE":
      return tooManyOpenFilesMessage(code, where);
    case "ECONNREFUSED":
      return `error trying to connect: connection refused (${where})`;
    case "ECONNRESET":
      return `connection reset by peer (${where})`;
    case "EPIPE":
      return `broken pipe (${where})`;
    case "ETIMEDOUT":
      return `error trying to connect: connect timed out (${where})`;
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
      return `dns error: failed to resolve ${where}: ${msg}`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return `error trying to connect: ${code} (${where})`;
    case "EPROTO":
      return `tls error: ${msg}`;
  }
  if (/^error:[0-9a-f]+:SSL/i.test(msg)) return `tls error: ${msg}`;
  return `${msg} (${where})`;
}
