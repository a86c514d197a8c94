/**
 * Turns one HTTP exchange into metric samples (reference §2.6): http_reqs, the seven timing
 * trends, http_req_failed, data_sent/data_received — all under one interned tag set per
 * (group, name, status, error_kind), cached so the hot path builds no tag objects.
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { ProtocolResponse } from "../types.ts";

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
      this.cache.set(key, ts);
    }
    return ts;
  }
}

/** HTTP's failure rule (§2.5): a transport error, or status >= 400. */
export function httpFailed(r: ProtocolResponse): boolean {
  return r.error !== undefined || r.status >= 400;
}

export function emitHttpSamples(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
  const t = r.timings;
  sink.beginEvent();
  sink.counter("http_reqs", ts, 1);
  sink.trend("http_req_duration", ts, t.duration);
  sink.trend("http_req_blocked", ts, t.blocked);
  sink.trend("http_req_connecting", ts, t.connecting);
  sink.trend("http_req_tls_handshaking", ts, t.tls);
  sink.trend("http_req_sending", ts, t.sending);
  sink.trend("http_req_waiting", ts, t.waiting);
  sink.trend("http_req_receiving", ts, t.receiving);
  sink.rate("http_req_failed", ts, httpFailed(r));
  sink.counter("data_sent", ts, r.bytesSent);
  sink.counter("data_received", ts, r.bytesReceived);
  sink.endEvent();
}
