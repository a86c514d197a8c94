// snappyjs ships no types: the two functions we use (block format, as Prometheus remote-write wants).
declare module "snappyjs" {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
}
