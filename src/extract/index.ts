export { compileExtractor, type ExtractorKind } from "./compile.ts";
export { ExtractorRegistry } from "./registry.ts";
export { pluginExtractor, type ExtractorPlugin } from "./plugin.ts";
export { makeResponseView, findHeader, BufferedResponseView, type ResponseView } from "./response-view.ts";
export { compileRegex, RegexSyntaxError } from "../plan/regex.ts";
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
export { compileChain } from "./chain.ts";
export { compileXPath, XPathSyntaxError } from "./xpath.ts";
export { compileCss, CssSyntaxError } from "./css.ts";
export { compileJmesPath, JmesPathSyntaxError } from "./jmespath.ts";
export type { ChainExtractorSpec, CssExtractorSpec, XPathExtractorSpec } from "./specs.ts";
