import { findHeader } from "./response-view.ts";
import type { HeaderExtractorSpec, Matcher } from "./specs.ts";

/** `type: header`: the first header with that name, case-insensitively (no `index`). */
export function headerMatcher(spec: Pick<HeaderExtractorSpec, "name" | "header">): Matcher {
  if (typeof spec.header !== "string" || spec.header === "") {
    throw new Error(`header extractor "${spec.name}": header must be a non-empty string`);
  }
  const lower = spec.header.toLowerCase();
  return {
    describe: `header ${spec.header}`,
    matches: (r) => {
      const v = findHeader(r.headers, lower);
      return v === undefined ? [] : [v];
    },
  };
}
