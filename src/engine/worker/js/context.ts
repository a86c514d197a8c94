/**
 * The per-VU JavaScript context: Bun's own engine (JavaScriptCore) through `node:vm`, one context
 * per VU, made only when the VU first evaluates JS (so plans without JS never pay for it, ~0.2 ms
 * per context). Its global scope holds only the JS built-ins and what `globals` installs
 * (`session`, `__ENV`, `console` — reference §9.3); `process`, `Bun`, `require` and the file
 * system are not in scope. This guards against accidental use of the runner; it is NOT a security
 * sandbox: the installed host objects come from the runner's realm, and a determined script can
 * reach the runner through them. Run only plans you trust.
 *
 * Growth path: a later k6-style module API (`http`, `check`, metric classes, setup/teardown) is
 * another set of globals and a module loader run in this same context; nothing here assumes the
 * globals are fixed.
 */
import vm from "node:vm";
import { describeThrown, JsError } from "./errors.ts";

export class JsContext {
  private readonly ctx: vm.Context;
  private readonly runOpts: vm.RunningScriptOptions;

  constructor(
    globals: Record<string, unknown>,
    private readonly timeoutMs: number,
  ) {
    this.ctx = vm.createContext({ ...globals });
    // The per-call time limit: a loop that never ends is interrupted and reported as an error.
    this.runOpts = { timeout: Math.max(1, Math.round(timeoutMs)), breakOnSigint: false };
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

/** Truthiness of a JS result as the reference defines it (§2.9): null/undefined, false, 0, NaN and "" are false. */
export function truthy(v: unknown): boolean {
  return !!v;
}
