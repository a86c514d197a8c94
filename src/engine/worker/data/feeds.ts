/** All data sources of a run, in one worker: loaded at startup, looked up by name. */
import type { Plan } from "../../../plan/schema.ts";
import type { FlowSharedState } from "../../flow-shared-state.ts";
import type { Part } from "../../segments.ts";
import { DataFeed } from "./feed.ts";
import { loadDataSource } from "./load.ts";

export class DataFeeds {
  private readonly feeds = new Map<string, DataFeed>();

  constructor(plan: Pick<Plan, "data">, baseDir: string, shared: FlowSharedState, part?: Part) {
    for (const [name, src] of Object.entries(plan.data ?? {}))
      this.feeds.set(name, new DataFeed(name, loadDataSource(name, src, baseDir), src, shared, part));
  }

  get(name: string): DataFeed | undefined {
    return this.feeds.get(name);
  }
}
