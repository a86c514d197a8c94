/**
 * `k6/metrics`: Counter, Gauge, Rate, Trend. A metric is declared by constructing it (in the
 * init code, as k6 wants); `loadr validate` and the run's metric check learn the names by running
 * the init code (src/run/js-module.ts), so thresholds on them are known. `add(value, tags)`
 * records with the VU's scenario tags, its group and the given tags.
 */
import { MetricRedefinitionError, type MetricKind } from "../../../../metrics/registry.ts";
import { moduleTags } from "./tags.ts";
import type { ModuleInstance } from "./instance.ts";

const NAME = /^[A-Za-z0-9_]{1,128}$/;

export function metricsModule(inst: ModuleInstance): Record<string, unknown> {
  const vu = inst.vu;
  const sink = vu.rt.run.sink;
  const declared = inst.rt.declared;

  const make = (kind: MetricKind) =>
    class Metric {
      readonly name: string;
      readonly isTime: boolean;
      constructor(name: unknown, isTime?: unknown) {
        const n = String(name);
        if (!NAME.test(n)) throw new TypeError(`metric name \`${n}\`: use 1 to 128 letters, digits and underscores`);
        const existing = sink.registry.get(n);
        if (existing !== undefined && existing.kind !== kind) throw new MetricRedefinitionError(n, existing.kind, kind);
        const before = declared.get(n);
        if (before !== undefined && before.kind !== kind) throw new MetricRedefinitionError(n, before.kind as MetricKind, kind);
        sink.registry.register(n, kind, isTime === true);
        declared.set(n, { kind, isTime: isTime === true });
        this.name = n;
        this.isTime = isTime === true;
      }

      add(value: unknown, tags?: unknown): void {
        const ts = moduleTags(vu, {}, "m", tags);
        if (kind === "rate") sink.rate(this.name, ts, typeof value === "number" ? value !== 0 : !!value);
        else {
          const v = typeof value === "boolean" ? (value ? 1 : 0) : Number(value);
          if (!Number.isFinite(v)) throw new TypeError(`${this.name}.add: value must be a number, got ${String(value)}`);
          if (kind === "counter") sink.counter(this.name, ts, v);
          else if (kind === "gauge") sink.gauge(this.name, ts, v);
          else sink.trend(this.name, ts, v);
        }
      }
    };

  const api = { Counter: make("counter"), Gauge: make("gauge"), Rate: make("rate"), Trend: make("trend") };
  return { ...api, default: api };
}
