/** Counting request steps for `validate`'s summary line: every branch and nested body counts (§3.2). */
export function countRequests(plan: { scenarios: Record<string, { flow?: unknown[] }> }): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      if (k === "request") n++;
      else walk(child);
    }
  };
  for (const s of Object.values(plan.scenarios)) walk(s.flow ?? []);
  return n;
}
