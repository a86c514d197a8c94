/**
 * The reference's query/form encoder (§2.9): unreserved `A-Za-z0-9-_.~` kept, everything else
 * `%XX` with uppercase hex, space as `%20`. (encodeURIComponent keeps `!'()*`, so it won't do.)
 */
const HEX = "0123456789ABCDEF";
const encoder = new TextEncoder();

export function percentEncode(s: string): string {
  if (/^[A-Za-z0-9\-_.~]*$/.test(s)) return s;
  let out = "";
  for (const b of encoder.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else out += "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

export function encodePairs(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => percentEncode(k) + "=" + percentEncode(v)).join("&");
}

/** Join a request URL onto base_url as the reference does: rtrim(base,'/') + '/' + ltrim(url,'/'). */
export function joinBaseUrl(base: string | undefined, url: string): string {
  if (base === undefined || url.includes("://")) return url;
  return base.replace(/\/+$/, "") + "/" + url.replace(/^\/+/, "");
}
