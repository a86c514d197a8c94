import type { Snapshot, Summary } from "../metrics/index.ts";
export interface Output {
  readonly name: string;
  /** true only when the output needs raw per-sample points (most do not) */
  readonly wantsSamples: boolean;
  start(): Promise<void>;                    // throws → the run aborts with a clear error
  onSamples?(batch: readonly SamplePoint[]): void;
  onSnapshot(s: Snapshot): void;             // once a second
  finish(summary: Summary): Promise<void>;
}
export interface SamplePoint { metric: string; time: number; value: number; tags: Record<string, string> }
