/**
 * Sizes: `16MB`, `512KB`, `1GB`, a bare number of bytes; units are binary (MB = MiB). parseBytes
 * gives the bytes (defaults.http.max_body_size); parseSize, for plugin `memory_limit` (docs/dev/architecture.md
 * contracts), rounds them up to whole 64 KiB WebAssembly pages, because that is the granularity
 * the cap is enforced at.
 */
const UNITS: Record<string, number> = {
  "": 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};
export const WASM_PAGE = 65536;

export function parseSize(v: unknown): number {
  return Math.ceil(parseBytes(v) / WASM_PAGE) * WASM_PAGE;
}

export function parseBytes(v: unknown): number {
  let bytes: number;
  if (typeof v === "number") bytes = v;
  else if (typeof v === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    const mult = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || mult === undefined) throw new Error(`invalid size \`${v}\` (try e.g. \`16MB\`, \`512KB\`)`);
    bytes = Number(m[1]) * mult;
  } else throw new Error("a size must be a string like `16MB` or a number of bytes");
  if (!Number.isFinite(bytes) || bytes <= 0) throw new Error("size must be greater than zero");
  return Math.ceil(bytes);
}
