/**
 * Byte buffers whose first byte sits on a block boundary: O_DIRECT writes (line-file.ts) DMA
 * straight from user memory, which the kernel only accepts block-aligned. JavaScript cannot ask
 * for an alignment, so a slightly larger buffer is allocated and a view taken at the first
 * aligned address (bun:ffi's ptr() reads it; buffers this large are never moved by the GC).
 */
import { ptr } from "bun:ffi";

/** Covers every device's direct-I/O memory and offset alignment (512 or 4096 in practice). */
export const BLOCK = 4096;

export function alignedBytes(size: number): Uint8Array {
  const raw = new Uint8Array(size + BLOCK);
  const skip = (BLOCK - (ptr(raw) % BLOCK)) % BLOCK;
  return raw.subarray(skip, skip + size);
}
