/**
 * What a `${...}` name means for a VU (reference §1.11): `env.`/`vars.`/`secrets.`/`services.`
 * (run-wide), `vu`, `iteration`, `scenario`, `js:` expressions, `data.<source>.<column>` (this
 * iteration's row), else a flow variable, then a plan variable. undefined = unresolved.
 *
 * Each distinct expression is parsed once into an accessor, so rendering a template per request
 * reads fields instead of slicing the expression into head and rest every time (what the flow
 * bench's per-request lookups cost most).
 */
import { compileJs } from "./js/scripts.ts";
import { JsError } from "./js/errors.ts";
import { recordJsException } from "./js/eval.ts";
import type { Vu } from "./vu.ts";
import type { RunContext } from "./scenario-runtime.ts";

export type NameAccessor = (vu: Vu) => unknown;

/** `o[key]` when `o` has it as its own key: `${env.toString}` or `${constructor}` must be
 *  unresolved, not Object.prototype's function (which rendered as `null`). */
function own(o: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

const cache = new Map<string, NameAccessor>();
/** expressions come from the plan, so this bound is never reached in practice; it only caps memory */
const CACHE_MAX = 4096;

/** The accessor for one expression (already trimmed, as templates store it); cached by its text. */
export function nameAccessor(expr: string): NameAccessor {
  let a = cache.get(expr);
  if (a === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(expr, (a = compileName(expr)));
  }
  return a;
}

/**
 * The run-wide names — `env.`, `vars.`, `secrets.`, `services.<service>.<key>` — as an accessor
 * of the run's values, or null for any other expression. (Request routing renders URLs with
 * these alone, before any VU exists.)
 */
export function runWideAccessor(expr: string): ((run: RunContext) => unknown) | null {
  const dot = expr.indexOf(".");
  if (dot <= 0) return null;
  const rest = expr.slice(dot + 1);
  switch (expr.slice(0, dot)) {
    case "env":
      return (run) => own(run.env, rest);
    case "vars":
      return (run) => own(run.variables, rest);
    case "secrets":
      return (run) => own(run.secrets, rest);
    case "services": {
      const d = rest.indexOf(".");
      if (d < 0) return () => undefined;
      const service = rest.slice(0, d);
      const key = rest.slice(d + 1);
      return (run) => own(own(run.services, service) as Record<string, unknown> | undefined, key);
    }
  }
  return null;
}

function compileName(expr: string): NameAccessor {
  const runWide = runWideAccessor(expr);
  if (runWide !== null) return (vu) => runWide(vu.rt.run);
  switch (expr) {
    case "vu":
      return (vu) => vu.id;
    case "iteration":
      return (vu) => vu.iteration;
    case "scenario":
      return (vu) => vu.rt.name;
  }
  if (expr.startsWith("js:")) {
    const code = expr.slice(3).trim();
    return (vu) => {
      try {
        return vu.js().run(compileJs(code));
      } catch (e) {
        // the request is then not sent (error: prepare); the exception is counted like any other
        if (e instanceof JsError) recordJsException(vu, "template", e);
        throw e;
      }
    };
  }
  if (expr.startsWith("data.")) {
    const d = expr.indexOf(".", 5);
    if (d < 0) return () => undefined;
    const source = expr.slice(5, d);
    const column = expr.slice(d + 1);
    return (vu) => own(vu.dataRow(source), column);
  }
  return (vu) => {
    const v = vu.vars.get(expr);
    return v !== undefined ? v : own(vu.rt.run.variables, expr);
  };
}
