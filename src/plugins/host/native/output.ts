/**
 * A descriptor output plugin as an `Output` (src/outputs/types.ts). Calls are synchronous on the
 * main thread: a 1000-sample batch costs < 0.5 ms end to end (docs/dev/native-host-recipes.md §5), so no
 * off-thread machinery is needed. `start` failing aborts the run with the plugin's message.
 */
import { FFIType, type Pointer } from "bun:ffi";
import type { Snapshot, Summary } from "../../../metrics/index.ts";
import type { Output, SamplePoint } from "../../../outputs/types.ts";
import { fn, takeOut, type Descriptor } from "./descriptor.ts";

const enc = new TextEncoder();

export class NativeOutput implements Output {
  readonly wantsSamples: boolean;
  private handle: Pointer | null = null;
  private readonly f;

  constructor(
    readonly name: string,
    private readonly d: Descriptor,
    private readonly config: unknown,
  ) {
    this.wantsSamples = d.info.wants_samples === true;
    const P = FFIType.ptr, U = FFIType.u64, B = "buffer";
    this.f = {
      start: fn(d.fns.start!, [B, U, P, P, P], FFIType.i32),
      on_samples: fn(d.fns.on_samples!, [P, B, U], FFIType.void),
      on_snapshot: fn(d.fns.on_snapshot!, [P, B, U], FFIType.void),
      finish: fn(d.fns.finish!, [P, B, U, P, P], FFIType.i32),
      free_buf: fn(d.fns.free_buf!, [P, U], FFIType.void),
    };
  }

  async start(): Promise<void> {
    const cfg = enc.encode(JSON.stringify(this.config ?? {}));
    const h = new BigUint64Array(1), out = new BigUint64Array(1), len = new BigUint64Array(1);
    const rc = this.f.start(cfg, cfg.length, h, out, len) as number;
    const msg = takeOut(this.f.free_buf, out, len);
    if (rc !== 0) throw new Error(`plugin output \`${this.name}\` failed to start: ${msg || `start returned ${rc}`}`);
    this.handle = Number(h[0]) as unknown as Pointer;
  }

  onSamples(batch: readonly SamplePoint[]): void {
    if (this.handle === null) return;
    const b = enc.encode(JSON.stringify(batch.map((s) => ({ metric: s.metric, value: s.value, tags: s.tags, timestamp_ms: s.time }))));
    this.f.on_samples(this.handle, b, b.length);
  }

  onSnapshot(s: Snapshot): void {
    if (this.handle === null) return;
    const b = enc.encode(JSON.stringify(s));
    this.f.on_snapshot(this.handle, b, b.length);
  }

  async finish(summary: Summary): Promise<void> {
    if (this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    const b = enc.encode(JSON.stringify(summary));
    const out = new BigUint64Array(1), len = new BigUint64Array(1);
    const rc = this.f.finish(h, b, b.length, out, len) as number;
    const msg = takeOut(this.f.free_buf, out, len);
    if (rc !== 0) throw new Error(`plugin output \`${this.name}\` failed to finish: ${msg || `finish returned ${rc}`}`);
  }
}
