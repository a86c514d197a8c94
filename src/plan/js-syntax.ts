/**
 * How a plan's JavaScript snippets are compiled (conditions, `js` steps, `${js: ...}`, `type: js`
 * checks), shared by `loadr validate` and the engine so both accept exactly the same code: as an
 * expression `(<code>)` first, and when that is not valid syntax, as statements (the result is
 * the completion value of the last expression statement), as the reference does (§2.9).
 * Statements run inside a block, so `const`/`let` are fresh on every call (at a script's top level
 * they would live on in the context and the second call would fail as a redeclaration); `var` and
 * function declarations still become globals of the VU's context.
 */
import vm from "node:vm";

export function compileJsSource(code: string, filename = "js"): vm.Script {
  try {
    return new vm.Script(`(${code}\n)`, { filename });
  } catch (e) {
    if ((e as Error)?.name !== "SyntaxError") throw e;
    return new vm.Script(`{\n${code}\n}`, { filename });
  }
}

/** The syntax error of a snippet, or undefined when it compiles. */
export function jsSyntaxError(code: string): string | undefined {
  try {
    compileJsSource(code);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
