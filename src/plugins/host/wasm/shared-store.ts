/**
 * A WASM plugin's shared data (the host API's `shared-get`/`shared-set`/`shared-compare-and-swap`,
 * Loom's get_shared_data/set_shared_data): one key → (value, version) store per `plugins:` entry,
 * the same for its instances in every worker thread. It lives in one SharedArrayBuffer made on
 * the main thread when the plugin loads and posted to the workers with the plugin's spec, so a
 * write is visible to every thread as soon as it returns — no coordinator round trip.
 *
 * Consistency: every operation holds one lock (a futex-style word, Atomics), so each is atomic
 * and they are totally ordered across threads; a version is raised by every write of its key and
 * compare-and-swap succeeds only against the version it was given (0: the key is absent).
 * Keys are never removed.
 *
 * Bounds (docs/plugins/wasm.md "Shared data"): SHARED_LIMITS — keys, key length, value length and
 * the bytes of all keys and values. A write past them fails with `too-large` or `full`; the
 * store never grows.
 *
 * Layout (little-endian, in 32-bit words): the header [lock, keys, dataUsed, spare]; then
 * SLOTS slots of SLOT_WORDS words [hash, keyOff, keyLen (-1 = empty), valOff, valLen, valCap,
 * versionLo, versionHi] (open addressing, linear probing, at most half full); then the data
 * area, where keys and values are appended (a value that outgrows its room moves to the end;
 * when the end is reached the live keys and values are packed again).
 */

export const SHARED_LIMITS = {
  keys: 1024,
  keyBytes: 256,
  valueBytes: 64 * 1024,
  /** every key and value together */
  totalBytes: 4 * 1024 * 1024,
} as const;

const SLOTS = SHARED_LIMITS.keys * 2;
const SLOT_WORDS = 8;
const HEADER_WORDS = 4;
const SLOTS_AT = HEADER_WORDS;
const DATA_AT = (HEADER_WORDS + SLOTS * SLOT_WORDS) * 4;

export type SharedError = { tag: "too-large" } | { tag: "full" } | { tag: "conflict"; val: bigint };
export class SharedStoreError extends Error {
  constructor(readonly error: SharedError) {
    super(error.tag);
  }
}

/** The buffer for one plugin's store (main thread, at load). */
export function newSharedBuffer(): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(DATA_AT + SHARED_LIMITS.totalBytes);
  const i32 = new Int32Array(buf);
  for (let s = 0; s < SLOTS; s++) i32[SLOTS_AT + s * SLOT_WORDS + 2] = -1;
  return buf;
}

/** One thread's view of a plugin's store. */
export class SharedStore {
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  /** a value read under the lock is copied here, then out (the caller's copy may call into the plugin) */
  private scratch = new Uint8Array(256);
  private readonly encoder = new TextEncoder();
  private keyScratch = new Uint8Array(SHARED_LIMITS.keyBytes * 3);

