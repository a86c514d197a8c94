export { compileCondition } from "./conditions.ts";
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
  SizeConditionSpec,
  StatusConditionSpec,
} from "./specs.ts";
