/**
 * Static response bodies of the echo target, computed once at module load.
 *
 * Plans extract from these bodies (jsonpath on /json, xpath on /xml, css on /html), so the texts
 * of §7 of the reference test server are reproduced byte for byte; do not reformat them.
 * The compressed variants are encoded here once so a request costs no compression work.
 */
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";

const enc = new TextEncoder();

export const WELCOME_TEXT = "Welcome to loadr-testserver";

export const JSON_TEXT =
  '{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}';

export const XML_TEXT =
  '<catalog><item id="1"><name>alpha</name></item><item id="2"><name>beta</name></item></catalog>';

/** §7 fixes only the form action, the csrf input and "links"; the rest is ours. */
export const HTML_TEXT = `<!DOCTYPE html>
<html>
<head><title>loadr-testserver</title></head>
<body>
<h1>loadr-testserver</h1>
<form action="/login" method="post">
<input type="hidden" name="csrf" value="csrf-token-xyz">
<input type="text" name="username">
<input type="password" name="password">
<button type="submit">Log in</button>
</form>
<ul>
<li><a href="/json">json</a></li>
<li><a href="/xml">xml</a></li>
<li><a href="/echo">echo</a></li>
<li><a href="/cookies">cookies</a></li>
</ul>
</body>
</html>
`;

/** The decoded body of /gzip, /deflate and /brotli. */
export const COMPRESSED_TEXT = '{"compressed":true}';

export const WELCOME = enc.encode(WELCOME_TEXT);
export const JSON_BODY = enc.encode(JSON_TEXT);
export const XML_BODY = enc.encode(XML_TEXT);
export const HTML_BODY = enc.encode(HTML_TEXT);
export const GZIP_BODY = new Uint8Array(gzipSync(COMPRESSED_TEXT));
/** HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2), not raw deflate. */
export const DEFLATE_BODY = new Uint8Array(deflateSync(COMPRESSED_TEXT));
export const BROTLI_BODY = new Uint8Array(brotliCompressSync(COMPRESSED_TEXT));

/** Pieces of the /chunked body, each written and flushed separately so it travels as its own chunk. */
export const CHUNKS: readonly Uint8Array[] = ["chunk-1;", "chunk-2;", "chunk-3;", "chunk-4"].map((s) => enc.encode(s));

export const TEXT = "text/plain; charset=utf-8";
export const JSON_TYPE = "application/json";

/** Largest /large/{kb}, as in the reference (64 MiB). */
export const LARGE_MAX_KB = 65536;

let xs = new Uint8Array(0);
/** kb×1024 bytes of "x": one shared buffer, grown on demand, so /large allocates only when it grows. */
export function largeBody(kb: number): Uint8Array {
  const n = kb * 1024;
  if (xs.length < n) xs = new Uint8Array(n).fill(0x78);
  return xs.subarray(0, n);
}
