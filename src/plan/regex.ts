/**
 * Plans are written for the reference, whose regexes use Rust `regex` syntax. We run them as JS
 * RegExps after translating the few common spellings that differ: `(?P<name>` groups and
 * leading inline flag groups like `(?i)` / `(?is)`.
 */
export function toJsRegex(src: string, extraFlags = ""): RegExp {
  let body = src.replace(/\(\?P</g, "(?<");
  let flags = "u" + extraFlags;
  const lead = /^\(\?([imsx]+)\)/.exec(body);
  if (lead) {
    if (lead[1]!.includes("x")) throw new SyntaxError("the `x` (verbose) regex flag is not supported");
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    body = body.slice(lead[0].length);
  }
  try {
    return new RegExp(body, flags);
  } catch {
    // Rust accepts some escapes the `u` mode rejects (e.g. `\-` outside classes); fall back.
    return new RegExp(body, flags.replace("u", ""));
  }
}

/** Number of capture groups of a compiled regex. */
export function captureGroups(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, "")).exec("")!.length - 1;
}
