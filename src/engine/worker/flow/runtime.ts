/**
 * What flows need at run time beyond one scenario, per worker: cross-worker slots, the data
 * feeds and the JS settings.
 */
import type { DataFeeds } from "../data/feeds.ts";
import type { FlowSharedState } from "../../flow-shared-state.ts";
import type { Part } from "../../segments.ts";
import type { ModuleRuntime } from "../js/module/runtime.ts";

export interface FlowRuntime {
  shared: FlowSharedState;
  data: DataFeeds;
  /** per-call limit of every JS evaluation (`js.timeout`, default 10 s) */
  jsTimeoutMs: number;
  /** `__ENV` in JS: the environment captured at start, read-only */
  env: Readonly<Record<string, string | undefined>>;
  /** this process's part of a scale-out test (segments.ts): a rendezvous waits for its share of `users` */
  part?: Part;
  /** the plan's `js:` module in this worker, when it has one (src/engine/worker/js/module/) */
  module?: ModuleRuntime;
}
