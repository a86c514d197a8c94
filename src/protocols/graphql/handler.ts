/**
 * GraphQL over HTTP (`protocol: graphql`) as a protocol handler: the request builder makes the
 * body the `{query, variables, operationName}` envelope (POST, `Content-Type: application/json`);
 * the HTTP handler sends it — its pool, cookie jar and version, through the handler interface
 * (this handler shares the HTTP handler's per-VU state: builtins.ts gives it HTTP's slot). Then
 * the reference's rule for a 200 answer: a non-empty `errors` array is counted in
 * `extras.graphql_errors` (the errors themselves in `extras.errors`), and fails the request only
 * when the answer has no `data` (`error_kind: graphql_errors`).
 *
 * Metrics: HTTP's (a GraphQL request counts in `http_reqs` too, as in the reference) and
 * `graphql_reqs`, `graphql_req_duration`. The failure rule is HTTP's.
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { HandlerInfo, ProtocolHandler } from "../handler.ts";
import { emitHttpSamples, HTTP_METRICS, httpFailed } from "../http/metrics.ts";
import { lossyText } from "../lossy-text.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";

export const GRAPHQL_INFO: HandlerInfo = { name: "graphql", optionBlocks: ["graphql"] };
export const GRAPHQL_METRICS: readonly string[] = [...HTTP_METRICS, "graphql_reqs", "graphql_req_duration"];

export class GraphqlHandler<S> implements ProtocolHandler<S> {
  readonly name = GRAPHQL_INFO.name;
  readonly optionBlocks = GRAPHQL_INFO.optionBlocks;
  readonly metrics = GRAPHQL_METRICS;
  readonly failed = httpFailed;
  readonly perVu: ProtocolHandler<S>["perVu"];

  constructor(private readonly http: ProtocolHandler<S>) {
    this.perVu = http.perVu;
  }

  async call(req: ProtocolRequest, state: S): Promise<ProtocolResponse> {
    return graphqlAnswer(await this.http.call(req, state));
  }

  emit(sink: Sink, ts: TagSet, r: ProtocolResponse): void {
    emitHttpSamples(sink, ts, r);
    sink.beginEvent();
    sink.counter("graphql_reqs", ts, 1);
    sink.trend("graphql_req_duration", ts, r.timings.duration);
    sink.endEvent();
  }
}

/** The reference's post-processing of a 200 answer's `errors` (the response's own fields read through). */
export function graphqlAnswer(res: ProtocolResponse): ProtocolResponse {
  if (res.status !== 200 || res.error !== undefined) return res;
  const text = res.bodyText?.() ?? lossyText(res.body);
  if (!text.includes('"errors"')) return res;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return res;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return res;
  const errors = (doc as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return res;
  const props: PropertyDescriptorMap = { extras: { value: { graphql_errors: errors.length, errors }, enumerable: true } };
  if (!("data" in doc)) {
    props.error = { value: `graphql: ${errors.length} error(s)`, enumerable: true };
    props.errorKind = { value: "graphql_errors", enumerable: true };
  }
  return Object.create(res, props) as ProtocolResponse;
}
