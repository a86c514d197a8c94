/**
 * A piecewise-linear profile over scenario time (reference §2.3): a value that starts at `start`
 * and moves linearly to each stage's target over the stage's duration, then holds the last
 * target. ramping-vus reads the VU count from it; the arrival-rate executors read the rate and,
 * through its integral, the exact time of every arrival.
 */

export interface StageSpec {
  duration: number; // ms
  target: number;
}

interface Piece {
  t0: number; // ms from the profile's start
  t1: number;
  v0: number;
  v1: number;
  /** integral of the value from 0 to t0, in value·seconds */
  area0: number;
}

export class Profile {
  private readonly pieces: Piece[] = [];
  /** the sum of the stage durations (ms): the schedule's end */
  readonly totalMs: number;
  private readonly last: number;

  constructor(start: number, stages: StageSpec[]) {
    let t = 0;
    let v = start;
    let area = 0;
    for (const s of stages) {
      const p = { t0: t, t1: t + s.duration, v0: v, v1: s.target, area0: area };
      this.pieces.push(p);
      area += ((p.v0 + p.v1) / 2) * (s.duration / 1000);
      t = p.t1;
      v = s.target;
    }
    this.totalMs = t;
    this.last = v;
  }

  /** The value at `ms` (linear within a stage, the last target after the end). */
  valueAt(ms: number): number {
    for (const p of this.pieces) {
      if (ms < p.t1) return ms <= p.t0 ? p.v0 : p.v0 + ((p.v1 - p.v0) * (ms - p.t0)) / (p.t1 - p.t0);
    }
    return this.last;
  }

  /** ∫₀^ms value dt, with the value read per second (for a rate: the number of arrivals due by `ms`). */
  integral(ms: number): number {
    for (const p of this.pieces) {
      if (ms < p.t1) {
        const dt = Math.max(0, ms - p.t0);
        const v = p.v0 + ((p.v1 - p.v0) * dt) / (p.t1 - p.t0);
        return p.area0 + ((p.v0 + v) / 2) * (dt / 1000);
      }
    }
    const end = this.pieces.length ? this.pieces[this.pieces.length - 1]! : undefined;
    const areaEnd = end ? end.area0 + ((end.v0 + end.v1) / 2) * ((end.t1 - end.t0) / 1000) : 0;
    return areaEnd + this.last * (Math.max(0, ms - this.totalMs) / 1000);
  }

  /**
   * The earliest time (ms) at which integral() reaches `n`: when arrival number `n` is due.
   * Infinity if it never does (the profile holds 0 from there on).
   */
  timeOf(n: number): number {
    if (n <= 0) return 0;
    for (const p of this.pieces) {
      const d = (p.t1 - p.t0) / 1000;
      const areaEnd = p.area0 + ((p.v0 + p.v1) / 2) * d;
      if (n > areaEnd) continue;
      // solve area0 + v0·x + (v1-v0)/(2d)·x² = n for x in [0, d] (seconds into the stage)
      const need = n - p.area0;
      if (need <= 0) return p.t0;
      const a = (p.v1 - p.v0) / (2 * d);
      let x: number;
      if (Math.abs(a) < 1e-12) x = p.v0 > 0 ? need / p.v0 : 0;
      else {
        // numerically stable root of a·x² + v0·x − need = 0 that lies in [0, d]
        const disc = Math.max(0, p.v0 * p.v0 + 4 * a * need);
        x = (2 * need) / (p.v0 + Math.sqrt(disc));
      }
      return p.t0 + Math.min(d, Math.max(0, x)) * 1000;
    }
    const end = this.integral(this.totalMs);
    return this.last > 0 ? this.totalMs + ((n - end) / this.last) * 1000 : Number.POSITIVE_INFINITY;
  }
}
