/**
 * Calling the module's exported functions from the flow (exec, on_start, on_stop, `js.call`):
 * the VU's instance, the function's result or promise, and what a failure means. A failure never
 * escapes to the VU loop: it is logged (with the log's repeat budget) and counted in
 * `vu_exceptions` {exception, site}; an `exec` failure also adds an `http_req_failed` sample
 * tagged `scenario_fn` (reference §2.2). The runner's own signals pass through as outcomes:
 * `test.abort()` ends the run, a data source that ran out retires the VU, a cancelled VU drops
 * its iteration.
 */
import { Outcome } from "../../outcome.ts";
import type { Vu } from "../../vu.ts";
import { DataExhaustedError } from "../../data/feed.ts";
import { recordJsException, type JsSite } from "../eval.ts";
import { describeThrown } from "../errors.ts";
import { AbortTestSignal, isThenable, VuCancelled, type ModuleInstance, type Settler } from "./instance.ts";

/** The VU's module instance (made and evaluated on first use); throws when its init code failed. */
export function moduleOf(vu: Vu): ModuleInstance {
  const inst = vu.js().module();
  if (inst === undefined) throw new Error("internal: the plan has no `js:` module");
  return inst;
}

/** What a failed call means for the flow (recording it when it is the script's own failure). */
export function failedCall(vu: Vu, e: unknown, site: JsSite, fnName: string): Outcome {
  if (e instanceof DataExhaustedError) return Outcome.StopVu;
  if (e instanceof AbortTestSignal) return Outcome.AbortTest;
  if (e instanceof VuCancelled || vu.cancelled) return Outcome.Cancelled;
  recordJsException(vu, site, e, fnName);
  if (site === "exec") {
    const rt = vu.rt;
    const t: Record<string, string> = { ...rt.baseTags, scenario_fn: fnName };
    if (vu.group) t.group = vu.group;
    rt.run.sink.rate("http_req_failed", rt.run.sink.tags(t), true);
    rt.run.sink.noteError("exec_exception", `\`${fnName}\`: ${describeThrown(e)}`);
  }
  return Outcome.Continue;
}

/** How a place calls its export: with setup()'s data (on_start, on_stop, js.call), or exec's arguments. */
export type Invoke = (inst: ModuleInstance, f: (...args: unknown[]) => unknown) => unknown;

/** on_start, on_stop and js.call: `f(data)`, setup()'s data. */
export const withData: Invoke = (inst, f) => inst.call1(f, inst.setupData());

/**
 * The place `vu`s call export `name` from (exec, on_start, on_stop, a js.call step), made once:
 * a call is `run(vu)`, Continue unless a runner signal ends the iteration, with no closure made
 * per call (this object is the call's settler).
 */
export class ExportCall implements Settler<Outcome> {
  constructor(
    private readonly name: string,
    private readonly site: JsSite,
    private readonly invoke: Invoke,
  ) {}

  run(vu: Vu): Outcome | Promise<Outcome> {
    let r: unknown;
    let inst: ModuleInstance;
    try {
      inst = moduleOf(vu);
      const f = inst.fn(this.name);
      if (f === undefined) throw new TypeError(`\`${this.name}\` is not a function the module exports`);
      r = this.invoke(inst, f);
    } catch (e) {
      return failedCall(vu, e, this.site, this.name);
    }
    return isThenable(r) ? inst.settle(r, this) : Outcome.Continue;
  }

  done(inst: ModuleInstance): Outcome {
    return inst.vu.cancelled ? Outcome.Cancelled : Outcome.Continue;
  }

  failed(inst: ModuleInstance, e: unknown): Outcome {
    return failedCall(inst.vu, e, this.site, this.name);
  }
}
