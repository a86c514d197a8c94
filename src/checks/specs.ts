/**
 * Condition specs (`assert:` / `checks:` entries) exactly as the plan keeps them: the YAML objects
 * of reference §1.10, snake_case keys, durations already in milliseconds.
 */
import type { ResponseView } from "../extract/response-view.ts";

export type OnFailure = "continue" | "abort_iteration" | "abort_scenario" | "abort_test";

interface ConditionBase {
  /** the `check` tag; generated from the condition when absent (names.ts) */
  name?: string;
  /** default `continue`; only meaningful under `assert:` */
  on_failure?: OnFailure;
}

export interface StatusConditionSpec extends ConditionBase {
  type: "status";
  equals?: number;
  one_of?: number[];
  /** unanchored regex over the decimal status, e.g. `2..` */
  matches?: string;
}

export interface BodyContainsConditionSpec extends ConditionBase {
  type: "body_contains";
  value: string;
  negate?: boolean;
}

export interface BodyMatchesConditionSpec extends ConditionBase {
  type: "body_matches";
  pattern: string;
  negate?: boolean;
}

export interface JsonPathConditionSpec extends ConditionBase {
  type: "jsonpath";
  expression: string;
  /** what the query reads: the JSON body (default) or a plugin response's `extras` */
  source?: "body" | "extras";
  /** exact JSON equality with the first selected node */
  equals?: unknown;
  /** default true; false = passes when nothing is selected */
  exists?: boolean;
}

export interface HeaderConditionSpec extends ConditionBase {
  type: "header";
  header: string;
  equals?: string;
  contains?: string;
  exists?: boolean;
}

export interface SizeConditionSpec extends ConditionBase {
  type: "size";
  /** body bytes, inclusive */
  min?: number;
  max?: number;
  equals?: number;
}

export interface DurationConditionSpec extends ConditionBase {
  type: "duration";
  /** milliseconds; passes when the request duration is <= max */
  max: number;
}

export interface PluginConditionSpec extends ConditionBase {
  type: "plugin";
  /** the `plugins:` entry name of a WASM assertion plugin */
  plugin: string;
  /** shallow-merged over the plugin's config for this condition */
  config?: Record<string, unknown>;
}

export interface XPathConditionSpec extends ConditionBase {
  type: "xpath";
  expression: string;
  /** string equality with the first selected value */
  equals?: string;
  /** default true; false = passes when nothing is selected */
  exists?: boolean;
}

export interface JsConditionSpec extends ConditionBase {
  type: "js";
  /** a JS expression (or statements) with `response` in scope; passes when truthy */
  expression: string;
}

export type ConditionSpec =
  | StatusConditionSpec
  | BodyContainsConditionSpec
  | BodyMatchesConditionSpec
  | JsonPathConditionSpec
  | HeaderConditionSpec
  | SizeConditionSpec
  | DurationConditionSpec
  | PluginConditionSpec
  | XPathConditionSpec
  | JsConditionSpec;

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
