/**
 * The per-VU JavaScript context: Bun's own engine (JavaScriptCore) through `node:vm`, one context
 * per VU, made only when the VU first evaluates JS (so plans without JS never pay for it, ~0.2 ms
 * per context). Its global scope holds only the JS built-ins and what `globals` installs
 * (`session`, `__ENV`, `console` — reference §9.3); `process`, `Bun`, `require` and the file
 * system are not in scope. This guards against accidental use of the runner; it is NOT a security
 * sandbox: the installed host objects come from the runner's realm, and a determined script can
 * reach the runner through them. Run only plans you trust.
 *
 * With a `js:` module (src/engine/worker/js/module/), the same context also holds the module's
 * globals (k6's functions, `__VU`, `__ITER`) and the VU's instance of the module, so inline
 * snippets and the module share one context.
 */
import vm from "node:vm";
import { describeThrown, JsError } from "./errors.ts";
import type { Vu } from "../vu.ts";
import { vuGlobals } from "./session.ts";
import { ModuleInstance } from "./module/instance.ts";
import { moduleGlobals } from "./module/host-modules.ts";

/** Defines getters on a context's global object (the module globals made on first use). */
const DEFINE_LAZY = new vm.Script(
  "(function (defs) { for (const k of Object.keys(defs)) Object.defineProperty(globalThis, k, { get: defs[k], configurable: true }); })",
);

export class JsContext {
  private readonly ctx: vm.Context;
  private readonly runOpts: vm.RunningScriptOptions;
  /** the VU's instance of the `js:` module, when the plan has one; evaluated on first use */
  private instance: ModuleInstance | undefined;
  private evaluated: { error: unknown } | undefined;

  constructor(
    globals: Record<string, unknown>,
    private readonly timeoutMs: number,
    instance?: ModuleInstance,
  ) {
    if (instance === undefined) this.ctx = vm.createContext({ ...globals });
    else {
      const g = moduleGlobals(instance);
      this.ctx = vm.createContext({ ...globals, ...g.values });
      (DEFINE_LAZY.runInContext(this.ctx) as (defs: Record<string, () => unknown>) => void)(g.lazy);
      this.instance = instance;
    }
    // The per-call time limit: a loop that never ends is interrupted and reported as an error.
    this.runOpts = { timeout: Math.max(1, Math.round(timeoutMs)), breakOnSigint: false };
  }

  /**
   * The VU's instance of the `js:` module: its init code runs here on first use, once. An
   * exception in it is thrown now and on every later use (each call it fails is counted).
   */
  module(): ModuleInstance | undefined {
    const inst = this.instance;
    if (inst === undefined) return undefined;
    if (this.evaluated === undefined) {
      try {
        inst.rt.memory.added();
        inst.evaluate(this.ctx);
        this.evaluated = { error: undefined };
      } catch (e) {
        this.evaluated = { error: e instanceof Error && (e as { crossesJs?: boolean }).crossesJs ? e : new JsError(`the module's init code failed: ${describeThrown(e)}`) };
      }
    }
    if (this.evaluated.error !== undefined) throw this.evaluated.error;
    return inst;
  }

  /**
   * Run a compiled script; `response` (conditions) is in scope as a global for this call only.
   * Throws JsError with a one-line message on an exception or a timeout.
   */
  run(script: vm.Script, response?: unknown): unknown {
    const c = this.ctx as Record<string, unknown>;
    if (response !== undefined) c.response = response;
    try {
      return script.runInContext(this.ctx, this.runOpts);
    } catch (e) {
      // the runner's own control-flow errors (e.g. a data source ran out inside session.data())
      if (e instanceof Error && (e as { crossesJs?: boolean }).crossesJs === true) throw e;
      const msg = describeThrown(e);
      if (/Script execution timed out/.test(msg)) throw new JsError(`script timed out (limit ${this.timeoutMs}ms)`);
      throw new JsError(msg);
    } finally {
      if (response !== undefined) c.response = undefined;
    }
  }
}

/** A VU's JS context: with the plan's `js:` module when it has one (the worker's ModuleRuntime). */
export function newJsContext(vu: Vu): JsContext {
  const flow = vu.rt.run.flow;
  const runtime = flow.module;
  return new JsContext(vuGlobals(vu), flow.jsTimeoutMs, runtime === undefined ? undefined : new ModuleInstance(vu, runtime));
}

/** Truthiness of a JS result as the reference defines it (§2.9): null/undefined, false, 0, NaN and "" are false. */
export function truthy(v: unknown): boolean {
  return !!v;
}
