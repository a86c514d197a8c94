import type { BoundaryExtractorSpec, Matcher } from "./specs.ts";

/**
 * `type: boundary`: every non-overlapping substring between `left` and the next `right`, scanning
 * on after each `right`. Plain substring search (no regex), so it is the cheapest extractor.
 */
export function boundaryMatcher(spec: Pick<BoundaryExtractorSpec, "name" | "left" | "right">): Matcher {
  const { left, right } = spec;
  if (typeof left !== "string" || typeof right !== "string") {
    throw new Error(`boundary extractor "${spec.name}": left and right must both be strings`);
  }
  return {
    describe: `boundary ${JSON.stringify(left)}…${JSON.stringify(right)}`,
    matches: (r, limit) => {
      const text = r.text();
      const out: string[] = [];
      let pos = 0;
      while (out.length < limit && pos <= text.length) {
        const l = text.indexOf(left, pos);
        if (l < 0) break;
        const start = l + left.length;
        const end = text.indexOf(right, start);
        if (end < 0) break;
        out.push(text.slice(start, end));
        const next = end + right.length;
        // Empty left and right would never move; step on so the scan ends.
        pos = next > pos ? next : pos + 1;
      }
      return out;
    },
  };
}
