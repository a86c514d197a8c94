/** `k6`: check, sleep, group, fail (reference §9.3; k6's meanings). */
import { moduleTags } from "./tags.ts";
import type { TagSet } from "../../../../metrics/sink.ts";
import type { ModuleInstance } from "./instance.ts";

/** sleep() is capped as the reference caps it */
const MAX_SLEEP_S = 3600;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === "object" && typeof (v as { then?: unknown }).then === "function";

export function k6Module(inst: ModuleInstance): Record<string, unknown> {
  const vu = inst.vu;
  const sink = vu.rt.run.sink;
  /** this VU's check tag sets by group and name (no user tags): a check per iteration looks up one Map */
  const checkTags = new Map<string, TagSet>();
  const tagsOf = (name: string, tags: unknown): TagSet => {
    if (tags !== undefined && tags !== null) return moduleTags(vu, { check: name }, "c\0" + name, tags);
    const key = vu.group === "" ? name : vu.group + "\0" + name;
    let ts = checkTags.get(key);
    if (ts === undefined) checkTags.set(key, (ts = moduleTags(vu, { check: name }, "c\0" + name)));
    return ts;
  };

  /** one `checks` sample per key; a check that throws fails; true when all passed */
  const check = (value: unknown, sets: unknown, tags?: unknown): boolean => {
    let all = true;
    if (sets === null || typeof sets !== "object") return all;
    for (const name of Object.keys(sets)) {
      const c = (sets as Record<string, unknown>)[name];
      let pass: boolean;
      if (typeof c === "function") {
        try {
          pass = !!c(value);
        } catch (e) {
          if ((e as { crossesJs?: boolean })?.crossesJs) throw e;
          pass = false;
        }
      } else pass = !!c;
      sink.rate("checks", tagsOf(name, tags), pass);
      if (!pass) all = false;
    }
    return all;
  };

  const sleep = (seconds: unknown): Promise<void> => {
    inst.live();
    const s = Math.min(Math.max(Number(seconds) || 0, 0), MAX_SLEEP_S);
    // a sleep past the call's deadline wakes at the deadline and fails the call
    const now = performance.now();
    const left = inst.deadlineAt(now) - now;
    if (s * 1000 > left) return inst.wait(vu.sleep(left)).then(() => Promise.reject(inst.timeoutError()));
    return inst.wait(vu.sleep(s * 1000));
  };

  /** samples inside carry `group: ::outer::inner`; waits when the callback does */
  const group = (name: unknown, fn: unknown): unknown => {
    if (typeof fn !== "function") throw new TypeError("group(name, fn): fn must be a function");
    const outer = vu.group;
    vu.group = outer + "::" + String(name);
    let r: unknown;
    try {
      r = fn();
    } catch (e) {
      vu.group = outer;
      throw e;
    }
    if (!isThenable(r)) {
      vu.group = outer;
      return r;
    }
    return Promise.resolve(r).finally(() => (vu.group = outer));
  };

  const fail = (message?: unknown): never => {
    throw new Error(message === undefined ? "test failed" : String(message));
  };

  const api = { check, sleep, group, fail };
  return { ...api, default: api };
}
