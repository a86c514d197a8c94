/**
 * Memory sizes: `16MB`, `512KB`, `1GB`, a bare number of bytes; units are binary (MB = MiB).
 * For a plugin's `memory_limit` (DESIGN.md contracts) the result is rounded up to whole 64 KiB
 * WebAssembly pages, because that is the granularity the cap is enforced at; `--max-memory`
 * takes the bytes as given.
 */
const UNITS: Record<string, number> = {
  "": 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};
export const WASM_PAGE = 65536;

/** A size in bytes (`16MB`, `512KB`, `1GB`, a bare number), greater than zero; binary units. */
export function parseBytes(v: unknown): number {
  let bytes: number;
  if (typeof v === "number") bytes = v;
  else if (typeof v === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    const mult = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || mult === undefined) throw new Error(`invalid size \`${v}\` (try e.g. \`16MB\`, \`512KB\`)`);
    bytes = Number(m[1]) * mult;
  } else throw new Error("a size must be a string like `16MB` or a number of bytes");
  if (!Number.isFinite(bytes)) throw new Error("size is too large");
  if (bytes <= 0) throw new Error("size must be greater than zero");
  return bytes;
}

/** parseBytes() rounded up to whole WebAssembly pages (a plugin's `memory_limit`). */
export function parseSize(v: unknown): number {
  return Math.ceil(parseBytes(v) / WASM_PAGE) * WASM_PAGE;
}
