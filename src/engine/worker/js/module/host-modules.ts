/**
 * The built-in modules a `js:` module imports (src/js/host-api.ts names them), made per VU
 * instance on first import, and the globals a module's VU context gets besides `session`,
 * `__ENV` and `console`: k6's functions under the names the reference installs (host-api.ts's
 * GLOBAL_MODULE_OF, and `crypto`, `encoding`), `open`, `__VU`, `__ITER`.
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
import { GLOBAL_MODULE_OF, isHostModule, type HostModule } from "../../../../js/host-api.ts";

/** Each built-in module's maker: typed by host-api.ts's list, so a module named there is served here. */
const MAKERS: Readonly<Record<HostModule, (inst: ModuleInstance) => Record<string, unknown>>> = {
  k6: k6Module,
  "k6/http": httpModule,
  "k6/metrics": metricsModule,
  "k6/crypto": () => CRYPTO_MODULE,
  "k6/encoding": () => ENCODING_MODULE,
  "k6/data": dataModule,
  "k6/execution": executionModule,
};

export function hostModule(inst: ModuleInstance, spec: string): Record<string, unknown> {
  // the loader refuses any other specifier before the run starts
  if (!isHostModule(spec)) throw new Error(`internal: unknown module \`${spec}\``);
  return MAKERS[spec](inst);
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
      ...Object.fromEntries(Object.entries(GLOBAL_MODULE_OF).map(([g, { module, name }]) => [g, () => mod(module)[name ?? "default"]])),
      __VU: () => inst.vu.id,
      __ITER: () => Math.max(0, inst.vu.iteration),
    },
  };
}
