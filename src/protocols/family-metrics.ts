/**
 * Metric samples of a non-HTTP protocol (reference §2.6, §5.3): family F = the sanitised
 * handler name; `F_reqs` +1, `F_req_duration`, counters `F_docs`/`F_rows`/`F_msgs` from numeric
 * extras, `http_req_failed` = error set, and data_sent/data_received.
 */
import type { Sink, TagSet } from "../metrics/sink.ts";
import type { ProtocolResponse } from "./types.ts";

interface FamilyNames { reqs: string; duration: string; docs: string; rows: string; msgs: string }
const names = new Map<string, FamilyNames>();

function familyNames(f: string): FamilyNames {
  let n = names.get(f);
  if (!n) names.set(f, (n = { reqs: `${f}_reqs`, duration: `${f}_req_duration`, docs: `${f}_docs`, rows: `${f}_rows`, msgs: `${f}_msgs` }));
  return n;
}

export function emitFamilySamples(sink: Sink, ts: TagSet, family: string, r: ProtocolResponse): void {
  const n = familyNames(family);
  sink.counter(n.reqs, ts, 1);
  sink.trend(n.duration, ts, r.timings.duration);
  const x = r.extras as Record<string, unknown> | null | undefined;
  if (x !== null && typeof x === "object") {
    if (typeof x.docs === "number") sink.counter(n.docs, ts, x.docs);
    if (typeof x.rows === "number") sink.counter(n.rows, ts, x.rows);
    if (typeof x.msgs === "number") sink.counter(n.msgs, ts, x.msgs);
  }
  sink.rate("http_req_failed", ts, r.error !== undefined);
  sink.counter("data_sent", ts, r.bytesSent);
  sink.counter("data_received", ts, r.bytesReceived);
}
