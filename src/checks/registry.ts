/**
 * The condition kinds of one worker thread: `type:` → how an `assert:`/`checks:` entry compiles.
 * It starts with the built-in kinds; a plugin role adds its kind through register() — the WASM
 * assertion adapter (src/plugins/host/wasm/register.ts) adds `plugin`. One registry per thread
 * set-up (src/run/worker-setup.ts), carried on the RunContext, because the kinds plugins add are
 * bound to that thread's plugin instances.
 */
import { BUILT_IN_CONDITIONS, compileCondition, type ConditionKind } from "./conditions.ts";
import type { CompiledCondition, ConditionSpec } from "./specs.ts";
import { KindRegistry } from "../util/kind-registry.ts";

export class ConditionRegistry extends KindRegistry<ConditionKind> {
  constructor() {
    super("condition type", BUILT_IN_CONDITIONS);
  }

  compile(spec: ConditionSpec): CompiledCondition {
    return compileCondition(spec, this.kinds);
  }
}

export type { ConditionKind };
