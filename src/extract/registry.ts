/**
 * The extractor kinds of one worker thread: `type:` → how an `extract:` entry compiles. It starts
 * with the built-in kinds; a plugin role adds its kind through register() — the WASM extractor
 * adapter (src/plugins/host/wasm/register.ts) adds `plugin`. One registry per thread set-up
 * (src/run/worker-setup.ts), carried on the RunContext, because the kinds plugins add are bound
 * to that thread's plugin instances.
 */
import { BUILT_IN_EXTRACTORS, compileExtractor, type AnyExtractorSpec, type ExtractorKind } from "./compile.ts";
import type { CompiledExtractor } from "./specs.ts";
import { KindRegistry } from "../util/kind-registry.ts";

export class ExtractorRegistry extends KindRegistry<ExtractorKind> {
  constructor() {
    super("extractor type", BUILT_IN_EXTRACTORS);
  }

  compile(spec: AnyExtractorSpec): CompiledExtractor {
    return compileExtractor(spec, this.kinds);
  }
}

export type { ExtractorKind };
