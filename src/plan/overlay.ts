/** Environment overlays (§1.4): deep-merge `env.<name>` over the raw document before parsing. */

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Mappings merge key by key; anything else (scalars, sequences, mismatches) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

export class UnknownEnvironmentError extends Error {}

/**
 * The document with `env.<name>` applied. The `env` key itself is removed first (no recursion),
 * as the reference does. Throws UnknownEnvironmentError with the reference's message.
 */
export function applyEnvOverlay(doc: unknown, name: string): unknown {
  const envs = isMapping(doc) && isMapping(doc.env) ? doc.env : {};
  if (!(name in envs)) {
    const available = Object.keys(envs);
    throw new UnknownEnvironmentError(
      `unknown environment \`${name}\`; available: ${available.length ? available.join(", ") : "(none)"}`,
    );
  }
  const { env: _removed, ...rest } = doc as Record<string, unknown>;
  return deepMerge(rest, envs[name]);
}
