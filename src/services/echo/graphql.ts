/**
 * The echo target's GraphQL endpoint, `/graphql`: a real GraphQL server (graphql-js) over a small
 * product catalogue, so queries are parsed, validated and executed as a real one would — a
 * malformed query answers `errors` and no `data`; a field whose resolver fails answers `data`
 * with that field null and `errors` (the two cases the GraphQL handler tells apart).
 *
 * POST with a JSON `{query, variables, operationName}`, or GET with them as query parameters;
 * the answer is 200 `application/json` (400 for a body that is not such JSON). graphql-js loads on
 * the first request, so a run that never asks for it does not pay for it.
 */
import type { GraphQLSchema } from "graphql";

const SDL = `
type Query {
  "products whose name contains \`search\` (any case), at most \`first\`"
  products(search: String, first: Int): ProductConnection!
  product(id: ID!): Product
  "the message back"
  echo(message: String!): String!
  "always fails: the answer has data (this field null) and errors"
  fail(message: String): String
}
type Mutation {
  addToCart(sku: String!, qty: Int): Cart!
}
type ProductConnection {
  edges: [ProductEdge!]!
  totalCount: Int!
}
type ProductEdge {
  node: Product!
}
type Product {
  id: ID!
  sku: String!
  name: String!
  price: Float!
  description: String!
}
type Cart {
  id: ID!
  sku: String!
  qty: Int!
}
`;

interface Product {
  id: string;
  sku: string;
  name: string;
  price: number;
  description: string;
}

// the reference's examples/data/skus.json items
const PRODUCTS: Product[] = [
  ["W-1", "Widget", 9.5],
  ["G-2", "Gadget", 19],
  ["D-3", "Doohickey", 4.25],
  ["T-4", "Thingamajig", 42],
  ["S-5", "Sprocket", 7],
].map(([sku, name, price], i) => ({ id: String(i + 1), sku: sku as string, name: name as string, price: price as number, description: `A ${String(name).toLowerCase()}.` }));

const ROOT = {
  products: ({ search, first }: { search?: string | null; first?: number | null }) => {
    const term = (search ?? "").toLowerCase();
    const all = PRODUCTS.filter((p) => p.name.toLowerCase().includes(term));
    return { edges: all.slice(0, first ?? all.length).map((node) => ({ node })), totalCount: all.length };
  },
  product: ({ id }: { id: string }) => PRODUCTS.find((p) => p.id === id || p.sku === id) ?? null,
  echo: ({ message }: { message: string }) => message,
  fail: ({ message }: { message?: string | null }) => {
    throw new Error(message ?? "this field always fails");
  },
  addToCart: ({ sku, qty }: { sku: string; qty?: number | null }) => ({ id: "cart-1", sku, qty: qty ?? 1 }),
};

let loaded: Promise<{ schema: GraphQLSchema; run: typeof import("graphql").graphql }> | undefined;

function engine() {
  return (loaded ??= import("graphql").then((g) => ({ schema: g.buildSchema(SDL), run: g.graphql })));
}

const JSON_HEADERS = { "content-type": "application/json" };

function bad(message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message }] }), { status: 400, headers: JSON_HEADERS });
}

export async function graphqlRoute(req: Request): Promise<Response> {
  let params: { query?: unknown; variables?: unknown; operationName?: unknown };
  if (req.method === "GET") {
    const u = new URL(req.url).searchParams;
    let variables: unknown;
    try {
      variables = u.has("variables") ? JSON.parse(u.get("variables")!) : undefined;
    } catch {
      return bad("`variables` is not JSON");
    }
    params = { query: u.get("query") ?? undefined, variables, operationName: u.get("operationName") ?? undefined };
  } else {
    try {
      params = (await req.json()) as typeof params;
    } catch {
      return bad("the body is not JSON");
    }
    if (params === null || typeof params !== "object") return bad("the body is not a JSON object");
  }
  if (typeof params.query !== "string") return bad("`query` must be a string");
  const { schema, run } = await engine();
  const result = await run({
    schema,
    source: params.query,
    rootValue: ROOT,
    variableValues: (params.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof params.operationName === "string" ? params.operationName : undefined,
  });
  return new Response(JSON.stringify(result), { headers: JSON_HEADERS });
}
