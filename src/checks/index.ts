export { compileCondition, type ConditionKind } from "./conditions.ts";
export { ConditionRegistry } from "./registry.ts";
export { pluginCheck, type AssertionPlugin } from "./plugin.ts";
export { conditionName, rustDebugQuote } from "./check-names.ts";
export { jsonEqual } from "./json-equal.ts";
export type {
  BodyContainsConditionSpec,
  BodyMatchesConditionSpec,
  CompiledCondition,
  ConditionScope,
  ConditionSpec,
  JsConditionSpec,
  XPathConditionSpec,
  DurationConditionSpec,
  HeaderConditionSpec,
  JsonPathConditionSpec,
  OnFailure,
  PluginConditionSpec,
  SizeConditionSpec,
  StatusConditionSpec,
} from "./specs.ts";
