/** The `request` step (§1.8, strict) with its body variants and per-protocol option blocks. */
import { z } from "zod";
import { ByteSize, checkTemplate, Count, Dur, StrMap, strict, stringLeaves } from "./common.ts";
import { Condition, Extractor } from "./checks.ts";

const MultipartPart = strict({
  name: z.string(),
  value: z.string().optional(),
  file: z.string().optional(),
  content_type: z.string().optional(),
  filename: z.string().optional(),
}).superRefine((p, ctx) => {
  if ((p.value === undefined) === (p.file === undefined))
    ctx.addIssue({ code: "custom", message: "a multipart part needs exactly one of `value` or `file`" });
  if (p.value !== undefined) checkTemplate(ctx, p.value, ["value"]);
});

const BodySpec = strict({
  json: z.unknown().optional(),
  file: z.string().optional(),
  form: StrMap.optional(),
  multipart: z.array(MultipartPart).optional(),
}).superRefine((b, ctx) => {
  const set = (["json", "file", "form", "multipart"] as const).filter((k) => b[k] !== undefined);
  if (set.length !== 1)
    ctx.addIssue({
      code: "custom",
      message:
        set.length === 0
          ? "body needs exactly one of `json`, `file`, `form`, `multipart`"
          : `body has ${set.map((k) => `\`${k}\``).join(" and ")}; set exactly one of \`json\`, \`file\`, \`form\`, \`multipart\``,
    });
  for (const [s, p] of stringLeaves(b.json, ["json"])) checkTemplate(ctx, s, p);
  for (const [k, v] of Object.entries(b.form ?? {})) checkTemplate(ctx, v, ["form", k]);
});

/** A string body is a raw templated body; an object picks one structured variant. */
export const Body = z.union([z.string(), BodySpec]);

const BASE64 = /^\s*(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\s*$/;

// A frame: text (templated), or `{text?, binary_base64?, delay?}` with unknown keys ignored (§1.8);
// `text` wins over `binary_base64`, as the reference's.
const WsMessage = z.union([
  z.string(),
  z.object({ text: z.string().optional(), binary_base64: z.string().optional(), delay: Dur.optional() }).superRefine((m, ctx) => {
    if (m.text !== undefined) checkTemplate(ctx, m.text, ["text"]);
    else if (m.binary_base64 !== undefined && !BASE64.test(m.binary_base64))
      ctx.addIssue({ code: "custom", message: "`binary_base64` is not valid base64 (standard alphabet, padded)", path: ["binary_base64"] });
  }),
]);
export const WsOptions = strict({
  subprotocols: z.array(z.string()).optional(),
  send: z.array(WsMessage).optional(),
  receive_count: Count.optional(),
  receive_until: z.string().optional(),
  session_duration: Dur.optional(),
  /** loadr's own: offer permessage-deflate (`deflate`); default `none` */
  compression: z.enum(["deflate", "none"]).optional(),
  /** loadr's own: the largest frame or message received (default 16MB) */
  max_message_size: ByteSize.optional(),
}).superRefine((w, ctx) => {
  (w.send ?? []).forEach((m, i) => {
    if (typeof m === "string") checkTemplate(ctx, m, ["send", i]);
  });
  for (const [i, p] of (w.subprotocols ?? []).entries())
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))
      ctx.addIssue({ code: "custom", message: `subprotocol \`${p}\` is not a token (letters, digits and !#$%&'*+-.^_\`|~)`, path: ["subprotocols", i] });
});

export const GrpcOptions = strict({
  proto_files: z.array(z.string()).optional(),
  proto_includes: z.array(z.string()).optional(),
  reflection: z.boolean().optional(),
  service: z.string(),
  method: z.string(),
  message: z.unknown().optional(),
  messages: z.array(z.unknown()).optional(),
  metadata: StrMap.optional(),
  /** loadr's own: the largest message sent or received (default 4MB, as gRPC's) */
  max_message_size: ByteSize.optional(),
  /** loadr's own: compress the request messages (`gzip`), default `identity` */
  compression: z.enum(["gzip", "identity"]).optional(),
}).superRefine((g, ctx) => {
  if (!g.proto_files?.length && !g.reflection)
    ctx.addIssue({ code: "custom", message: "grpc needs `proto_files` or `reflection: true`" });
  if (g.message !== undefined && g.messages !== undefined)
    ctx.addIssue({ code: "custom", message: "grpc cannot set both `message` and `messages`", path: ["messages"] });
  for (const [s, p] of stringLeaves(g.message, ["message"])) checkTemplate(ctx, s, p);
  for (const [s, p] of stringLeaves(g.messages, ["messages"])) checkTemplate(ctx, s, p);
  for (const [k, v] of Object.entries(g.metadata ?? {})) checkTemplate(ctx, v, ["metadata", k]);
});

