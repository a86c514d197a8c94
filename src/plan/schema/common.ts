/** Building blocks shared by every part of the plan schema. */
import { z } from "zod";
import { parseDuration } from "../duration.ts";
import { parseBytes, parseSize } from "../size.ts";
import { compileTemplate, templateExprs, TemplateError } from "../template.ts";
import { jsSyntaxError } from "../js-syntax.ts";

/**
 * Marker the issue converter (zod-issues.ts) recognises: unknown-key messages carry the expected
 * names so the converter can emit one diagnostic per key with a did-you-mean.
 */
export const KEY_PLACEHOLDER = "%KEY%";

/**
 * A struct that rejects unknown keys (the reference's "strict" structs): the error names the key
 * and lists the accepted ones, serde-style.
 */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const expected = Object.keys(shape).map((k) => `\`${k}\``).join(", ");
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys" ? `unknown field \`${KEY_PLACEHOLDER}\`, expected one of ${expected}` : undefined,
  });
}

/** The duration input (number = seconds, or humantime string); kept apart so json-schema.ts can describe it. */
export const DurInput = z.union([z.number(), z.string()]);

/** A duration in the plan → milliseconds (§1.2). */
export const Dur = DurInput.transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

/** A non-negative integer (`u64` in the reference). */
export const Count = z.number().int().nonnegative();
export const StrMap = z.record(z.string(), z.string());

/** Memory size (`16MB`) → bytes, in whole WebAssembly pages (Size) or exactly (ByteSize). */
export const SizeInput = z.union([z.number(), z.string()]);
const sizeOf = (parse: (v: unknown) => number) =>
  SizeInput.transform((v, ctx) => {
    try {
      return parse(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });
export const Size = sizeOf(parseSize);
export const ByteSize = sizeOf(parseBytes);

/** Report a template syntax error at `path` (relative to the refined object). */
export function checkTemplate(ctx: z.RefinementCtx, src: string, path: (string | number)[]): void {
  let t;
  try {
    t = compileTemplate(src);
  } catch (e) {
    if (e instanceof TemplateError) ctx.addIssue({ code: "custom", message: e.message, path });
    else throw e;
    return;
  }
  // `${js: ...}` code must compile (reference §1.13 wants template problems at their line)
  for (const expr of templateExprs(t)) {
    if (!expr.startsWith("js:")) continue;
    const err = jsSyntaxError(expr.slice(3).trim());
    if (err !== undefined) ctx.addIssue({ code: "custom", message: `invalid JavaScript in \`\${${expr}}\`: ${err}`, path });
  }
}

/** Every string leaf of a JSON value, with its relative path (for template checks in bodies). */
export function* stringLeaves(v: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
  if (typeof v === "string") yield [v, path];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* stringLeaves(v[i], [...path, i]);
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) yield* stringLeaves(x, [...path, k]);
}

export const OnFailure = z.enum(["continue", "abort_iteration", "abort_scenario", "abort_test"]);
