/**
 * Syntax checks of the selector languages extractors and conditions use, for `loadr validate`:
 * each returns the library's message, or undefined when the expression compiles. The engine
 * compiles with the same libraries (src/extract/), so validate and run agree.
 */
import { compile as compileSelector } from "css-select";
import { compile as compileJmes } from "@jmespath-community/jmespath";

const xpath = require("xpath") as { parse(expression: string): unknown };

const reason = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

export const xpathError = (expr: string) => reason(() => xpath.parse(expr));
export const cssError = (selector: string) => reason(() => compileSelector(selector));
export const jmesPathError = (expr: string) => reason(() => compileJmes(expr));
