/**
 * Cross-worker state in one SharedArrayBuffer, touched only with Atomics: the global VU id
 * counter (ids are unique across workers and scenarios, starting at 1) and one counter per
 * scenario for shared-iterations (so `--workers 1` and `--workers 4` run exactly the same total).
 */

const VU_ID = 0;
const FIRST_SCENARIO = 1;

export class SharedState {
  readonly i32: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer);
  }

  static create(scenarioCount: number): SharedState {
    return new SharedState(new SharedArrayBuffer(4 * (FIRST_SCENARIO + scenarioCount)));
  }

  /** Next global VU id (1-based). */
  nextVuId(): number {
    return Atomics.add(this.i32, VU_ID, 1) + 1;
  }

  /** Claim one unit of a scenario's shared iteration budget; false when it is used up. */
  claimIteration(scenarioIndex: number, total: number): boolean {
    const slot = FIRST_SCENARIO + scenarioIndex;
    // add-then-check: a claim past the total is harmless (nobody runs it) and needs no CAS loop.
    return Atomics.add(this.i32, slot, 1) < total;
  }
}
