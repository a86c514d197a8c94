import { boundaryMatcher } from "./boundary.ts";
import { headerMatcher } from "./header.ts";
import { jsonPathMatcher } from "./jsonpath.ts";
import { checkIndexMode, pick } from "./pick.ts";
import { regexMatcher } from "./regex.ts";
import { compilePluginExtractor, type PluginExtractorSpec } from "./plugin.ts";
import type { PluginLookup } from "../plugins/wasm/host.ts";
import type { CompiledExtractor, ExtractorSpec, Matcher } from "./specs.ts";

/**
 * Compile a classic extractor (`extract:` entry with `type:`) once per worker. Bad expressions
 * throw here, never in run(). run() returns the picked value, else `default`, else an error that
 * names what matched nothing (e.g. `jsonpath $.token matched nothing`); the variable name is
 * `name` on the result for the caller to report. `type: plugin` entries call their WASM plugin
 * (extract/plugin.ts), looked up in the worker's `plugins`.
 */
export function compileExtractor(spec: ExtractorSpec | PluginExtractorSpec, plugins?: PluginLookup): CompiledExtractor {
  if (spec.type === "plugin") return compilePluginExtractor(spec, plugins);
  const matcher = matcherFor(spec);
  // header has no `index` in the reference; it is always the first matching header.
  const index = spec.type === "header" ? "first" : checkIndexMode(spec.index);
  const limit = index === "first" ? 1 : Infinity;
  const hasDefault = spec.default !== undefined;
  const fallback = spec.default;
  const noMatch = `${matcher.describe} matched nothing`;
  return {
    name: spec.name,
    run(r, random) {
      const found = matcher.matches(r, limit);
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
    default:
      throw new Error(`unsupported extractor type ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}
