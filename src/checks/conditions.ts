/**
 * Conditions (`assert:` / `checks:` entries, reference §1.10) compiled once per worker into a
 * plain predicate over the response view. Everything that can be wrong with a condition (bad
 * regex, bad JSONPath, no constraint at all) throws here with a clear message, so check() only
 * compares. Condition values are never `${}`-interpolated, as in the reference.
 */
import { compileJsonPath } from "../extract/jsonpath-query.ts";
import { compileRegex } from "../plan/regex.ts";
import { findHeader, type ResponseView } from "../extract/response-view.ts";
import { compileXPath } from "../extract/xpath.ts";
import { jsonEqual } from "./json-equal.ts";
import { conditionName } from "./check-names.ts";
import { ofType } from "../util/kind-registry.ts";
import type {
  BodyContainsConditionSpec,
  BodyMatchesConditionSpec,
  CompiledCondition,
  ConditionScope,
  ConditionSpec,
  DurationConditionSpec,
  HeaderConditionSpec,
  JsConditionSpec,
  JsonPathConditionSpec,
  OnFailure,
  SizeConditionSpec,
  StatusConditionSpec,
  XPathConditionSpec,
} from "./specs.ts";

type Check = (r: ResponseView, scope?: ConditionScope) => boolean;

/**
 * How an `assert:`/`checks:` entry of one `type:` compiles to its predicate, once per worker
 * (everything wrong with it throws here). `name` is the condition's name, for a kind's own log lines.
 */
export type ConditionKind = (spec: { type: string }, name: string) => Check;

const ON_FAILURE: ReadonlySet<string> = new Set(["continue", "abort_iteration", "abort_scenario", "abort_test"]);

/** The built-in kinds; a worker's registry (src/checks/registry.ts) adds what plugins registered. */
export const BUILT_IN_CONDITIONS: ReadonlyMap<string, ConditionKind> = new Map<string, ConditionKind>([
  ["status", ofType(statusCheck)],
  ["body_contains", ofType(bodyContainsCheck)],
  ["body_matches", ofType(bodyMatchesCheck)],
  ["jsonpath", ofType(jsonPathCheck)],
  ["header", ofType(headerCheck)],
  ["size", ofType(sizeCheck)],
  ["duration", ofType(durationCheck)],
  ["xpath", ofType(xpathCheck)],
  ["js", ofType(jsCheck)],
]);

export function compileCondition(spec: ConditionSpec | { type: string; name?: string; on_failure?: string }, kinds: ReadonlyMap<string, ConditionKind> = BUILT_IN_CONDITIONS): CompiledCondition {
  const onFailure = spec.on_failure ?? "continue";
  if (!ON_FAILURE.has(onFailure)) {
    throw new Error(
      `invalid on_failure ${JSON.stringify(onFailure)}: expected one of continue, abort_iteration, abort_scenario, abort_test`,
    );
  }
  const kind = kinds.get(spec.type);
  if (kind === undefined) throw new Error(`unsupported condition type ${JSON.stringify(spec.type)}`);
  const name = spec.name ?? conditionName(spec as ConditionSpec);
  return { name, onFailure: onFailure as OnFailure, check: kind(spec, name), usesJs: spec.type === "js" };
}

function jsCheck(spec: JsConditionSpec): Check {
  const code = spec.expression;
  if (typeof code !== "string" || code.trim() === "") throw new Error("js condition needs a non-empty `expression`");
  // no scope (a caller without JS) = the condition cannot hold
  return (r, scope) => scope !== undefined && !!scope.evalJs(code, r);
}

function statusCheck(spec: StatusConditionSpec): Check {
  const { equals, one_of } = spec;
  if (equals === undefined && one_of === undefined && spec.matches === undefined) {
    throw new Error("status condition needs at least one of equals, one_of, matches");
  }
  // Unanchored, as the reference: `matches: "2"` passes 200 and 302.
  const re = spec.matches === undefined ? undefined : compileRegex(spec.matches);
  return (r) =>
    (equals === undefined || r.status === equals) &&
    (one_of === undefined || one_of.includes(r.status)) &&
    (re === undefined || re.test(String(r.status)));
}

function bodyContainsCheck(spec: BodyContainsConditionSpec): Check {
  const { value } = spec;
  if (typeof value !== "string") throw new Error("body_contains condition needs a string `value`");
  const negate = spec.negate === true;
  return (r) => r.text().includes(value) !== negate;
}

function bodyMatchesCheck(spec: BodyMatchesConditionSpec): Check {
  // No `g` flag: test() then keeps no lastIndex state between responses.
  const re = compileRegex(spec.pattern);
  const negate = spec.negate === true;
  return (r) => re.test(r.text()) !== negate;
}

function jsonPathCheck(spec: JsonPathConditionSpec): Check {
  const q = compileJsonPath(spec.expression);
  const exists = spec.exists ?? true;
  // `source: extras` reads a plugin response's extras instead of the JSON body
  const doc = spec.source === "extras" ? (r: ResponseView) => r.extras ?? undefined : (r: ResponseView) => r.json();
  if (!exists) return (r) => q.first(doc(r)) === undefined;
  if (spec.equals === undefined) return (r) => q.first(doc(r)) !== undefined;
  const want = spec.equals;
  return (r) => {
    const v = q.first(doc(r));
    return v !== undefined && jsonEqual(v, want);
  };
}

function headerCheck(spec: HeaderConditionSpec): Check {
  if (typeof spec.header !== "string" || spec.header === "") {
    throw new Error("header condition needs a non-empty `header` name");
  }
  const { equals, contains, exists } = spec;
  if (equals === undefined && contains === undefined && exists === undefined) {
    throw new Error(`header condition on ${spec.header} needs at least one of exists, equals, contains`);
  }
  const lower = spec.header.toLowerCase();
  if (exists === false) return (r) => findHeader(r.headers, lower) === undefined;
  return (r) => {
    const v = findHeader(r.headers, lower);
    return v !== undefined && (equals === undefined || v === equals) && (contains === undefined || v.includes(contains));
  };
}

function sizeCheck(spec: SizeConditionSpec): Check {
  const { min, max, equals } = spec;
  if (min === undefined && max === undefined && equals === undefined) {
    throw new Error("size condition needs at least one of min, max, equals");
  }
  // Bytes of the (decoded, decompressed) body, not characters.
  return (r) => {
    const n = r.body.length;
    return (min === undefined || n >= min) && (max === undefined || n <= max) && (equals === undefined || n === equals);
  };
}

function xpathCheck(spec: XPathConditionSpec): Check {
  const q = compileXPath(spec.expression);
  const exists = spec.exists ?? true;
  const { equals } = spec;
  return (r) => {
    const v = q.values(r);
    // a body that is not XML selects nothing
    const first = v instanceof Error || v.length === 0 ? undefined : v[0];
    if (!exists) return first === undefined;
    return first !== undefined && (equals === undefined || first === equals);
  };
}

function durationCheck(spec: DurationConditionSpec): Check {
  const { max } = spec;
  if (typeof max !== "number" || !Number.isFinite(max)) {
    throw new Error("duration condition needs `max` (a duration)");
  }
  // <= although the generated name says "<": that is the reference's behaviour.
  return (r) => r.durationMs <= max;
}
