/**
 * Extractor specs exactly as the plan keeps them: the YAML objects of reference §1.10 with their
 * snake_case keys. The plan's zod types are structurally compatible with these (field names are
 * the contract; types here are deliberately no narrower than the plan's).
 */
import type { ResponseView } from "./response-view.ts";

/** Which match to keep when several matched (`all` = a JSON array of every match). */
export type IndexMode = "first" | "last" | "random" | "all";

interface ExtractorBase {
  /** the variable the value is saved to */
  name: string;
  /** used when nothing matched (the reference types it as a string; returned as given) */
  default?: unknown;
}

export interface JsonPathExtractorSpec extends ExtractorBase {
  type: "jsonpath";
  /** RFC 9535 JSONPath */
  expression: string;
  index?: IndexMode;
  /** what the query reads: the JSON body (default) or a plugin response's `extras` */
  source?: "body" | "extras";
}

export interface RegexExtractorSpec extends ExtractorBase {
  type: "regex";
  expression: string;
  /** capture group to return; default 1, 0 = the whole match */
  group?: number;
  index?: IndexMode;
}

export interface BoundaryExtractorSpec extends ExtractorBase {
  type: "boundary";
  left: string;
  right: string;
  index?: IndexMode;
}

export interface HeaderExtractorSpec extends ExtractorBase {
  type: "header";
  /** header name, matched case-insensitively */
  header: string;
}

export interface XPathExtractorSpec extends ExtractorBase {
  type: "xpath";
  /** XPath 1.0 over an XML body */
  expression: string;
}

export interface CssExtractorSpec extends ExtractorBase {
  type: "css";
  /** CSS selector over an HTML body */
  expression: string;
  /** take this attribute instead of the element's text */
  attribute?: string;
  index?: IndexMode;
}

export type ExtractorSpec =
  | JsonPathExtractorSpec | RegexExtractorSpec | BoundaryExtractorSpec | HeaderExtractorSpec | XPathExtractorSpec | CssExtractorSpec;

/** A fused chain (§1.10): `chain: <var>` plus exactly one source, then default → as → transform → check. */
export interface ChainExtractorSpec {
  chain: string;
  jmespath?: string;
  jsonpath?: string;
  regex?: string;
  group?: number;
  header?: string;
  css?: string;
  attribute?: string;
  xpath?: string;
  left?: string;
  right?: string;
  index?: IndexMode;
  as?: "int" | "float" | "bool" | "string";
  transform?: import("./chain-values.ts").Transform[];
  default?: unknown;
  check?: {
    equals?: unknown;
    matches?: string;
    one_of?: unknown[];
    min?: number;
    max?: number;
    not_empty?: boolean;
    on_failure?: "continue" | "abort_iteration" | "abort_scenario" | "abort_test";
  };
}

/**
 * `check` is set only by chains that have a `check:`: whether it passed (a `checks` sample tagged
 * with the chain's variable name). A failed check does not save the value.
 */
export type ExtractResult = { ok: true; value: unknown; check?: boolean } | { ok: false; error: string };

export interface CompiledExtractor {
  name: string;
  /** chains with a `check:` only: what a failed check does to the flow */
  onFailure?: "continue" | "abort_iteration" | "abort_scenario" | "abort_test";
  /** `random` in [0, 1) picks the match for `index: random` (the VU's seeded generator) */
  run(r: ResponseView, random: () => number): ExtractResult;
}

/**
 * What each extractor type compiles to: all matches in document order. `limit` is 1 when only the
 * first match will be used, so a regex over a large body can stop early.
 */
export interface Matcher {
  /** used in the "matched nothing" error, e.g. `jsonpath $.token` */
  describe: string;
  matches(r: ResponseView, limit: number): unknown[];
  /** optional: the first match or undefined, without building a list (the default `index: first`) */
  first?(r: ResponseView): unknown;
}
