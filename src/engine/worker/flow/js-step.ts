/**
 * The `js` step (§1.7): inline code (`js: "..."` or `{script}`) run in the VU's JS context. An
 * exception or a timeout is logged and counted in `vu_exceptions` {site: js_step}; the iteration
 * goes on. `{call}` (a function exported by the `js:` module) belongs to the module API, a later
 * issue: `loadr run` names it before any load starts.
 */
import { Outcome } from "../outcome.ts";
import type { JsStep } from "../../../plan/schema.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { compileJs } from "../js/scripts.ts";
import { recordJsException } from "../js/eval.ts";
import type { CompiledStep } from "./step.ts";
import { UnsupportedStepError } from "./unsupported.ts";

export function compileJsStep(spec: JsStep, at: string): CompiledStep {
  const code = typeof spec === "string" ? spec : spec.script;
  if (code === undefined)
    throw new UnsupportedStepError(
      `${at}: \`js.call\` calls a function of the \`js:\` module, which this build of loadr cannot run yet; use an inline \`script\``,
    );
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
