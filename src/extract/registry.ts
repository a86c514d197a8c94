/**
 * The extractor kinds of one worker thread: `type:` → how an `extract:` entry compiles. It starts
 * with the built-in kinds; a plugin role adds its kind through register() — the WASM extractor
 * adapter (src/plugins/host/wasm/register.ts) adds `plugin`. One registry per thread set-up
 * (src/run/worker-setup.ts), carried on the RunContext, because the kinds plugins add are bound
 * to that thread's plugin instances.
 */
import { BUILT_IN_EXTRACTORS, compileExtractor, type AnyExtractorSpec, type ExtractorKind } from "./compile.ts";
import type { CompiledExtractor } from "./specs.ts";

export class ExtractorRegistry {
  private readonly kinds = new Map(BUILT_IN_EXTRACTORS);

  /** Add a kind; a type that is already taken (a built-in or an earlier registration) is refused. */
  register(type: string, kind: ExtractorKind): void {
    if (this.kinds.has(type)) throw new Error(`extractor type \`${type}\` is already registered`);
    this.kinds.set(type, kind);
  }

  compile(spec: AnyExtractorSpec): CompiledExtractor {
    return compileExtractor(spec, this.kinds);
  }
}

export type { ExtractorKind };
