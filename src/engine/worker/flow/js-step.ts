/**
 * The `js` step (§1.7): inline code (`js: "..."` or `{script}`) run in the VU's JS context, or
 * `{call: fn}`, a function the `js:` module exports, called with setup()'s data (and awaited when
 * it waits). An exception or a timeout is logged and counted in `vu_exceptions` {site: js_step};
 * the iteration goes on.
 */
import { Outcome } from "../outcome.ts";
import type { JsStep } from "../../../plan/schema.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { compileJs } from "../js/scripts.ts";
import { recordJsException } from "../js/eval.ts";
import { ExportCall, withData } from "../js/module/calls.ts";
import type { CompiledStep } from "./step.ts";

export function compileJsStep(spec: JsStep, at: string): CompiledStep {
  const code = typeof spec === "string" ? spec : spec.script;
  if (code === undefined) {
    const name = (spec as { call: string }).call;
    return new ExportCall(name, "js_step", withData);
  }
  const script = compileJs(code, "js step");
  return {
    run(vu) {
      try {
        vu.js().run(script);
      } catch (e) {
        if (e instanceof DataExhaustedError) return Outcome.StopVu;
        recordJsException(vu, "js_step", e);
      }
      return Outcome.Continue;
    },
  };
}
