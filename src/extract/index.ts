export { compileExtractor } from "./compile.ts";
export { makeResponseView, findHeader, BufferedResponseView, type ResponseView } from "./response-view.ts";
export { compileRegex, RegexSyntaxError } from "./regex-syntax.ts";
export { compileJsonPath, JsonPathSyntaxError, type CompiledJsonPath } from "./jsonpath-query.ts";
export type {
  BoundaryExtractorSpec,
  CompiledExtractor,
  ExtractResult,
  ExtractorSpec,
  HeaderExtractorSpec,
  IndexMode,
  JsonPathExtractorSpec,
  RegexExtractorSpec,
} from "./specs.ts";
