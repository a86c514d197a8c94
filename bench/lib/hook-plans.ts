/**
 * The plans of the WASM hook bench (lib/wasm-hooks-bench.ts) and of bench/flow-driver.ts's
 * `hook-noop` / `hook-hmac` modes: the plain GET plan, and the same with a hook on every request —
 * the test fixture's no-op on-request hook (test/fixtures/wasm/hooks.wasm, `request: noop`) or
 * the HMAC signing example (plugins/examples/wasm-hmac-hook, as `bun run build` put it in
 * dist/plugins).
 */
import { join } from "node:path";
import { httpPlan } from "./plans.ts";

export const HOOKS = ["none", "noop", "hmac"] as const;
export type HookSide = (typeof HOOKS)[number];

export function hookPlan(root: string, url: string, vus: number, seconds: number, hook: HookSide): string {
  const plain = httpPlan(url, vus, seconds);
  if (hook === "none") return plain;
  const entry =
    hook === "noop"
      ? `{ name: noop, path: ${JSON.stringify(join(root, "test/fixtures/wasm/hooks.wasm"))}, phase: on-request, config: { request: noop } }`
      : `{ name: hmac, path: ${JSON.stringify(join(root, "dist/plugins/hmac-sign/loadr_wasm_hmac_hook.wasm"))}, config: { secret: bench-secret } }`;
  return plain.replace("scenarios:", `plugins:\n  - ${entry}\nscenarios:`);
}
