/**
 * The tag sets of one request step's samples (reference §2.6): base tags + `name`, `method`,
 * `status`, `proto` (the handler's name), `group` and `error_kind` — interned once per distinct
 * (group, name, status, error_kind) and remembered, so the hot path builds no tag objects.
 */
import type { Sink, TagSet } from "../metrics/sink.ts";

export class RequestTagCache {
  private readonly cache = new Map<string, TagSet>();
  constructor(
    private readonly sink: Sink,
    private readonly base: Record<string, string>,
    private readonly method: string,
    private readonly proto: string,
  ) {}

  // The last answer: consecutive requests of a step almost always share group, name and status.
  private last: { group: string; name: string; status: number; errorKind: string | undefined; ts: TagSet } | undefined;

  get(group: string, name: string, status: number, errorKind: string | undefined): TagSet {
    const l = this.last;
    if (l !== undefined && l.status === status && l.name === name && l.group === group && l.errorKind === errorKind) return l.ts;
    const ts = this.lookup(group, name, status, errorKind);
    this.last = { group, name, status, errorKind, ts };
    return ts;
  }

  private lookup(group: string, name: string, status: number, errorKind: string | undefined): TagSet {
    return this.cached(group + "\0" + name + "\0" + status + "\0" + (errorKind ?? ""), () => {
      const tags: Record<string, string> = { ...this.base, name, method: this.method, status: String(status), proto: this.proto };
      if (group) tags.group = group;
      if (errorKind) tags.error_kind = errorKind;
      return tags;
    });
  }

  /** tags for a `checks` sample of this request: base + group + the request's name + check name */
  check(group: string, request: string, name: string): TagSet {
    return this.cached("c\0" + group + "\0" + request + "\0" + name, () => {
      const tags: Record<string, string> = { ...this.base, name: request, check: name };
      if (group) tags.group = group;
      return tags;
    });
  }

  /** tags for the extra samples of a request (failed extraction/assertion, prepare errors): base + group + name (+ error) */
  extra(group: string, name: string, error?: string): TagSet {
    return this.cached("x\0" + group + "\0" + name + "\0" + (error ?? ""), () => {
      const tags: Record<string, string> = { ...this.base, name };
      if (group) tags.group = group;
      if (error) tags.error = error;
      return tags;
    });
  }

  private cached(key: string, make: () => Record<string, string>): TagSet {
    let ts = this.cache.get(key);
    if (ts === undefined) {
      ts = this.sink.tags(make());
      // past a metric's series bound a new name is the overflow set: one entry per name would grow without end
      if (!ts.overflow) this.cache.set(key, ts);
    }
    return ts;
  }
}
