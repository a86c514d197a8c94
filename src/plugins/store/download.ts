/**
 * Fetching an index or an archive (reference §6.9 download client): `file://` reads the disk
 * (a mirror), `http(s)://` downloads with ≤ 8 redirects, a 120 s deadline and a size cap that
 * is enforced while reading, so a hostile server cannot make us buffer more than the cap.
 */
import { openSync, fstatSync, readSync, closeSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DOWNLOAD_CAP = 256 * 1024 * 1024;
const MAX_REDIRECTS = 8;
const TIMEOUT_MS = 120_000;

export class DownloadError extends Error {}

export async function fetchBytes(url: URL, cap = DOWNLOAD_CAP, what = "archive"): Promise<Uint8Array> {
  if (url.protocol === "file:") return readCapped(fileURLToPath(url), cap, what);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new DownloadError(`cannot fetch ${what} from \`${url.href}\`: only http(s):// and file:// URLs or local paths are supported`);
  let current = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(current, {
        redirect: "manual",
        headers: { "user-agent": "loadr-plugin-installer", accept: "application/octet-stream" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      throw new DownloadError(`GET ${current.href} failed: ${(e as Error).message} (offline? use a mirrored index: --index <folder>/index.json)`);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      if (hop >= MAX_REDIRECTS) throw new DownloadError(`GET ${url.href}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(res.headers.get("location")!, current);
      await res.body?.cancel();
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new DownloadError(`GET ${current.href} returned ${res.status}`);
    }
    return readBody(res, cap, current.href, what);
  }
}

async function readBody(res: Response, cap: number, href: string, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > cap) throw new DownloadError(`${what} at ${href} is ${declared} bytes, over the ${cap}-byte cap`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.byteLength;
    if (total > cap) {
      throw new DownloadError(`${what} at ${href} is over the ${cap}-byte cap`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function readCapped(path: string, cap: number, what: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DownloadError(`cannot read ${what} ${path}: ${code === "ENOENT" ? "no such file" : code ?? (e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > cap) throw new DownloadError(`${what} ${path} is ${size} bytes, over the ${cap}-byte cap`);
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    throw new DownloadError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
