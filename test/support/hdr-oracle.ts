/**
 * hdr-histogram-js as the oracle for loadr's own histograms (src/metrics/hdr.ts): a library
 * histogram of the same layout, and the quantile rule loadr follows (Rust hdrhistogram's
 * `value_at_quantile`) computed by a plain scan of the library's slots.
 */
import { Float64Histogram, type JsHistogram } from "hdr-histogram-js";
import { SIGNIFICANT_DIGITS } from "../../src/metrics/hdr.ts";

export function libraryHistogram(): JsHistogram {
  const h = new Float64Histogram(1, 4096, SIGNIFICANT_DIGITS);
  h.autoResize = true;
  return h;
}

/** The highest value of the first slot whose running count reaches max(1, ceil(q × total)), per quantile (µs). */
export function libraryQuantiles(h: JsHistogram, qs: readonly number[]): number[] {
  const len = h.countsArrayIndex(h.maxValue) + 1;
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * h.totalCount));
    let running = 0;
    for (let i = 0; i < len; i++) if ((running += h.getCountAtIndex(i)) >= rank) return h.highestEquivalentValue(h.valueFromIndex(i));
    throw new Error("rank past the total");
  });
}
