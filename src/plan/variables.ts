/**
 * Startup resolution of `variables:` (§1.11): only `${env.X}` is substituted, once; a missing
 * environment variable leaves the literal text (as the reference does), and every other `${...}`
 * stays as written and is never rendered later.
 */
const ENV_REF = /(?<!\$)\$\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}/g;

function substitute(s: string, env: Record<string, string | undefined>): string {
  return s.replace(ENV_REF, (whole, name: string) => env[name] ?? whole);
}

function resolveValue(v: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof v === "string") return substitute(v, env);
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, env));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x, env)]));
  return v;
}

export function resolveVariables(
  vars: Record<string, unknown>,
  env: Record<string, string | undefined> = process.env,
): Record<string, unknown> {
  return resolveValue(vars, env) as Record<string, unknown>;
}
