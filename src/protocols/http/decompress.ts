/** Content-Encoding decoding (gzip / x-gzip / deflate as zlib or raw / br), only when the response says so. */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/**
 * Decodes `body` according to a Content-Encoding value. Codings are undone in reverse order of
 * application; unknown codings (and `identity`) leave the bytes as they are. Throws on corrupt data.
 */
export function decodeBody(body: Uint8Array, contentEncoding: string): Uint8Array {
  if (body.length === 0) return body;
  const codings = contentEncoding.toLowerCase().split(",");
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const c = codings[i]!.trim();
    if (c === "gzip" || c === "x-gzip") out = gunzipSync(out);
    else if (c === "deflate") out = inflateDeflate(out);
    else if (c === "br") out = brotliDecompressSync(out);
    else if (c !== "identity" && c !== "") return out; // unknown coding: hand back what we have
  }
  return out;
}

/** "deflate" is meant to be zlib-wrapped (RFC 9110) but some servers send raw deflate: accept both. */
function inflateDeflate(b: Uint8Array): Uint8Array {
  const zlibHeader = b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
  return zlibHeader ? inflateSync(b) : inflateRawSync(b);
}
