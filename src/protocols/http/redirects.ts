/** Redirect decisions (reference §5.1 http row). */

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** 301–303 turn into GET without a body (HEAD stays HEAD); 307/308 repeat the method and body. */
export function redirectMethod(status: number, method: string): { method: string; keepBody: boolean } {
  if (status === 307 || status === 308) return { method, keepBody: true };
  if (method === "HEAD") return { method, keepBody: false };
  return { method: "GET", keepBody: false };
}

/** Resolves a Location header against the current URL; null when it cannot be followed. */
export function resolveLocation(current: string, location: string): string | null {
  try {
    const u = new URL(location, current);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    u.hash = "";
    return u.href;
  } catch {
    return null;
  }
}

const BODY_HEADERS = new Set(["content-type", "content-length", "transfer-encoding", "content-encoding"]);
/** credentials never follow a redirect to another origin (as reqwest does) */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/** The headers for the next hop, or the same array when nothing needs to go (keeps the head cache warm). */
export function redirectHeaders(headers: [string, string][], dropBody: boolean, crossOrigin: boolean): [string, string][] {
  if (!dropBody && !crossOrigin) return headers;
  const out = headers.filter(([name]) => {
    const n = name.toLowerCase();
    if (dropBody && BODY_HEADERS.has(n)) return false;
    if (crossOrigin && CREDENTIAL_HEADERS.has(n)) return false;
    return true;
  });
  return out.length === headers.length ? headers : out;
}

export function redirectLimitMessage(max: number): string {
  return `stopped after ${max} redirects (max_redirects)`;
}
