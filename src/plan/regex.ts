/**
 * Plan regexes are written for the reference, which uses Rust's `regex` crate; we run them as JS
 * RegExp with the `u` flag (code-point semantics and strict syntax, the closest JS mode to Rust).
 * A few Rust spellings are translated so common plans keep working:
 *   - a leading inline flag group `(?i)`, `(?m)`, `(?s)` (any combination) → JS flags
 *   - `(?P<name>…)` → `(?<name>…)`
 *   - `\A` / `\z` → start / end of input; `\<` / `\>` → start / end of word
 *   - `\` before ASCII punctuation that JS `u` mode refuses (`\"`, `\-` outside a class, `\<`...)
 *     → the bare character (Rust allows escaping any ASCII punctuation)
 * Known differences that remain (to be listed in docs/compat.md):
 *   - `\d`, `\w`, `\s`, `\b` are Unicode-aware in Rust and ASCII in JS
 *   - `.` excludes only `\n` in Rust; JS also excludes `\r`, U+2028, U+2029
 *   - Rust backtracking-free matching: no catastrophic backtracking there; JS can backtrack, and
 *     JS supports lookaround/backreferences that Rust rejects
 *   - inline flags after the start (`a(?i)b`), `(?x)`, `(?U)`, nested classes and class set
 *     operations (`[a-z&&[^aeiou]]`) and `\pN`-style one-letter classes are not supported
 *   - leftmost-first semantics are the same in both
 */

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
// Characters JS `u` mode accepts after a backslash as themselves.
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/");
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

export class RegexSyntaxError extends Error {}

/** Compile a Rust-syntax regex as a JS RegExp; `extraFlags` e.g. "g". Throws RegexSyntaxError. */
export function compileRegex(source: string, extraFlags = ""): RegExp {
  if (typeof source !== "string") throw new RegexSyntaxError(`invalid regex: expected a string, got ${JSON.stringify(source)}`);
  let flags = "u" + extraFlags;
  let body = source;
  const lead = LEADING_FLAGS.exec(body);
  if (lead) {
    for (const f of lead[1]!) {
      if (f !== "i" && f !== "m" && f !== "s") {
        throw new RegexSyntaxError(`invalid regex /${source}/: inline flag \`${f}\` is not supported (only i, m, s)`);
      }
      if (!flags.includes(f)) flags += f;
    }
    body = body.slice(lead[0].length);
  }
  try {
    return new RegExp(translate(body), flags);
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: /, "");
    throw new RegexSyntaxError(`invalid regex /${source}/: ${why}`);
  }
}

/** Number of capture groups in a compiled regex (an empty alternative always matches ""). */
export function captureGroupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags.replace("g", "").replace("y", "")).exec("")!.length - 1;
}

function translate(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length) {
      const n = src[i + 1]!;
      i++;
      if (!inClass && n === "A") out += "(?<![\\s\\S])";
      else if (!inClass && n === "z") out += "(?![\\s\\S])";
      else if (!inClass && n === "<") out += "\\b(?=\\w)";
      else if (!inClass && n === ">") out += "\\b(?<=\\w)";
      else if (ASCII_PUNCT.test(n) && !JS_SYNTAX.has(n) && !(inClass && n === "-")) out += n;
      else out += "\\" + n;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // A `]` (or `^]`) right after the opening bracket is a literal in Rust; JS needs it escaped.
      if (src[i + 1] === "^") out += src[++i];
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && src.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    out += c;
  }
  return out;
}
