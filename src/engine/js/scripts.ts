/**
 * JavaScript sources compiled once per worker. A `vm.Script` is not bound to a context, so every
 * VU's context runs the same compiled script: a condition or `${js: ...}` is parsed once per
 * worker, not once per VU or per call.
 */
import vm from "node:vm";

const cache = new Map<string, vm.Script>();

/**
 * An expression as the reference evaluates it (§2.9): `(<code>)` first, and when that is not
 * valid syntax, the code as statements (the value of the last expression statement is the result,
 * which is what a script's completion value is).
 */
export function compileJs(code: string, filename = "js"): vm.Script {
  let s = cache.get(code);
  if (s !== undefined) return s;
  try {
    s = new vm.Script(`(${code}\n)`, { filename });
  } catch (e) {
    if (!(e instanceof SyntaxError) && (e as Error)?.name !== "SyntaxError") throw e;
    // Statement form; a SyntaxError here is the user's and is reported as it is.
    s = new vm.Script(code, { filename });
  }
  cache.set(code, s);
  return s;
}

/** The syntax error of a JS expression/statement list, or undefined when it compiles (used by `loadr validate`). */
export function jsSyntaxError(code: string): string | undefined {
  try {
    compileJs(code);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
