/**
 * Fused chains (reference §1.10): extract from one source → `default` when nothing matched →
 * `as` coercion → `transform`s → `check` → save. Every part is compiled once; run() does only the
 * per-response work. A value that cannot be coerced or transformed is an extraction failure.
 */
import { compileRegex } from "../plan/regex.ts";
import { jsonEqual } from "../checks/json-equal.ts";
import { coerce, compileTransform, numeric, textOf } from "./chain-values.ts";
import { boundaryMatcher } from "./boundary.ts";
import { cssMatcher } from "./css.ts";
import { headerMatcher } from "./header.ts";
import { compileJmesPath } from "./jmespath.ts";
import { jsonPathMatcher } from "./jsonpath.ts";
import { checkIndexMode, pick } from "./pick.ts";
import { regexMatcher } from "./regex.ts";
import type { ChainExtractorSpec, CompiledExtractor, IndexMode, Matcher } from "./specs.ts";
import { xpathMatcher } from "./xpath.ts";
import type { ResponseView } from "./response-view.ts";

const NONE: unique symbol = Symbol("no match");
type Source = (r: ResponseView, random: () => number) => unknown | typeof NONE;

export function compileChain(spec: ChainExtractorSpec): CompiledExtractor {
  const index = checkIndexMode(spec.index);
  const source = sourceFor(spec, index);
  const hasDefault = spec.default !== undefined;
  const transforms = (spec.transform ?? []).map(compileTransform);
  const check = spec.check ? compileChainCheck(spec.check) : undefined;
  const name = spec.chain;
  return {
    name,
    onFailure: spec.check ? (spec.check.on_failure ?? "continue") : undefined,
    run(r, random) {
      let v: unknown;
      try {
        v = source(r, random);
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
      if (v === NONE) {
        if (!hasDefault) return { ok: false, error: `chain \`${name}\`: source matched nothing` };
        v = spec.default;
      }
      if (spec.as !== undefined) {
        v = coerce(v, spec.as);
        if (v instanceof Error) return { ok: false, error: `chain \`${name}\`: ${v.message}` };
      }
      for (let i = 0; i < transforms.length; i++) {
        v = transforms[i]!(v);
        if (v instanceof Error) return { ok: false, error: `chain \`${name}\`: ${v.message}` };
      }
      return check === undefined ? { ok: true, value: v } : { ok: true, value: v, check: check(v) };
    },
  };
}

function sourceFor(spec: ChainExtractorSpec, index: IndexMode): Source {
  if (spec.jmespath !== undefined) {
    const q = compileJmesPath(spec.jmespath);
    return (r, random) => {
      const v = q(r.json());
      if (v === null || v === undefined) return NONE;
      // an array result honours `index` (all = the array itself); an empty array is no match
      if (Array.isArray(v) && index !== "all") return v.length === 0 ? NONE : pick(v, index, random);
      return v;
    };
  }
  let m: Matcher;
  if (spec.jsonpath !== undefined) m = jsonPathMatcher({ expression: spec.jsonpath });
  else if (spec.regex !== undefined) m = regexMatcher({ name: spec.chain, expression: spec.regex, group: spec.group });
  else if (spec.header !== undefined) m = headerMatcher({ name: spec.chain, header: spec.header });
  else if (spec.css !== undefined) m = cssMatcher({ expression: spec.css, attribute: spec.attribute });
  else if (spec.xpath !== undefined) m = xpathMatcher({ expression: spec.xpath });
  else if (spec.left !== undefined && spec.right !== undefined)
    m = boundaryMatcher({ name: spec.chain, left: spec.left, right: spec.right });
  else throw new Error(`chain \`${spec.chain}\` has no source; set one of jmespath, jsonpath, regex, header, css, xpath, left/right`);
  const limit = index === "first" ? 1 : Infinity;
  return (r, random) => {
    const found = m.matches(r, limit);
    return found.length === 0 ? NONE : pick(found, index, random);
  };
}

function compileChainCheck(c: NonNullable<ChainExtractorSpec["check"]>): (v: unknown) => boolean {
  const re = c.matches !== undefined ? compileRegex(c.matches) : undefined;
  return (v) => {
    if (c.equals !== undefined && !jsonEqual(v, c.equals)) return false;
    const text = textOf(v);
    if (re !== undefined && !re.test(text)) return false;
    if (c.one_of !== undefined && !c.one_of.some((o) => jsonEqual(v, o) || textOf(o) === text)) return false;
    if (c.min !== undefined || c.max !== undefined) {
      const n = numeric(v);
      if (n === undefined || (c.min !== undefined && n < c.min) || (c.max !== undefined && n > c.max)) return false;
    }
    if (c.not_empty === true && text === "") return false;
    return true;
  };
}
