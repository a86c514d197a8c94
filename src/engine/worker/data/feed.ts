/**
 * One data source at run time (reference §1.9): which row a VU gets next, by `mode`
 * (shared: one cursor for the whole run, across workers / per_vu: one per VU), `pick`
 * (sequential / random / shuffle) and `on_eof` (recycle / stop).
 *
 * In a part of a scale-out test the shared cursor counts the part's own rows (segments.ts
 * partUnit): part i of N takes rows i, i+N, …, so each row is used once across the parts.
 */
import type { DataSource } from "../../../plan/schema.ts";
import type { FlowSharedState } from "../../flow-shared-state.ts";
import { partUnit, type Part } from "../../segments.ts";
import type { Row } from "./load.ts";

/** Thrown when a VU reaches the end of an `on_eof: stop` source: that VU retires. */
export class DataExhaustedError extends Error {
  /** passes through JS calls unchanged (js/context.ts), so `session.data()` can retire the VU too */
  readonly crossesJs = true;
  constructor(readonly source: string) {
    super(`data source \`${source}\` is exhausted (on_eof: stop)`);
  }
}

/** A VU's own state for one source: its cursor (per_vu) and its shuffle permutation. */
export interface FeedCursor {
  next: number;
  perm?: Uint32Array;
}

export class DataFeed {
  private readonly sharedSlot: number | undefined;
  private readonly stop: boolean;

  constructor(
    readonly name: string,
    readonly rows: readonly Row[],
    private readonly spec: Pick<DataSource, "mode" | "on_eof" | "pick">,
    private readonly shared: FlowSharedState,
    private readonly part?: Part,
  ) {
    this.sharedSlot = spec.mode === "shared" ? shared.layout.data.get(name) : undefined;
    this.stop = spec.on_eof === "stop";
  }

  /** The next row for a VU; throws DataExhaustedError past the end of an `on_eof: stop` source. */
  next(cursor: FeedCursor, random: () => number): Row {
    const n = this.rows.length;
    // random never exhausts (on_eof is ignored, as in the reference)
    if (this.spec.pick === "random") return this.rows[Math.min(n - 1, Math.floor(random() * n))]!;
    const i = this.sharedSlot !== undefined ? this.sharedRow(this.shared.next(this.sharedSlot)) : cursor.next++;
    if (i >= n && this.stop) throw new DataExhaustedError(this.name);
    const at = i % n;
    if (this.spec.pick === "shuffle") return this.rows[(cursor.perm ??= permutation(n, random))[at]!]!;
    return this.rows[at]!;
  }

  private sharedRow(n: number): number {
    return this.part ? partUnit(n, this.part) : n;
  }
}

/** Fisher–Yates over 0..n-1 with the VU's generator (computed on first use, per VU). */
function permutation(n: number, random: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
