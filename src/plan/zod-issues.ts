/**
 * zod issues → Diagnostics. zod reports every problem it finds (not only the first), so a plan
 * with ten mistakes gets ten diagnostics. Messages are rewritten in the reference's serde style
 * (`missing field`, `unknown field`, `unknown variant`, `invalid type`) with did-you-mean hints.
 */
import type { z } from "zod";
import { KEY_PLACEHOLDER } from "./schema/common.ts";
import { didYouMean } from "./suggest.ts";
import type { Segment } from "./locate.ts";

type Issue = z.core.$ZodIssue;

export interface RawDiagnostic {
  path: Segment[];
  message: string;
  suggestion?: string;
  /** Point at the key rather than the value (unknown/extra keys). */
  at?: "key" | "value";
}

/**
 * A value that is none of `options`. Only a scalar is shown as written: String() of a mapping is
 * `[object Object]`, and throws for one whose `toString` key is not a function (the fuzzer's
 * `executor: { toString: "" }`, test/fuzz-plan.test.ts).
 */
function unknownVariant(v: unknown, options: string[]): string {
  const expected = `expected one of ${options.map((o) => `\`${o}\``).join(", ")}`;
  const scalar = typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  return scalar ? `unknown variant \`${v}\`, ${expected}` : `invalid type: ${describe(v)}, ${expected}`;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a sequence";
  switch (typeof v) {
    case "string":
      return `string ${JSON.stringify(v)}`;
    case "number":
      return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
    case "boolean":
      return `boolean \`${v}\``;
    case "object":
      return "a mapping";
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "a mapping",
  array: "a sequence",
  record: "a mapping",
};

/** Names listed after "expected one of" (backticked or bare, comma separated). */
function expectedNames(message: string): string[] {
  const m = /expected one of (.*)$/.exec(message);
  if (!m) return [];
  return m[1]!.split(/,\s*/).map((s) => s.replace(/`/g, "").trim()).filter(Boolean);
}

/** Branch choice for unions: drop branches that failed at the root or on a missing top-level key. */
function bestBranch(errors: Issue[][], input: unknown): Issue[] {
  let best: Issue[] = errors[0] ?? [];
  let bestScore = Infinity;
  for (const branch of errors) {
    let score = 0;
    for (const i of branch) {
      if (i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_union")) score += 100;
      else if (i.path.length === 1 && input !== null && typeof input === "object" && !(String(i.path[0]) in input)) score += 1;
    }
    if (score < bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  return bestScore >= 100 ? [] : best;
}

/** The value at `path` in a document, or undefined (also salvage.ts's). */
export function inputAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

export function issuesToDiagnostics(issues: readonly Issue[], root: unknown, base: Segment[] = []): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  for (const iss of issues) {
    const path = [...base, ...(iss.path as Segment[])];
    const input = inputAt(root, path);
    const present = (() => {
      if (path.length === 0) return true;
      const parent = inputAt(root, path.slice(0, -1));
      return parent !== null && typeof parent === "object" && String(path[path.length - 1]) in parent;
    })();
    const last = path[path.length - 1];
    switch (iss.code) {
      case "unrecognized_keys": {
        const names = expectedNames(iss.message);
        for (const key of iss.keys) {
          const message = iss.message.includes(KEY_PLACEHOLDER)
            ? iss.message.replace(KEY_PLACEHOLDER, key)
            : `unknown field \`${key}\``;
          out.push({ path: [...path, key], message, suggestion: didYouMean(key, names), at: "key" });
        }
        break;
      }
      case "invalid_type":
        if (!present) out.push({ path, message: `missing field \`${String(last)}\`` });
        else out.push({ path, message: `invalid type: ${describe(input)}, expected ${EXPECTED[iss.expected] ?? iss.expected}` });
        break;
      case "invalid_value": {
        const values = iss.values.map(String);
        if (values.length === 1 && !present) out.push({ path, message: `missing field \`${String(last)}\`` });
        else
          out.push({
            path,
            message: unknownVariant(input, values),
            suggestion: typeof input === "string" ? didYouMean(input, values) : undefined,
          });
        break;
      }
      case "invalid_union": {
        if ("discriminator" in iss && iss.discriminator) {
          // zod puts the discriminator key in the path already.
          const disc = iss.discriminator as string;
          const dpath = last === disc ? path : [...path, disc];
          const value = inputAt(root, dpath);
          const options = ((iss as { options?: unknown[] }).options ?? []).map(String);
          if (value === undefined) out.push({ path: dpath, message: `missing field \`${disc}\`` });
          else
            out.push({
              path: dpath,
              message: unknownVariant(value, options),
              suggestion: typeof value === "string" ? didYouMean(value, options) : undefined,
            });
          break;
        }
        if (!present) {
          out.push({ path, message: `missing field \`${String(last)}\`` });
          break;
        }
        const branch = bestBranch(iss.errors as Issue[][], input);
        if (branch.length === 0) {
          const expected = new Set<string>();
          for (const b of iss.errors as Issue[][])
            for (const i of b) if (i.path.length === 0 && i.code === "invalid_type") expected.add(EXPECTED[i.expected] ?? i.expected);
          out.push({
            path,
            message: `invalid type: ${describe(input)}, expected ${[...expected].join(" or ") || "a different value"}`,
          });
        } else out.push(...issuesToDiagnostics(branch, root, path));
        break;
      }
      case "too_small":
      case "too_big":
        out.push({ path, message: iss.message.replace(/^Too (small|big): expected \w+ to have /, "expected ") });
        break;
      case "custom": {
        const params = (iss.params ?? {}) as { suggestion?: string; at?: "key" | "value" };
        out.push({ path, message: iss.message, suggestion: params.suggestion, at: params.at });
        break;
      }
      default:
        out.push({ path, message: iss.message });
    }
  }
  return out;
}
