/**
 * Reference §6.2 config merge: objects merge shallowly (override keys win), a null/absent
 * override keeps the defaults, anything else replaces wholesale. Apart from manifest.ts so that a
 * worker merging a step's config does not load the manifest schema (and zod with it).
 */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (override === undefined || override === null) return base ?? {};
  if (isObject(base) && isObject(override)) return { ...base, ...override };
  return override;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
