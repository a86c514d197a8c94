/** `k6/encoding` (and the reference's `encoding` global): base64 in k6's four variants. Pure: one object per worker. */
type Variant = "std" | "rawstd" | "url" | "rawurl";

const variantOf = (v: unknown): Variant => {
  const s = v === undefined || v === null || v === "" ? "std" : String(v);
  if (s === "std" || s === "rawstd" || s === "url" || s === "rawurl") return s;
  throw new TypeError(`unknown base64 encoding \`${s}\` (std, rawstd, url, rawurl)`);
};

function b64encode(input: unknown, encoding?: unknown): string {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input instanceof ArrayBuffer ? Buffer.from(input) : ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(String(input), "utf8");
  const v = variantOf(encoding);
  let s = bytes.toString(v === "url" || v === "rawurl" ? "base64url" : "base64");
  if (v === "url") s += "=".repeat((4 - (s.length % 4)) % 4);
  if (v === "rawstd") s = s.replace(/=+$/, "");
  return s;
}

/** format `s`: a string; otherwise an ArrayBuffer (k6) */
function b64decode(input: unknown, encoding?: unknown, format?: unknown): string | ArrayBuffer {
  variantOf(encoding);
  const buf = Buffer.from(String(input).replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (format === "s") return buf.toString("utf8");
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

const api = { b64encode, b64decode };
export const ENCODING_MODULE: Record<string, unknown> = Object.freeze({ ...api, default: Object.freeze(api) });
export const ENCODING_GLOBAL = Object.freeze(api);
