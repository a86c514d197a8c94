/**
 * The GraphQL handler (src/protocols/graphql/) over the HTTP handler, against the echo target's
 * /graphql (graphql-js): the envelope, the reference's rule for `errors`, metrics, and the HTTP
 * handler's per-VU state shared (cookies) — through dist/loadr.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { graphqlAnswer } from "../src/protocols/graphql/handler.ts";
import type { ProtocolResponse } from "../src/protocols/types.ts";
import { streamHandlers, utf8 } from "./support/stream-handlers.ts";
import { runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

let echo: EchoServer;
const h = streamHandlers();
beforeAll(async () => {
  echo = await startEcho({});
});
afterAll(async () => {
  await echo.stop();
});

const post = (query: string, variables?: unknown) => ({
  url: echo.graphqlUrl,
  method: "POST",
  headers: [["Content-Type", "application/json"]] as [string, string][],
  body: utf8(JSON.stringify({ query, variables })),
});

describe("the errors rule", () => {
  test("data: no extras; errors without data: failed as graphql_errors; errors beside data: counted, not failed", async () => {
    const ok = await h.call("graphql", post("{ echo(message: \"hi\") }"));
    expect(ok.error).toBeUndefined();
    expect(ok.extras).toBeUndefined();
    const invalid = await h.call("graphql", post("{ nope }"));
    expect(invalid).toMatchObject({ status: 200, error: "graphql: 1 error(s)", errorKind: "graphql_errors" });
    expect((invalid.extras as { graphql_errors: number }).graphql_errors).toBe(1);
    const partial = await h.call("graphql", post("{ echo(message: \"a\") fail(message: \"boom\") }"));
    expect(partial.error).toBeUndefined();
    expect(partial.extras).toMatchObject({ graphql_errors: 1, errors: [{ message: "boom" }] });
    expect(h.router.named("graphql")!.handler.failed(partial)).toBe(false);
  });

  test("only a 200 JSON answer is looked at; the response's own fields read through", () => {
    const res = (status: number, body: string): ProtocolResponse =>
      ({ status, statusText: "", headers: [], body: utf8(body), timings: {} as never, bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "u" }) as ProtocolResponse;
    expect(graphqlAnswer(res(500, '{"errors":[{}]}')).error).toBeUndefined();
    expect(graphqlAnswer(res(200, "not json, \"errors\"")).error).toBeUndefined();
    expect(graphqlAnswer(res(200, '{"data":null,"errors":[]}')).extras).toBeUndefined();
    const failed = graphqlAnswer(res(200, '{"errors":[{"message":"x"},{"message":"y"}]}'));
    expect(failed).toMatchObject({ error: "graphql: 2 error(s)", status: 200, protocolVersion: "HTTP/1.1" });
  });
});

test("GraphQL uses the HTTP handler's per-VU state (its pool and cookie jar): the router gives it HTTP's slot", () => {
  const gql = h.router.named("graphql")!;
  const http = h.router.named("http")!;
  expect(gql.slot).toBe(http.slot);
  expect(gql.handler.perVu).toBe(http.handler.perVu);
});

describe("through dist/loadr", () => {
  test("protocol: graphql builds the envelope (variables templated, typed), records http_* and graphql_*", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
defaults: { http: { base_url: "\${services.echo.url}" } }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
    flow:
      - request:
          name: search
          url: /graphql
          protocol: graphql
          graphql:
            query: 'query Search($term: String!, $first: Int!) { products(search: $term, first: $first) { edges { node { id name } } totalCount } }'
            variables: { term: "widget", first: "\${vu}" }
            operation_name: Search
          extract: [{ type: jsonpath, name: first_id, expression: "$.data.products.edges[0].node.id" }]
          checks: [{ type: jsonpath, name: one widget, expression: "$.data.products.totalCount", equals: 1 }]
      - request:
          name: detail
          url: /graphql
          protocol: graphql
          graphql: { query: "query One($id: ID!) { product(id: $id) { id name } }", variables: { id: "\${first_id}" } }
          checks: [{ type: jsonpath, expression: "$.data.product.name", equals: Widget }]
      - request:
          name: bad
          url: /graphql
          protocol: graphql
          graphql: { query: "{ nope }" }
thresholds:
  graphql_reqs: ["count==12"]
  graphql_req_duration: ["p(95)<5000"]
`);
    expect(r.code).toBe(0);
    expect(r.sum("checks")).toBe(8);
    expect(r.sum("http_reqs")).toBe(12);
    expect(r.sum("http_req_failed", { name: "bad", error_kind: "graphql_errors" })).toBe(4);
    expect(r.sum("http_req_failed", { name: "detail" })).toBe(0);
    expect(r.series("graphql_reqs", { name: "search", proto: "graphql", method: "POST" }).length).toBe(1);
  });

  test("a graphql: block on a request routed to HTTP is refused before any load, naming the handlers", async () => {
    const r = await runPlan(`
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "http://127.0.0.1:9/graphql", graphql: { query: "{ x }" } }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("`graphql:` options: the `http` handler this request goes to does not read them");
    expect(r.stderr).toContain("graphql");
  });
});
