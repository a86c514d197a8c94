/**
 * Extractors (`extract:`) and conditions (`assert:` / `checks:`), §1.10. Both are tagged by `type`
 * and, as in the reference, ignore unknown keys (z.object strips them). Fused chains are the
 * extractor entries carrying a `chain:` key.
 */
import { z } from "zod";
import { jsonPathError } from "../jsonpath-syntax.ts";
import { captureGroupCount, compileRegex } from "../regex.ts";
import { cssError, jmesPathError, xpathError } from "../selectors.ts";
import { jsSyntaxError } from "../js-syntax.ts";
import { Count, Dur, OnFailure, strict } from "./common.ts";

const Index = z.enum(["first", "last", "random", "all"]);

function regexIssue(ctx: z.RefinementCtx, src: string, path: string[], minGroups = 0): void {
  let re: RegExp;
  try {
    re = compileRegex(src);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `invalid regex \`${src}\`: ${(e as Error).message}`, path });
    return;
  }
  const n = captureGroupCount(re);
  if (n < minGroups)
    ctx.addIssue({
      code: "custom",
      message: `regex \`${src}\` has ${n} capture group(s) but \`group\` is ${minGroups}`,
      path: ["group"],
    });
}

function jsonPathIssue(ctx: z.RefinementCtx, src: string, path: string[]): void {
  const err = jsonPathError(src);
  if (err !== undefined) ctx.addIssue({ code: "custom", message: `invalid JSONPath \`${src}\`: ${err}`, path });
}

/** An issue when `check` finds `src` invalid (xpath, css, jmespath, js). */
function syntaxIssue(ctx: z.RefinementCtx, check: (s: string) => string | undefined, what: string, src: string, path: string[]): void {
  const err = check(src);
  if (err !== undefined) ctx.addIssue({ code: "custom", message: `invalid ${what} \`${src}\`: ${err}`, path });
}

const JsonPathExtractor = z
  .object({
    type: z.literal("jsonpath"), name: z.string(), expression: z.string(), default: z.string().optional(), index: Index.default("first"),
    source: z.enum(["body", "extras"]).optional(),
  })
  .superRefine((e, ctx) => jsonPathIssue(ctx, e.expression, ["expression"]));
const RegexExtractor = z
  .object({
    type: z.literal("regex"), name: z.string(), expression: z.string(),
    group: Count.default(1), default: z.string().optional(), index: Index.default("first"),
  })
  .superRefine((e, ctx) => regexIssue(ctx, e.expression, ["expression"], e.group));
const XPathExtractor = z.object({ type: z.literal("xpath"), name: z.string(), expression: z.string(), default: z.string().optional() })
  .superRefine((e, ctx) => syntaxIssue(ctx, xpathError, "XPath", e.expression, ["expression"]));
const CssExtractor = z.object({
  type: z.literal("css"), name: z.string(), expression: z.string(),
  attribute: z.string().optional(), default: z.string().optional(), index: Index.default("first"),
}).superRefine((e, ctx) => syntaxIssue(ctx, cssError, "CSS selector", e.expression, ["expression"]));
const BoundaryExtractor = z.object({
  type: z.literal("boundary"), name: z.string(), left: z.string(), right: z.string(),
  default: z.string().optional(), index: Index.default("first"),
});
const HeaderExtractor = z.object({ type: z.literal("header"), name: z.string(), header: z.string(), default: z.string().optional() });
/** A WASM extractor plugin, addressed by its `plugins:` entry name (docs/dev/architecture.md: we implement the documented form). */
const PluginExtractor = z.object({
  type: z.literal("plugin"), name: z.string(), plugin: z.string(),
  config: z.record(z.string(), z.unknown()).optional(), default: z.string().optional(),
});

export const ClassicExtractor = z.discriminatedUnion("type", [
  JsonPathExtractor, RegexExtractor, XPathExtractor, CssExtractor, BoundaryExtractor, HeaderExtractor, PluginExtractor,
]);

const Transform = z.union([
  z.enum(["trim", "lowercase", "uppercase", "url_encode", "url_decode", "base64_encode", "base64_decode"]),
  strict({ append: z.string() }),
  strict({ prepend: z.string() }),
  strict({ replace: z.array(z.string()).refine((a) => a.length === 2, "`replace` needs exactly 2 arguments: [from, to]") }),
  strict({
    substring: z.array(Count).refine((a) => a.length === 1 || a.length === 2, "`substring` needs 1 or 2 arguments: [start] or [start, len]"),
  }),
]);

