import { boundaryMatcher } from "./boundary.ts";
import { compileChain } from "./chain.ts";
import { cssMatcher } from "./css.ts";
import { xpathMatcher } from "./xpath.ts";
import { headerMatcher } from "./header.ts";
import { jsonPathMatcher } from "./jsonpath.ts";
import { checkIndexMode, pick } from "./pick.ts";
import { regexMatcher } from "./regex.ts";
import { compilePluginExtractor, type PluginExtractorSpec } from "./plugin.ts";
import type { PluginLookup } from "../plugins/host/wasm/host.ts";
import type { ChainExtractorSpec, CompiledExtractor, ExtractorSpec, Matcher } from "./specs.ts";

/**
 * Compile a classic extractor (`extract:` entry with `type:`) once per worker. Bad expressions
 * throw here, never in run(). run() returns the picked value, else `default`, else an error that
 * names what matched nothing (e.g. `jsonpath $.token matched nothing`); the variable name is
 * `name` on the result for the caller to report. `type: plugin` entries call their WASM plugin
 * (extract/plugin.ts), looked up in the worker's `plugins`.
 */
export function compileExtractor(spec: ExtractorSpec | ChainExtractorSpec | PluginExtractorSpec, plugins?: PluginLookup): CompiledExtractor {
  if ("chain" in spec) return compileChain(spec);
  if (spec.type === "plugin") return compilePluginExtractor(spec, plugins);
  const matcher = matcherFor(spec);
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

function matcherFor(spec: ExtractorSpec): Matcher {
  switch (spec.type) {
    case "jsonpath":
      return jsonPathMatcher(spec);
    case "regex":
      return regexMatcher(spec);
    case "boundary":
      return boundaryMatcher(spec);
    case "header":
      return headerMatcher(spec);
    case "xpath":
      return xpathMatcher(spec);
    case "css":
      return cssMatcher(spec);
    default:
      throw new Error(`unsupported extractor type ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}
