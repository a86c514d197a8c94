/**
 * Cross-worker state in one SharedArrayBuffer, touched only with Atomics: the global VU id
 * counter (ids are unique across workers and scenarios, starting at 1) and one counter per
 * scenario for shared-iterations (so `--workers 1` and `--workers 4` run exactly the same total).
 * In a part of a scale-out test VU ids are the part's units (segments.ts), so they are unique
 * across parts too: part 2 of 4 numbers its VUs 2, 6, 10, …
 */
import { partUnit, type Part } from "./segments.ts";

const VU_ID = 0;
const FIRST_SCENARIO = 1;

export class SharedState {
  readonly i32: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly part?: Part,
  ) {
    this.i32 = new Int32Array(buffer);
  }

  static create(scenarioCount: number, part?: Part): SharedState {
    return new SharedState(new SharedArrayBuffer(4 * (FIRST_SCENARIO + scenarioCount)), part);
  }

  /** Next global VU id (1-based). */
  nextVuId(): number {
    const n = Atomics.add(this.i32, VU_ID, 1);
    return (this.part ? partUnit(n, this.part) : n) + 1;
  }

  /** Claim one unit of a scenario's shared iteration budget; false when it is used up. */
  claimIteration(scenarioIndex: number, total: number): boolean {
    const slot = FIRST_SCENARIO + scenarioIndex;
    // add-then-check: a claim past the total is harmless (nobody runs it) and needs no CAS loop.
    return Atomics.add(this.i32, slot, 1) < total;
  }
}
