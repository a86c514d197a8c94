/**
 * Run-start resolution of a loaded plan's `variables:` and `secrets:` (§1.11), in the shape the
 * CLI calls it: `resolveVariables(plan, env)` / `resolveSecrets(plan, env, baseDir)`.
 * Throws SecretError (a plain Error with the reference's message) for a missing secret.
 */
import type { Plan } from "./schema.ts";
import { resolveSecrets as resolveSecretMap, SecretError } from "./secrets.ts";
import { resolveVariables as resolveVariableMap } from "./variables.ts";

export { SecretError };

export function resolveVariables(
  plan: Pick<Plan, "variables">,
  env: Record<string, string | undefined> = process.env,
): Record<string, unknown> {
  return resolveVariableMap(plan.variables, env);
}

export function resolveSecrets(
  plan: Pick<Plan, "secrets">,
  env: Record<string, string | undefined> = process.env,
  baseDir = ".",
): Record<string, string> {
  return resolveSecretMap(plan.secrets, baseDir, env);
}
