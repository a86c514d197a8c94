/**
 * JS evaluation as flow steps use it: a failure never escapes to the VU loop. It is logged (with
 * the log's repeat budget), counted in `vu_exceptions` {exception, site}, and the caller decides
 * what a failure means (a false condition, a skipped js step).
 */
import type vm from "node:vm";
import type { Vu } from "../vu.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { truthy } from "./context.ts";
import { describeThrown, normaliseException } from "./errors.ts";

/** Where a JS failure happened: the `site` tag of `vu_exceptions`. */
export type JsSite = "js_step" | "condition" | "check" | "template" | "exec" | "on_start" | "on_stop" | "hook";

/** `fn`: the module function that failed, named in the log line */
export function recordJsException(vu: Vu, site: JsSite, e: unknown, fn?: string): void {
  const msg = describeThrown(e);
  const rt = vu.rt;
  rt.run.log.warn(`scenario \`${rt.name}\`: JS ${site.replace("_", " ")}${fn ? ` \`${fn}\`` : ""} failed: ${msg}`);
  rt.run.sink.counter("vu_exceptions", rt.run.sink.tags({ ...rt.baseTags, exception: normaliseException(msg), site }), 1);
}

/**
 * A JS condition (`if`, `while`, `retry.until`): an error counts as false. `undefined` means the
 * condition read past the end of an `on_eof: stop` data source (`session.data()`): the VU retires.
 */
export function evalCondition(vu: Vu, script: vm.Script): boolean | undefined {
  try {
    return truthy(vu.js().run(script));
  } catch (e) {
    if (e instanceof DataExhaustedError) return undefined;
    recordJsException(vu, "condition", e);
    return false;
  }
}