  constructor(readonly buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  /**
   * The value of the key at `key[from, from + len)`: its bytes are copied into a scratch buffer
   * whose first `length` bytes hold it (valid until the next call), and its version is
   * returned; 0 when the key is absent.
   */
  getInto(key: Uint8Array, from: number, len: number): { version: bigint; bytes: Uint8Array; length: number } | undefined {
    if (len > SHARED_LIMITS.keyBytes) return undefined;
    const hash = fnv(key, from, len);
    this.lock();
    try {
      const s = this.find(hash, key, from, len);
      if (s < 0 || this.i32[s + 2]! < 0) return undefined;
      const at = s;
      const valLen = this.i32[at + 4]!;
      if (this.scratch.length < valLen) this.scratch = new Uint8Array(Math.max(valLen, this.scratch.length * 2));
      const off = this.i32[at + 3]!;
      copy(this.u8, off, this.scratch, 0, valLen);
      return { version: this.version(at), bytes: this.scratch, length: valLen };
    } finally {
      this.unlock();
    }
  }

  /**
   * Writes `value[vFrom, vFrom + vLen)` under the key; with `expected`, only if the key's version
   * is that (0n: absent). Returns the new version; throws SharedStoreError otherwise.
   */
  putFrom(key: Uint8Array, from: number, len: number, value: Uint8Array, vFrom: number, vLen: number, expected?: bigint): bigint {
    if (len > SHARED_LIMITS.keyBytes || vLen > SHARED_LIMITS.valueBytes) throw new SharedStoreError({ tag: "too-large" });
    const hash = fnv(key, from, len);
    this.lock();
    try {
      let s = this.find(hash, key, from, len);
      if (s < 0) throw new SharedStoreError({ tag: "full" }); // table full (cannot happen below the key bound)
      const i32 = this.i32;
      const absent = i32[s + 2]! < 0;
      const current = absent ? 0n : this.version(s);
      if (expected !== undefined && expected !== current) throw new SharedStoreError({ tag: "conflict", val: current });
      if (absent) {
        if (i32[1]! >= SHARED_LIMITS.keys) throw new SharedStoreError({ tag: "full" });
        const keyOff = this.allocate(len + vLen);
        if (keyOff < 0) throw new SharedStoreError({ tag: "full" });
        // a compaction moved things: the slot is where it was (slots never move), still empty
        copy(key, from, this.u8, keyOff, len);
        i32[s] = hash;
        i32[s + 1] = keyOff;
        i32[s + 2] = len;
        i32[s + 3] = keyOff + len;
        i32[s + 5] = vLen;
        i32[1]!++;
      } else if (vLen > i32[s + 5]!) {
        // outgrew its room: a new one at the end (the old bytes are reclaimed by the next packing)
        const valOff = this.allocate(vLen, s);
        if (valOff < 0) throw new SharedStoreError({ tag: "full" });
        i32[s + 3] = valOff;
        i32[s + 5] = vLen;
      }
      copy(value, vFrom, this.u8, i32[s + 3]!, vLen);
      i32[s + 4] = vLen;
      const next = current + 1n;
      i32[s + 6] = Number(next & 0xffffffffn) | 0;
      i32[s + 7] = Number(next >> 32n) | 0;
      return next;
    } finally {
      this.unlock();
    }
  }

  /** String conveniences (tests, tools): the value and version, or undefined. */
  get(key: string): { value: Uint8Array; version: bigint } | undefined {
    const { written } = this.encoder.encodeInto(key, this.keyScratch);
    const r = this.getInto(this.keyScratch, 0, written);
    return r && { value: r.bytes.slice(0, r.length), version: r.version };
  }

  set(key: string, value: Uint8Array, expected?: bigint): bigint {
    const k = this.encoder.encode(key);
    return this.putFrom(k, 0, k.length, value, 0, value.length, expected);
  }

  private version(s: number): bigint {
    return (BigInt(this.i32[s + 7]! >>> 0) << 32n) | BigInt(this.i32[s + 6]! >>> 0);
  }

  /** The slot (word index) holding the key, or the empty slot where it would go; -1 if the table is full. */
  private find(hash: number, key: Uint8Array, from: number, len: number): number {
    const i32 = this.i32;
    const u8 = this.u8;
    let i = (hash >>> 0) % SLOTS;
    for (let probes = 0; probes < SLOTS; probes++, i = (i + 1) % SLOTS) {
      const s = SLOTS_AT + i * SLOT_WORDS;
      const kl = i32[s + 2]!;
      if (kl < 0) return s;
      if (i32[s] !== hash || kl !== len) continue;
      const off = i32[s + 1]!;
      let same = true;
      for (let j = 0; j < len; j++)
        if (u8[off + j] !== key[from + j]) {
          same = false;
          break;
        }
      if (same) return s;
    }
    return -1;
  }

  /** `n` bytes at the end of the data area, packing the live bytes first when the end is reached; -1 when they do not fit. */
  private allocate(n: number, skip = -1): number {
    const i32 = this.i32;
    if (i32[2]! + n > SHARED_LIMITS.totalBytes) this.pack(skip);
    if (i32[2]! + n > SHARED_LIMITS.totalBytes) return -1;
    const at = DATA_AT + i32[2]!;
    i32[2]! += n;
    return at;
  }

  /** Copies every live key and value (values at their length: their room shrinks to it) to the front; the `skip` slot's value is about to be replaced and is dropped. */
  private pack(skip: number): void {
    const i32 = this.i32;
    const u8 = this.u8;
    const live = new Uint8Array(i32[2]!);
    let used = 0;
    const moves: [number, number, number][] = [];
    for (let i = 0; i < SLOTS; i++) {
      const s = SLOTS_AT + i * SLOT_WORDS;
      const kl = i32[s + 2]!;
      if (kl < 0) continue;
      const vl = s === skip ? 0 : i32[s + 4]!;
      copy(u8, i32[s + 1]!, live, used, kl);
      copy(u8, i32[s + 3]!, live, used + kl, vl);
      moves.push([s, used, vl]);
      used += kl + vl;
    }
    copy(live, 0, u8, DATA_AT, used);
    for (const [s, off, vl] of moves) {
      i32[s + 1] = DATA_AT + off;
      i32[s + 3] = DATA_AT + off + i32[s + 2]!;
      i32[s + 5] = vl;
      if (s === skip) i32[s + 4] = 0;
    }
    i32[2] = used;
  }

  // 0 free, 1 held, 2 held with waiters
  private lock(): void {
    const i32 = this.i32;
    if (Atomics.compareExchange(i32, 0, 0, 1) === 0) return;
    for (let spin = 0; spin < 100; spin++) if (Atomics.load(i32, 0) === 0 && Atomics.compareExchange(i32, 0, 0, 1) === 0) return;
    while (Atomics.exchange(i32, 0, 2) !== 0) Atomics.wait(i32, 0, 2, 1);
  }

  private unlock(): void {
    if (Atomics.exchange(this.i32, 0, 0) === 2) Atomics.notify(this.i32, 0, 1);
  }
}

function fnv(b: Uint8Array, from: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + len; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h | 0;
}

/** Up to 32 bytes a loop beats TypedArray.set's fixed cost. */
function copy(from: Uint8Array, at: number, to: Uint8Array, toAt: number, n: number): void {
  if (n > 32) to.set(from.subarray(at, at + n), toAt);
  else for (let i = 0; i < n; i++) to[toAt + i] = from[at + i]!;
}
