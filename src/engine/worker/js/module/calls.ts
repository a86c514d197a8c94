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
import { AbortTestSignal, isThenable, VuCancelled, type ModuleInstance } from "./instance.ts";

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

/** The arguments of on_start, on_stop and js.call: setup()'s data. */
export const dataArg = (inst: ModuleInstance): unknown[] => [inst.setupData()];

/** Call `name` with `args(inst)`; Continue unless a runner signal ends the iteration. */
export function callExport(vu: Vu, name: string, site: JsSite, args: (inst: ModuleInstance) => unknown[]): Outcome | Promise<Outcome> {
  let r: unknown;
  let inst: ModuleInstance;
  try {
    inst = moduleOf(vu);
    const f = inst.fn(name);
    if (f === undefined) throw new TypeError(`\`${name}\` is not a function the module exports`);
    r = inst.call(f, args(inst));
  } catch (e) {
    return failedCall(vu, e, site, name);
  }
  if (!isThenable(r)) return Outcome.Continue;
  return inst.settle(
    r,
    () => (vu.cancelled ? Outcome.Cancelled : Outcome.Continue),
    (e) => failedCall(vu, e, site, name),
  );
}
