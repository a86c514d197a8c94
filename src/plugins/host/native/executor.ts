/**
 * Blocking plugin calls off the JS thread (docs/dev/native-host-recipes.md, design (c)): the shim's pthread
 * pool runs `loadr_plugin_execute`, and one threadsafe JSCallback — the doorbell — wakes this
 * thread when completions are waiting; they are drained in batches, copied, and freed with the
 * plugin's own loadr_plugin_free here. Verified inside a Worker too (the engine's VUs run in
 * workers): 12,069 calls/s at 5 ms × 64 callers, loop lag p99 1.2 ms (docs/plugins/native.md).
 *
 * One executor per JS thread. The JSCallback and the drain buffer stay referenced for the
 * thread's lifetime: native code holds their pointers (a collected buffer was the spike's segfault).
 */
import { JSCallback, type Pointer } from "bun:ffi";
import { loadShim, type ShimSymbols } from "./shim-lib.ts";

const BATCH = 1024;
/** pool threads grow on demand up to this (a blocking call holds one thread) */
const MAX_THREADS = 1024;

export interface Completion {
  (ptr: number, len: number): void;
}

export class Executor {
  private readonly drainBuf = new Float64Array(BATCH * 3);
  private readonly pending = new Map<number, Completion>();
  private nextTag = 1;
  private readonly bell: JSCallback;
  private readonly pool: Pointer;

  private constructor(private readonly shim: ShimSymbols) {
    this.bell = new JSCallback(() => this.drain(), { args: [], returns: "void", threadsafe: true });
    const pool = shim.loadr_shim_create(MAX_THREADS, this.bell.ptr);
    if (!pool) throw new Error("executor shim: out of memory");
    this.pool = pool as Pointer;
  }

  /** Queue one call of `fn` (an execute pointer); `done` runs on this thread with the plugin-owned response. */
  submit(fn: Pointer, req: Uint8Array, done: Completion): void {
    const tag = this.nextTag++;
    this.pending.set(tag, done);
    if (this.shim.loadr_shim_submit(this.pool, fn, req, req, tag) !== 0) {
      this.pending.delete(tag);
      throw new Error("executor shim: out of memory");
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  threads(): number {
    return this.shim.loadr_shim_threads(this.pool);
  }

  private drain(): void {
    const buf = this.drainBuf;
    for (;;) {
      const n = this.shim.loadr_shim_drain(this.pool, buf, BATCH);
      for (let i = 0; i < n; i++) {
        const tag = buf[i * 3]!;
        const done = this.pending.get(tag);
        this.pending.delete(tag);
        done?.(buf[i * 3 + 1]!, buf[i * 3 + 2]!);
      }
      if (n < BATCH) return;
    }
  }

  private static instance: Promise<Executor> | undefined;
  private static made: Executor | undefined;
  static get(): Promise<Executor> {
    Executor.instance ??= loadShim().then((s) => (Executor.made = new Executor(s)));
    return Executor.instance;
  }

  /**
   * This thread is done with plugin calls (a worker about to report `done`, after which the
   * coordinator terminates it): calls still running off-thread never ring it. A late ring into a
   * terminated worker crashed the process with SIGSEGV after the run, about one run in four with
   * a call still sleeping past its timeout at the end (test/native-plugins.test.ts).
   */
  static muteThisThread(): void {
    const ex = Executor.made;
    if (ex === undefined) return;
    ex.shim.loadr_shim_mute(ex.pool);
    ex.pending.clear();
  }
}
