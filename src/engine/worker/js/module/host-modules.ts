/**
 * The built-in modules a `js:` module imports (src/js/host-api.ts names them), made per VU
 * instance on first import, and the globals a module's VU context gets besides `session`,
 * `__ENV` and `console`: k6's functions under the names the reference installs (`http`,
 * `check`, `sleep`, `group`, `crypto`, `encoding`, the metric classes), `open`, `__VU`, `__ITER`.
 */
import type { ModuleInstance } from "./instance.ts";
import { k6Module } from "./k6-core.ts";
import { httpModule } from "./k6-http.ts";
import { metricsModule } from "./k6-metrics.ts";
import { CRYPTO_GLOBAL, CRYPTO_MODULE } from "./k6-crypto.ts";
import { ENCODING_GLOBAL, ENCODING_MODULE } from "./k6-encoding.ts";
import { dataModule } from "./k6-data.ts";
import { executionModule } from "./k6-execution.ts";
import { TICK } from "../../../../js/transform.ts";

export function hostModule(inst: ModuleInstance, spec: string): Record<string, unknown> {
  switch (spec) {
    case "k6":
      return k6Module(inst);
    case "k6/http":
      return httpModule(inst);
    case "k6/metrics":
      return metricsModule(inst);
    case "k6/crypto":
      return CRYPTO_MODULE;
    case "k6/encoding":
      return ENCODING_MODULE;
    case "k6/data":
      return dataModule(inst);
    case "k6/execution":
      return executionModule(inst);
  }
  // the loader refuses any other specifier before the run starts
  throw new Error(`internal: unknown module \`${spec}\``);
}

/** The module globals of a VU context; the lazily made ones are getters (defined by the instance's context set-up). */
export function moduleGlobals(inst: ModuleInstance): { values: Record<string, unknown>; lazy: Record<string, () => unknown> } {
  const mod = (spec: string) => inst.rt.hostModule(inst, spec);
  return {
    values: {
      [TICK]: inst.tick,
      crypto: CRYPTO_GLOBAL,
      encoding: ENCODING_GLOBAL,
      open: (path: unknown, mode?: unknown) => inst.rt.open(String(path), mode),
    },
    lazy: {
      http: () => mod("k6/http").default,
      check: () => mod("k6").check,
      sleep: () => mod("k6").sleep,
      group: () => mod("k6").group,
      Counter: () => mod("k6/metrics").Counter,
      Gauge: () => mod("k6/metrics").Gauge,
      Rate: () => mod("k6/metrics").Rate,
      Trend: () => mod("k6/metrics").Trend,
      __VU: () => inst.vu.id,
      __ITER: () => Math.max(0, inst.vu.iteration),
    },
  };
}
