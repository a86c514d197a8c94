/**
 * The output seam (reference §4): every built-in output and the output-plugin adapter implement
 * this. The run calls start() once before the load (a throw aborts the run with that message),
 * onSamples() with raw points only when `wantsSamples`, onSnapshot() once a second, and
 * finish(summary) once at the end — also for an aborted run.
 */
import type { MetricKind, Snapshot, Summary } from "../metrics/index.ts";
import type { SampleColumns } from "../metrics/sample-columns.ts";
export interface Output {
  readonly name: string;
  /** true only when the output needs raw per-sample points (most do not) */
  readonly wantsSamples: boolean;
  start(): Promise<void>;                    // throws → the run aborts with a clear error
  onSamples?(batch: readonly SamplePoint[]): void;
  /** additive: the same samples as columns, without an object per point (preferred over
   *  onSamples when both exist: outputs that format hundreds of thousands of points a second).
   *  The columns are only valid during the call: their buffers go back to the worker to be
   *  filled again as soon as it returns. */
  onSampleColumns?(batch: SampleColumns): void;
  onSnapshot(s: Snapshot): void;             // once a second
  finish(summary: Summary): Promise<void>;
  /** additive: the run ends without a summary (another output failed to start, the workers could
   *  not start): release servers, sockets, timers and files now; finish() will not be called */
  abort?(): void;
}
export interface SamplePoint {
  metric: string;
  time: number;
  value: number;
  tags: Record<string, string>;
  /** the metric's kind (additive to the seam: json and csv print it) */
  kind?: MetricKind;
}
