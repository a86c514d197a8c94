/**
 * A loaded `js:` module as the workers get it: plain data, made once on the main thread by the
 * loader (load.ts) and carried in the run's inputs. Each worker compiles the modules once and
 * instantiates them once per VU context (src/engine/worker/js/module/).
 */
import type { ExportInfo } from "./transform.ts";

export interface BundledModule {
  /** the module's path relative to the plan's directory (or `js.script`): error locations and stacks use it */
  readonly id: string;
  /** the factory's source (transform.ts) */
  readonly code: string;
  /** each relative import specifier → the id of the module it resolves to */
  readonly deps: Readonly<Record<string, string>>;
}

export interface JsBundle {
  /** every module, each after the modules it imports; the entry module last */
  readonly modules: readonly BundledModule[];
  /** the entry module's exports */
  readonly exports: Readonly<Record<string, ExportInfo>>;
  /** per-call limit, ms (`js.timeout`) */
  readonly timeoutMs: number;
  /** `js.memory_limit_mb` */
  readonly memoryLimitMb: number;
  /** the plan's directory: `open()` reads only below it */
  readonly root: string;
  /** setup()'s result as JSON, once it ran (the run session sets it) */
  setupData?: string;
}

/** The exports the runtime calls by their own name (besides those the plan names). */
export const LIFECYCLE_EXPORTS = ["setup", "teardown", "handleSummary", "beforeRequest", "afterRequest"] as const;
