import { compileJsonPath } from "./jsonpath-query.ts";
import type { JsonPathExtractorSpec, Matcher } from "./specs.ts";

/**
 * `type: jsonpath`: every node the RFC 9535 query selects, with native JSON types kept (numbers
 * stay numbers, objects stay objects). A body that is not JSON selects nothing, as in the
 * reference (serde_json failure → null → no match).
 */
export function jsonPathMatcher(spec: Pick<JsonPathExtractorSpec, "expression" | "source">): Matcher {
  const q = compileJsonPath(spec.expression);
  if (spec.source === "extras") {
    return {
      describe: `jsonpath ${spec.expression} (extras)`,
      matches: (r, limit) => {
        const doc = r.extras ?? undefined;
        if (limit === 1) {
          const v = q.first(doc);
          return v === undefined ? [] : [v];
        }
        return q.all(doc);
      },
    };
  }
  return {
    describe: `jsonpath ${spec.expression}`,
    matches: (r, limit) => {
      if (limit === 1) {
        const v = q.first(r.json());
        return v === undefined ? [] : [v];
      }
      return q.all(r.json());
    },
    first: (r) => q.first(r.json()),
  };
}