const ChainCheck = strict({
  equals: z.unknown().optional(),
  matches: z.string().optional(),
  one_of: z.array(z.unknown()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  not_empty: z.boolean().optional(),
  on_failure: OnFailure.default("continue"),
}).superRefine((c, ctx) => {
  if (c.matches !== undefined) regexIssue(ctx, c.matches, ["matches"]);
  if (c.min !== undefined && c.max !== undefined && c.min > c.max)
    ctx.addIssue({ code: "custom", message: "`check.min` cannot be greater than `check.max`", path: ["min"] });
});

const CHAIN_SOURCES = ["jmespath", "jsonpath", "regex", "header", "css", "xpath", "left"] as const;

export const ChainExtractor = z
  .object({
    chain: z.string(),
    jmespath: z.string().optional(),
    jsonpath: z.string().optional(),
    regex: z.string().optional(),
    group: Count.optional(),
    header: z.string().optional(),
    css: z.string().optional(),
    attribute: z.string().optional(),
    xpath: z.string().optional(),
    left: z.string().optional(),
    right: z.string().optional(),
    index: Index.default("first"),
    as: z.enum(["int", "float", "bool", "string"]).optional(),
    transform: z.array(Transform).default([]),
    default: z.unknown().optional(),
    check: ChainCheck.optional(),
  })
  .superRefine((c, ctx) => {
    const present = CHAIN_SOURCES.filter((s) => c[s] !== undefined);
    if (present.length === 0)
      ctx.addIssue({ code: "custom", message: "chain has no source; set one of jmespath, jsonpath, regex, header, css, xpath, left/right" });
    else if (present.length > 1)
      ctx.addIssue({ code: "custom", message: `chain has multiple sources (${present.join(", ")}); pick one` });
    if ((c.left === undefined) !== (c.right === undefined))
      ctx.addIssue({ code: "custom", message: "`left` and `right` must be set together", path: [c.left === undefined ? "right" : "left"] });
    if (c.jsonpath !== undefined) jsonPathIssue(ctx, c.jsonpath, ["jsonpath"]);
    if (c.regex !== undefined) regexIssue(ctx, c.regex, ["regex"], c.group ?? 1);
    if (c.jmespath !== undefined) syntaxIssue(ctx, jmesPathError, "JMESPath", c.jmespath, ["jmespath"]);
    if (c.xpath !== undefined) syntaxIssue(ctx, xpathError, "XPath", c.xpath, ["xpath"]);
    if (c.css !== undefined) syntaxIssue(ctx, cssError, "CSS selector", c.css, ["css"]);
  });

/** An `extract:` entry: a chain when it has `chain:`, else a classic extractor. */
export const Extractor = z.union([ClassicExtractor, ChainExtractor]);

// ---- conditions ----

const cond = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), name: z.string().optional(), on_failure: OnFailure.default("continue"), ...shape });

const StatusCondition = cond("status", {
  equals: z.number().int().optional(),
  one_of: z.array(z.number().int()).optional(),
  matches: z.string().optional(),
}).superRefine((c, ctx) => {
  if (c.equals === undefined && c.one_of === undefined && c.matches === undefined)
    ctx.addIssue({ code: "custom", message: "`status` condition needs at least one of `equals`, `one_of`, `matches`" });
  if (c.matches !== undefined) regexIssue(ctx, c.matches, ["matches"]);
});
const BodyContainsCondition = cond("body_contains", { value: z.string(), negate: z.boolean().default(false) });
const BodyMatchesCondition = cond("body_matches", { pattern: z.string(), negate: z.boolean().default(false) })
  .superRefine((c, ctx) => regexIssue(ctx, c.pattern, ["pattern"]));
const JsonPathCondition = cond("jsonpath", {
  expression: z.string(), equals: z.unknown().optional(), exists: z.boolean().default(true), source: z.enum(["body", "extras"]).optional(),
})
  .superRefine((c, ctx) => jsonPathIssue(ctx, c.expression, ["expression"]));
const XPathCondition = cond("xpath", { expression: z.string(), equals: z.string().optional(), exists: z.boolean().default(true) })
  .superRefine((c, ctx) => syntaxIssue(ctx, xpathError, "XPath", c.expression, ["expression"]));
const DurationCondition = cond("duration", { max: Dur });
const SizeCondition = cond("size", { min: Count.optional(), max: Count.optional(), equals: Count.optional() }).superRefine((c, ctx) => {
  if (c.min === undefined && c.max === undefined && c.equals === undefined)
    ctx.addIssue({ code: "custom", message: "`size` condition needs at least one of `min`, `max`, `equals`" });
});
const HeaderCondition = cond("header", {
  header: z.string(), equals: z.string().optional(), contains: z.string().optional(), exists: z.boolean().optional(),
}).superRefine((c, ctx) => {
  if (c.equals === undefined && c.contains === undefined && c.exists === undefined)
    ctx.addIssue({ code: "custom", message: "`header` condition needs at least one of `equals`, `contains`, `exists`" });
});
const JsCondition = cond("js", { expression: z.string() }).superRefine((c, ctx) => {
  if (c.expression.trim() === "") ctx.addIssue({ code: "custom", message: "`expression` cannot be empty", path: ["expression"] });
  else syntaxIssue(ctx, jsSyntaxError, "JavaScript", c.expression, ["expression"]);
});
/** A WASM assertion plugin, addressed by its `plugins:` entry name. */
const PluginCondition = cond("plugin", { plugin: z.string(), config: z.record(z.string(), z.unknown()).optional() });

export const Condition = z.discriminatedUnion("type", [
  StatusCondition, BodyContainsCondition, BodyMatchesCondition, JsonPathCondition, XPathCondition,
  DurationCondition, SizeCondition, HeaderCondition, JsCondition, PluginCondition,
]);
