/**
 * Auto-generated check names (the `check` tag when a condition has no `name`), character for
 * character as the reference builds them, since they appear in summaries and threshold selectors.
 */
import { formatDuration } from "../plan/duration.ts";
import type { ConditionSpec } from "./specs.ts";

export function conditionName(spec: ConditionSpec): string {
  switch (spec.type) {
    case "status":
      if (spec.equals !== undefined) return `status is ${spec.equals}`;
      if (spec.one_of !== undefined) return `status in [${spec.one_of.join(", ")}]`;
      if (spec.matches !== undefined) return `status matches ${spec.matches}`;
      return "status";
    case "body_contains":
      return spec.negate
        ? `body does not contain ${rustDebugQuote(spec.value)}`
        : `body contains ${rustDebugQuote(spec.value)}`;
    case "body_matches":
      // The reference uses this name for negated patterns too.
      return `body matches /${spec.pattern}/`;
    case "jsonpath":
      return `jsonpath ${spec.expression}`;
    case "header":
      return `header ${spec.header}`;
    case "size":
      return "body size";
    case "duration":
      return `duration < ${formatDuration(spec.max)}`;
    case "plugin":
      // docs/dev/architecture.md: a plugin check without `name:` is `plugin <entry name>`
      return `plugin ${spec.plugin}`;
    case "xpath":
      return `xpath ${spec.expression}`;
    case "js":
      return `js: ${spec.expression}`;
  }
}

// Rust's str Debug escapes, besides `"` and `\`, every char that is not "printable" (controls,
// format chars, separators other than the ASCII space, private use, unassigned, lone surrogates)
// and grapheme extenders (combining marks), as `\u{hex}`. Unicode property classes approximate
// core::unicode::printable closely enough for names (the tables differ only by Unicode version).
const NEEDS_ESCAPE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Grapheme_Extend}\p{Cs}]|[\p{Zs}--[ ]]/v;
const NEEDS_ESCAPE_ANY = /["\\]|[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Grapheme_Extend}\p{Cs}]|[\p{Zs}--[ ]]/v;

/** A string formatted as Rust's `{:?}` does: `"a\"b\\c\n\u{1b}"`. */
export function rustDebugQuote(s: string): string {
  // Fast path: most values need no escaping at all.
  if (!NEEDS_ESCAPE_ANY.test(s)) return `"${s}"`;
  let out = '"';
  // for…of walks code points, so astral characters stay whole and lone surrogates stay alone.
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\0":
        out += "\\0";
        break;
      default:
        out += NEEDS_ESCAPE.test(ch) ? `\\u{${ch.codePointAt(0)!.toString(16)}}` : ch;
    }
  }
  return out + '"';
}
