/**
 * Did-you-mean hints. The reference uses strsim's Jaro-Winkler with a 0.78 cut-off; we match it
 * so the same typo gets the same hint in both tools.
 */

/** Jaro similarity in [0, 1]. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Array<boolean>(la).fill(false);
  const bMatched = new Array<boolean>(lb).fill(false);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

/** Jaro-Winkler as strsim computes it: the common-prefix boost (≤ 4 chars, p = 0.1) only above 0.7. */
export function jaroWinkler(a: string, b: string): number {
  const sim = jaro(a, b);
  if (sim <= 0.7) return sim;
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a[prefix] === b[prefix]) prefix++;
  return sim + prefix * 0.1 * (1 - sim);
}

export const SUGGEST_THRESHOLD = 0.78;

/** The closest candidate at or above the threshold, or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = SUGGEST_THRESHOLD;
  for (const c of candidates) {
    const s = jaroWinkler(word, c);
    if (s >= bestScore && (best === undefined || s > bestScore)) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/** The reference's suggestion text, or undefined when nothing is close enough. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}
