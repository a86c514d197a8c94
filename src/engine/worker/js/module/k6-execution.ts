/** `k6/execution`: where the VU is (ids, iteration, scenario) and `test.abort()`. Live getters over the VU. */
import type { ModuleInstance } from "./instance.ts";
import { AbortTestSignal } from "./instance.ts";

export function executionModule(inst: ModuleInstance): Record<string, unknown> {
  const vu = inst.vu;
  const rt = vu.rt;
  const api = {
    vu: {
      get idInTest() {
        return vu.id;
      },
      get idInInstance() {
        return vu.id;
      },
      get iterationInInstance() {
        return Math.max(0, vu.iteration);
      },
      get iterationInScenario() {
        return Math.max(0, vu.iteration);
      },
      get tags() {
        return { ...rt.baseTags, ...(vu.group ? { group: vu.group } : {}) };
      },
    },
    scenario: {
      get name() {
        return rt.name;
      },
      get iterationInInstance() {
        return Math.max(0, vu.iteration);
      },
    },
    test: {
      /** stop the whole run (the summary says why; exit code 99) */
      abort(reason?: unknown): never {
        const why = reason === undefined ? "test aborted by the script" : String(reason);
        rt.run.abortTest(why);
        throw new AbortTestSignal(why);
      },
    },
    instance: {
      get vusActive() {
        return rt.vus.size;
      },
    },
  };
  return { ...api, default: api };
}
