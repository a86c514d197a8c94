/**
 * The run's outputs as one: starts them (a failure aborts the run before any load, naming the
 * output), hands each the raw batches it asked for and every snapshot, and finishes them. A
 * failure while running is reported once per output and never stops the run or the others.
 */
import type { Snapshot, Summary } from "../metrics/index.ts";
import { columnsPoints, type SampleColumns } from "../metrics/sample-columns.ts";
import type { Output, SamplePoint } from "./types.ts";

export class OutputStartError extends Error {}

export class OutputSet {
  private readonly reported = new Set<string>();
  private readonly notes: string[] = [];
  private droppedPoints = 0;

  constructor(
    readonly outputs: Output[],
    private readonly warn: (line: string) => void,
  ) {}

  get wantsSamples(): boolean {
    return this.outputs.some((o) => o.wantsSamples && (o.onSamples !== undefined || o.onSampleColumns !== undefined));
  }

  /** Start every output in order; on failure the ones already started are released (abort). */
  async start(): Promise<void> {
    for (const o of this.outputs) {
      try {
        await o.start();
      } catch (e) {
        o.abort?.();
        this.abort();
        throw new OutputStartError(`${o.name} output: ${(e as Error).message}`);
      }
    }
  }

  /** The run ends without a summary: release every output's servers, sockets and files. */
  abort(): void {
    for (const o of this.outputs) {
      try {
        o.abort?.();
      } catch {}
    }
  }

  /** Called by outputs (through their context) and by the set itself. */
  problem(output: string, message: string): void {
    if (this.reported.has(output)) return;
    this.reported.add(output);
    this.warn(`${output} output failed: ${message} (the run goes on; further errors of this output are not shown)`);
  }

  note(message: string): void {
    this.notes.push(message);
  }

  samples(batch: SampleColumns): void {
    if (batch.dropped) this.droppedPoints += batch.dropped;
    if (batch.length === 0) return;
    let points: SamplePoint[] | undefined; // built once, only for outputs that take objects
    for (const o of this.outputs) {
      if (!o.wantsSamples) continue;
      if (o.onSampleColumns) this.guard(o, () => o.onSampleColumns!(batch));
      else if (o.onSamples) this.guard(o, () => o.onSamples!((points ??= columnsPoints(batch))));
    }
  }

  snapshot(s: Snapshot): void {
    for (const o of this.outputs) this.guard(o, () => o.onSnapshot(s));
  }

  /** Finish every output (each bounded by its own timeouts); problems are reported, not thrown. */
  async finish(summary: Summary): Promise<void> {
    await Promise.all(
      this.outputs.map(async (o) => {
        try {
          await o.finish(summary);
        } catch (e) {
          this.problem(o.name, (e as Error).message);
        }
      }),
    );
    if (this.droppedPoints > 0)
      this.notes.push(`outputs fell behind: ${this.droppedPoints} raw point(s) were dropped (the summary and thresholds are complete)`);
    for (const n of this.notes) this.warn(n);
  }

  private guard(o: Output, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.problem(o.name, (e as Error).message);
    }
  }
}
