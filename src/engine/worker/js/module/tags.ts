/**
 * Tag sets of the samples a module records (checks, custom metrics, JS requests): the VU's
 * scenario tags, its group, and the names given — interned once per distinct combination per
 * worker, so a `check` per iteration builds no tag object after the first.
 */
import type { TagSet } from "../../../../metrics/sink.ts";
import type { Vu } from "../../vu.ts";

const cache = new WeakMap<object, Map<string, TagSet>>();

/** base + group + `extra` (+ the script's own `tags` object, if any) */
export function moduleTags(vu: Vu, extra: Record<string, string>, key: string, user?: unknown): TagSet {
  const rt = vu.rt;
  const hasUser = user !== null && typeof user === "object" && Object.keys(user).length > 0;
  const k = vu.group + "\0" + key + (hasUser ? "\0" + JSON.stringify(user) : "");
  let byKey = cache.get(rt);
  if (byKey === undefined) cache.set(rt, (byKey = new Map()));
  let ts = byKey.get(k);
  if (ts === undefined) {
    const t: Record<string, string> = { ...rt.baseTags };
    if (vu.group) t.group = vu.group;
    if (hasUser) for (const [n, v] of Object.entries(user as object)) t[n] = String(v);
    Object.assign(t, extra);
    ts = rt.run.sink.tags(t);
    byKey.set(k, ts);
  }
  return ts;
}
