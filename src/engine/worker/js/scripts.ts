/**
 * JavaScript sources compiled once per worker. A `vm.Script` is not bound to a context, so every
 * VU's context runs the same compiled script: a condition or `${js: ...}` is parsed once per
 * worker, not once per VU or per call.
 */
import type vm from "node:vm";
import { compileJsSource } from "../../../plan/js-syntax.ts";

const cache = new Map<string, vm.Script>();

/** A snippet compiled as the reference evaluates it (plan/js-syntax.ts), cached by source text. */
export function compileJs(code: string, filename = "js"): vm.Script {
  let s = cache.get(code);
  if (s === undefined) cache.set(code, (s = compileJsSource(code, filename)));
  return s;
}
