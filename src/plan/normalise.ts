/**
 * Fill the values that fall back to `defaults` (request timeout and redirects, scenario think
 * time) so the engine reads one field instead of a fallback chain. Runs on a validated plan.
 */
import type { Plan } from "./schema.ts";
import { walkSteps } from "./walk.ts";

export function normalisePlan(plan: Plan): Plan {
  const http = plan.defaults.http;
  for (const sc of Object.values(plan.scenarios)) {
    if (sc.think_time === undefined && plan.defaults.think_time !== undefined) sc.think_time = plan.defaults.think_time;
    walkSteps(sc.flow, [], ({ step }) => {
      if (!("request" in step)) return;
      step.request.timeout ??= http.timeout;
      step.request.follow_redirects ??= http.follow_redirects;
    });
  }
  return plan;
}
