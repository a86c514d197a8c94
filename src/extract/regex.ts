import { captureGroupCount, compileRegex, RegexSyntaxError } from "../plan/regex.ts";
import type { Matcher, RegexExtractorSpec } from "./specs.ts";

/**
 * `type: regex`: capture group `group` (default 1; 0 = whole match) of every match over the body
 * text, as strings (Rust's captures_iter). A match where that group did not participate yields
 * nothing. Regex syntax notes: see src/plan/regex.ts.
 */
/** `group` absent = 1, the schema's default (a chain's `group` has none of its own) */
export function regexMatcher(spec: Pick<RegexExtractorSpec, "name" | "expression"> & { group?: number }): Matcher {
  const group = spec.group ?? 1;
  if (!Number.isInteger(group) || group < 0) {
    throw new RegexSyntaxError(`regex extractor "${spec.name}": group must be a non-negative integer, got ${JSON.stringify(spec.group)}`);
  }
  // Compiled once with `g`; run() resets lastIndex itself, so the shared state is harmless (a VU
  // runs one extractor at a time and nothing awaits in between).
  const re = compileRegex(spec.expression, "g");
  const groups = captureGroupCount(re);
  if (group > groups) {
    throw new RegexSyntaxError(
      `regex /${spec.expression}/ has ${groups} capture group${groups === 1 ? "" : "s"} but group ${group} was requested`,
    );
  }
  return {
    describe: `regex /${spec.expression}/`,
    matches: (r, limit) => {
      const text = r.text();
      const out: string[] = [];
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while (out.length < limit && (m = re.exec(text)) !== null) {
        // An empty match would match again at the same place forever; step one code point.
        if (m[0].length === 0) re.lastIndex += (text.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
        const v = m[group];
        if (v !== undefined) out.push(v);
      }
      return out;
    },
  };
}
