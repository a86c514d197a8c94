/**
 * `--tags` / `--exclude-tags` (reference §3.1): keep the scenarios with at least one scenario-tag
 * value in --tags (all when it is not given), then drop those with any value in --exclude-tags
 * (exclude wins). Both are comma-separated and repeatable.
 */
import type { Plan } from "../plan/schema.ts";
import { UsageError } from "./errors.ts";

export function splitTagList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

export function filterScenarios(plan: Plan, include: string[], exclude: string[]): { plan: Plan; kept: number; had: number } {
  const names = Object.keys(plan.scenarios);
  if (include.length === 0 && exclude.length === 0) return { plan, kept: names.length, had: names.length };
  const values = (name: string) => Object.values(plan.scenarios[name]!.tags ?? {});
  const kept = names.filter((n) => {
    const v = values(n);
    if (include.length > 0 && !v.some((x) => include.includes(x))) return false;
    return !v.some((x) => exclude.includes(x));
  });
  if (kept.length === 0) {
    const what = [include.length ? `--tags ${include.join(",")}` : "", exclude.length ? `--exclude-tags ${exclude.join(",")}` : ""].filter(Boolean).join(" ");
    throw new UsageError(
      `no scenarios match the tag filter (had ${names.length}); ${what} matched none: filters compare scenario \`tags:\` values`,
    );
  }
  return { plan: { ...plan, scenarios: Object.fromEntries(kept.map((n) => [n, plan.scenarios[n]!])) }, kept: kept.length, had: names.length };
}
