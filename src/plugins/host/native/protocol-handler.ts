/**
 * A native protocol plugin as a protocol handler (src/protocols/handler.ts): what both ways of
 * running one — in process (protocol.ts) and in a child process (isolation.ts) — share. The
 * plugin metric family (`<family>_reqs`, `_req_duration`, ...; src/protocols/family-metrics.ts),
 * and the failure rule of reference §2.5: a plugin response fails only through its `error` (its
 * `status` is the plugin's own convention). Stateless per VU: a plugin keeps its own connections.
 */
import type { Sink, TagSet } from "../../../metrics/sink.ts";
import { PLUGIN_OPTION_BLOCKS } from "../../../protocols/builtins.ts";
import { FamilyMetrics, metricFamily } from "../../../protocols/family-metrics.ts";
import type { ProtocolHandler } from "../../../protocols/handler.ts";
import type { ProtocolRequest, ProtocolResponse } from "../../../protocols/types.ts";

const failed = (r: ProtocolResponse) => r.error !== undefined;

export abstract class NativeProtocolHandler implements ProtocolHandler<undefined> {
  readonly optionBlocks = PLUGIN_OPTION_BLOCKS;
  readonly metrics: readonly string[];
  readonly failed = failed;
  private readonly family: FamilyMetrics;

  /** `name`: the plugin's info name (the `proto` tag; its sanitised form names the metric family) */
  constructor(readonly name: string) {
    this.family = new FamilyMetrics(metricFamily(name), failed);
    this.metrics = this.family.names;
  }

  abstract call(req: ProtocolRequest): ProtocolResponse | Promise<ProtocolResponse>;

  emit(sink: Sink, ts: TagSet, res: ProtocolResponse): void {
    this.family.emit(sink, ts, res);
  }
}
