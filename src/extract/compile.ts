import { boundaryMatcher } from "./boundary.ts";
import { compileChain } from "./chain.ts";
import { cssMatcher } from "./css.ts";
import { xpathMatcher } from "./xpath.ts";
import { headerMatcher } from "./header.ts";
import { jsonPathMatcher } from "./jsonpath.ts";
import { checkIndexMode, pick } from "./pick.ts";
import { regexMatcher } from "./regex.ts";
import { ofType } from "../util/kind-registry.ts";
import type {
  BoundaryExtractorSpec,
  ChainExtractorSpec,
  CompiledExtractor,
  CssExtractorSpec,
  ExtractorSpec,
  HeaderExtractorSpec,
  JsonPathExtractorSpec,
  Matcher,
  PluginExtractorSpec,
  RegexExtractorSpec,
  XPathExtractorSpec,
} from "./specs.ts";

/** How an `extract:` entry of one `type:` compiles, once per worker (bad expressions throw here). */
export type ExtractorKind = (spec: { type: string }) => CompiledExtractor;

/** Every spec an extractor registry may be asked to compile. */
export type AnyExtractorSpec = ExtractorSpec | ChainExtractorSpec | PluginExtractorSpec | { type: string; name: string };

/** The built-in kinds: a matcher over the response, then `index` and `default`. */
export const BUILT_IN_EXTRACTORS: ReadonlyMap<string, ExtractorKind> = new Map<string, ExtractorKind>([
  ["jsonpath", ofType((s: JsonPathExtractorSpec) => matched(s, jsonPathMatcher(s)))],
  ["regex", ofType((s: RegexExtractorSpec) => matched(s, regexMatcher(s)))],
  ["boundary", ofType((s: BoundaryExtractorSpec) => matched(s, boundaryMatcher(s)))],
  ["header", ofType((s: HeaderExtractorSpec) => matched(s, headerMatcher(s)))],
  ["xpath", ofType((s: XPathExtractorSpec) => matched(s, xpathMatcher(s)))],
  ["css", ofType((s: CssExtractorSpec) => matched(s, cssMatcher(s)))],
]);

/**
 * Compile an `extract:` entry with the given kinds (default: the built-ins; a worker's registry,
 * src/extract/registry.ts, adds what plugins registered). `chain:` entries have no type and compile
 * as chains. run() returns the picked value, else `default`, else an error that names what matched
 * nothing (e.g. `jsonpath $.token matched nothing`); the variable name is `name` on the result.
 */
export function compileExtractor(spec: AnyExtractorSpec, kinds: ReadonlyMap<string, ExtractorKind> = BUILT_IN_EXTRACTORS): CompiledExtractor {
  if ("chain" in spec) return compileChain(spec);
  const kind = kinds.get(spec.type);
  if (kind === undefined) throw new Error(`unsupported extractor type ${JSON.stringify(spec.type)}`);
  return kind(spec);
}

function matched(spec: ExtractorSpec, matcher: Matcher): CompiledExtractor {
  // header has no `index` in the reference; it is always the first matching header.
  const index = spec.type === "header" || spec.type === "xpath" ? "first" : checkIndexMode(spec.index);
  const limit = index === "first" ? 1 : Infinity;
  const hasDefault = spec.default !== undefined;
  const fallback = spec.default;
  const noMatch = `${matcher.describe} matched nothing`;
  const firstOnly = matcher.first;
  if (index === "first" && firstOnly !== undefined) {
    // the common case without an intermediate list
    return {
      name: spec.name,
      run(r) {
        const v = firstOnly(r);
        if (v !== undefined) return { ok: true, value: v };
        if (hasDefault) return { ok: true, value: fallback };
        return { ok: false, error: noMatch };
      },
    };
  }
  return {
    name: spec.name,
    run(r, random) {
      let found: unknown[];
      try {
        found = matcher.matches(r, limit);
      } catch (e) {
        // e.g. an xpath over a body that is not XML: an extraction error, not a crash
        return { ok: false, error: (e as Error).message };
      }
      if (found.length > 0) return { ok: true, value: pick(found, index, random) };
      if (hasDefault) return { ok: true, value: fallback };
      return { ok: false, error: noMatch };
    },
  };
}
