/** `k6/crypto` (and the reference's `crypto` global): digests, HMAC, random bytes, UUIDs. Pure: one object per worker. */
import { createHash, createHmac, randomBytes as nodeRandomBytes, randomUUID, getRandomValues } from "node:crypto";

type Enc = "hex" | "base64" | "base64url" | "binary";

const bytesOf = (data: unknown): Uint8Array | string =>
  typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : String(data);

function out(buf: Buffer, enc: unknown): string | ArrayBuffer {
  const e = (enc ?? "hex") as Enc;
  if (e === "binary") return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  if (e === "base64" || e === "base64url" || e === "hex") return buf.toString(e);
  throw new TypeError(`unknown output encoding \`${String(enc)}\` (hex, base64, base64url, binary)`);
}

const algo = (a: unknown) => String(a).toLowerCase().replace(/^sha-/, "sha").replace("sha512_256", "sha512-256");

const digest = (a: string) => (data: unknown, enc?: unknown) => out(createHash(a).update(bytesOf(data)).digest(), enc);

/** k6's Hasher: update(), then digest(encoding) */
function hasher(h: { update(d: Uint8Array | string): unknown; digest(): Buffer }) {
  const o = {
    update(d: unknown) {
      h.update(bytesOf(d));
      return o;
    },
    digest: (enc?: unknown) => out(h.digest(), enc),
  };
  return o;
}

const api = {
  md4: digest("md4"),
  md5: digest("md5"),
  sha1: digest("sha1"),
  sha256: digest("sha256"),
  sha384: digest("sha384"),
  sha512: digest("sha512"),
  sha512_224: digest("sha512-224"),
  sha512_256: digest("sha512-256"),
  ripemd160: digest("ripemd160"),
  hmac: (a: unknown, secret: unknown, data: unknown, enc?: unknown) => out(createHmac(algo(a), bytesOf(secret)).update(bytesOf(data)).digest(), enc),
  createHash: (a: unknown) => hasher(createHash(algo(a))),
  createHMAC: (a: unknown, secret: unknown) => hasher(createHmac(algo(a), bytesOf(secret))),
  randomBytes: (n: unknown) => {
    const b = nodeRandomBytes(Math.max(0, Number(n) | 0));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  },
  uuidv4: () => randomUUID(),
  randomUUID: () => randomUUID(),
  getRandomValues: <T extends ArrayBufferView>(a: T) => getRandomValues(a as never) as T,
};

export const CRYPTO_MODULE: Record<string, unknown> = Object.freeze({ ...api, default: Object.freeze(api) });
/** the `crypto` global: k6/crypto's functions and WebCrypto's randomUUID/getRandomValues */
export const CRYPTO_GLOBAL = Object.freeze(api);