export const GraphqlOptions = strict({
  query: z.string(),
  variables: z.unknown().optional(),
  operation_name: z.string().optional(),
}).superRefine((g, ctx) => {
  if (g.query.trim() === "") ctx.addIssue({ code: "custom", message: "`graphql.query` cannot be empty", path: ["query"] });
  for (const [s, p] of stringLeaves(g.variables, ["variables"])) checkTemplate(ctx, s, p);
});

export const SocketOptions = strict({
  send_text: z.string().optional(),
  send_hex: z.string().optional(),
  read_bytes: Count.optional(),
  read_until_close: z.boolean().optional(),
  read_timeout: Dur.optional(),
  /** loadr's own: the most a read keeps (default 16MB) */
  max_message_size: ByteSize.optional(),
}).superRefine((s, ctx) => {
  if (s.send_text !== undefined && s.send_hex !== undefined)
    ctx.addIssue({ code: "custom", message: "socket cannot set both `send_text` and `send_hex`", path: ["send_hex"] });
  if (s.send_hex !== undefined && !/^([0-9a-fA-F]{2}|\s)*$/.test(s.send_hex))
    ctx.addIssue({ code: "custom", message: "`send_hex` must be pairs of hex digits (whitespace allowed)", path: ["send_hex"] });
  if (s.send_text !== undefined) checkTemplate(ctx, s.send_text, ["send_text"]);
});

export const SseOptions = strict({
  events: Count.optional(),
  until: z.string().optional(),
  duration: Dur.optional(),
  /** loadr's own: the largest event (default 16MB) */
  max_message_size: ByteSize.optional(),
});

export const SqlOptions = strict({ query: z.string(), params: z.array(z.string()).optional() }).superRefine((s, ctx) => {
  if (s.query.trim() === "") ctx.addIssue({ code: "custom", message: "`sql.query` cannot be empty", path: ["query"] });
  checkTemplate(ctx, s.query, ["query"]);
});

export const STANDARD_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

export const RequestStep = strict({
  name: z.string().optional(),
  protocol: z.string().optional(),
  method: z.string().optional(),
  url: z.string(),
  headers: StrMap.default({}),
  params: StrMap.default({}),
  body: Body.optional(),
  /** Filled from `defaults.http.timeout` by normalisation when absent. */
  timeout: Dur.optional(),
  /** Filled from `defaults.http.follow_redirects` by normalisation when absent. */
  follow_redirects: z.boolean().optional(),
  /** this request's response body cap; `defaults.http.max_body_size` when absent */
  max_body_size: ByteSize.optional(),
  tags: StrMap.default({}),
  extract: z.array(Extractor).default([]),
  assert: z.array(Condition).default([]),
  checks: z.array(Condition).default([]),
  ws: WsOptions.optional(),
  grpc: GrpcOptions.optional(),
  graphql: GraphqlOptions.optional(),
  socket: SocketOptions.optional(),
  sse: SseOptions.optional(),
  sql: SqlOptions.optional(),
  plugin: z.unknown().optional(),
  /** the hook plugins (`plugins:` entry names) this request runs, replacing its scenario's list */
  hooks: z.array(z.string()).optional(),
})
  .superRefine((r, ctx) => {
    if (r.url.trim() === "") ctx.addIssue({ code: "custom", message: "request `url` cannot be empty", path: ["url"] });
    checkTemplate(ctx, r.url, ["url"]);
    if (r.name !== undefined) checkTemplate(ctx, r.name, ["name"]);
    for (const [k, v] of Object.entries(r.headers)) checkTemplate(ctx, v, ["headers", k]);
    for (const [k, v] of Object.entries(r.params)) checkTemplate(ctx, v, ["params", k]);
    if (typeof r.body === "string") checkTemplate(ctx, r.body, ["body"]);
    for (const [s, p] of stringLeaves(r.plugin, ["plugin"])) checkTemplate(ctx, s, p);
  })
  // Method: upper-cased; GET unless a body or graphql query makes it POST (§1.8).
  .transform((r) => ({ ...r, method: r.method?.toUpperCase() ?? (r.body !== undefined || r.graphql ? "POST" : "GET") }));
