/**
 * `k6/data`: SharedArray. Its function runs once per worker (in the first VU that constructs
 * it); the result is copied out as JSON into one deeply frozen array that every VU of the worker
 * reads — never a copy per VU, so 1,000 VUs over a 5 MB array hold it once.
 */
import type { ModuleInstance } from "./instance.ts";

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export function dataModule(inst: ModuleInstance): Record<string, unknown> {
  const shared = inst.rt.sharedArrays;
  /** `new SharedArray(name, fn)`: constructing returns the shared frozen array itself */
  function SharedArray(name: unknown, fn: unknown): readonly unknown[] {
    const n = String(name);
    if (n === "") throw new TypeError("SharedArray needs a name");
    let data = shared.get(n);
    if (data === undefined) {
      if (typeof fn !== "function") throw new TypeError(`SharedArray \`${n}\`: the second argument must be a function returning an array`);
      const made = fn();
      if (!Array.isArray(made)) throw new TypeError(`SharedArray \`${n}\`: the function must return an array`);
      // out of the VU's realm into the worker's: no reference to the first VU's context stays behind
      data = deepFreeze(JSON.parse(JSON.stringify(made)) as unknown[]);
      shared.set(n, data);
    }
    return data;
  }
  const api = { SharedArray };
  return { ...api, default: api };
}
