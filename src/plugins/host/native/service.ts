/**
 * A descriptor service plugin: `start(config)` returns its result JSON (at least {url} for a
 * network service), exposed to templates as ${services.<name>.<key>}; `stop()` runs after the
 * run, on abort, Ctrl-C and SIGTERM too (the reference never called start). It enters the run's
 * service registry (src/services/registry.ts) through src/plugins/host/plan-plugins.ts.
 */
import { FFIType, type Pointer } from "bun:ffi";
import type { StartedService } from "../../../services/registry.ts";
import { fn, takeOut, type Descriptor } from "./descriptor.ts";

export function startNativeService(name: string, d: Descriptor, config: unknown): StartedService {
  const P = FFIType.ptr, U = FFIType.u64;
  const start = fn(d.fns.start!, ["buffer", U, P, P, P], FFIType.i32);
  const stop = fn(d.fns.stop!, [P], FFIType.void);
  const free = fn(d.fns.free_buf!, [P, U], FFIType.void);
  const cfg = new TextEncoder().encode(JSON.stringify(config ?? {}));
  const h = new BigUint64Array(1), out = new BigUint64Array(1), len = new BigUint64Array(1);
  const rc = start(cfg, cfg.length, h, out, len) as number;
  const text = takeOut(free, out, len);
  if (rc !== 0) throw new Error(`service \`${name}\` failed to start: ${text || `start returned ${rc}`}`);
  let info: unknown;
  try {
    info = text === "" ? {} : JSON.parse(text);
  } catch (e) {
    stop(Number(h[0]) as unknown as Pointer);
    throw new Error(`service \`${name}\` returned invalid start JSON: ${(e as Error).message}`);
  }
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    stop(Number(h[0]) as unknown as Pointer);
    throw new Error(`service \`${name}\` start result must be a JSON object, got ${text}`);
  }
  let handle: Pointer | null = Number(h[0]) as unknown as Pointer;
  return {
    info: info as Record<string, unknown>,
    async stop() {
      if (handle === null) return;
      const x = handle;
      handle = null;
      stop(x);
    },
  };
}
