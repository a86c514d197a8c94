/**
 * Extractor specs are the plan's own types (src/plan/schema/checks.ts, the one source of truth):
 * an `extract:` entry as the loaded plan holds it, defaults filled. This file names the variants
 * the extractor kinds compile, and the run-time shapes they compile to.
 */
import type { ChainExtractor, ClassicExtractor } from "../plan/schema.ts";
import type { ResponseView } from "./response-view.ts";

type Variant<T extends ClassicExtractor["type"]> = Extract<ClassicExtractor, { type: T }>;
export type JsonPathExtractorSpec = Variant<"jsonpath">;
export type RegexExtractorSpec = Variant<"regex">;
export type BoundaryExtractorSpec = Variant<"boundary">;
export type HeaderExtractorSpec = Variant<"header">;
export type XPathExtractorSpec = Variant<"xpath">;
export type CssExtractorSpec = Variant<"css">;
export type PluginExtractorSpec = Variant<"plugin">;
/** the built-in kinds that match over the response (everything but `plugin`) */
export type ExtractorSpec = Exclude<ClassicExtractor, { type: "plugin" }>;
/** A fused chain (§1.10): `chain: <var>` plus exactly one source, then default → as → transform → check. */
export type ChainExtractorSpec = ChainExtractor;

/** Which match to keep when several matched (`all` = a JSON array of every match). */
export type IndexMode = JsonPathExtractorSpec["index"];

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
