/**
 * Condition specs are the plan's own types (src/plan/schema/checks.ts, the one source of truth):
 * an `assert:` / `checks:` entry as the plan writes it, where the keys the schema defaults
 * (`on_failure`, `negate`, `exists`) may be left out — compileCondition fills them as loading
 * does — and durations are milliseconds, as a loaded plan holds them. This file names the variants
 * the condition kinds compile, and the run-time shapes they compile to.
 */
import type { z } from "zod";
import type { Condition } from "../plan/schema/checks.ts";
import type { ResponseView } from "../extract/response-view.ts";

type Written = z.input<typeof Condition>;
export type ConditionSpec = Exclude<Written, { type: "duration" }> | (Omit<Extract<Written, { type: "duration" }>, "max"> & { max: number });
export type OnFailure = z.output<typeof Condition>["on_failure"];
type Variant<T extends ConditionSpec["type"]> = Extract<ConditionSpec, { type: T }>;
export type StatusConditionSpec = Variant<"status">;
export type BodyContainsConditionSpec = Variant<"body_contains">;
export type BodyMatchesConditionSpec = Variant<"body_matches">;
export type JsonPathConditionSpec = Variant<"jsonpath">;
export type HeaderConditionSpec = Variant<"header">;
export type SizeConditionSpec = Variant<"size">;
export type DurationConditionSpec = Variant<"duration">;
export type PluginConditionSpec = Variant<"plugin">;
export type XPathConditionSpec = Variant<"xpath">;
export type JsConditionSpec = Variant<"js">;

/**
 * What a condition may need beyond the response: the VU's JS context (`type: js`). The engine
 * passes it; an evaluation that throws returns `undefined` (the engine has already logged and
 * counted it), which is falsy.
 */
export interface ConditionScope {
  evalJs(code: string, r: ResponseView): unknown;
}

export interface CompiledCondition {
  name: string;
  onFailure: OnFailure;
  check(r: ResponseView, scope?: ConditionScope): boolean;
  /** true for `type: js`: the caller must pass a scope */
  usesJs?: boolean;
}
