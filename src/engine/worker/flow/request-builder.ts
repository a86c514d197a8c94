/**
 * Turns a plan `request` step (plus defaults.http) into a function VU → ProtocolRequest. Templates
 * are compiled once here; a request whose every part is static (name and options included) is
 * built once and reused, so the common plain-GET case costs nothing per iteration (and the HTTP
 * client can cache its head, a plugin its encoded call).
 */
import { resolve as resolvePath, basename } from "node:path";
import { randomUUID } from "node:crypto";
import {
  compileTemplate,
  compileJsonTemplate,
  renderJsonTemplate,
  type Template,
} from "../../../plan/template.ts";
import type { HttpDefaults, RequestStep } from "../../../plan/schema.ts";
import type { ProtocolRequest } from "../../../protocols/types.ts";
import type { Vu } from "../vu.ts";
import { encodePairs, joinBaseUrl } from "../../../util/url-encode.ts";
import { compileRender, type RenderFn } from "../render.ts";
import { readPlanFile } from "../../../util/plan-file.ts";
import { DEFAULT_MAX_MESSAGE, type GrpcCallOptions, type GrpcSpec } from "../../../protocols/grpc/options.ts";
import { compileGraphqlBody, compileStreamOptions, type CompiledOptions } from "./protocol-options.ts";

const encoder = new TextEncoder();

type BodyRenderer = (vu: Vu) => Uint8Array | undefined;

export interface BuiltRequest {
  method: string;
  /** the `name` tag: rendered name, or the raw unrendered URL (reference §1.8) */
  name(vu: Vu): string;
  build(vu: Vu): ProtocolRequest;
}

const isStatic = (t: Template) => t.kind === "static";

export function buildRequest(spec: RequestStep, defaults: HttpDefaults, baseDir: string): BuiltRequest {
  const method = spec.method.toUpperCase();
  const url = compileTemplate(spec.url);
  const base = defaults.base_url !== undefined ? compileTemplate(defaults.base_url) : undefined;
  const params = Object.entries(spec.params ?? {}).map(([k, v]) => [k, compileTemplate(String(v))] as const);
  const nameTemplate = spec.name !== undefined ? compileTemplate(spec.name) : undefined;
  const rawUrl = spec.url;
  const renderName: RenderFn = nameTemplate !== undefined ? compileRender(nameTemplate) : () => rawUrl;
  const renderUrl = compileRender(url);
  const renderBase = base !== undefined ? compileRender(base) : undefined;
  const renderParams = params.map(([k, t]) => [k, compileRender(t)] as const);

  // Default headers first, request headers replace them case-insensitively (§2.9).
  const headerMap = new Map<string, [string, Template]>();
  for (const [k, v] of Object.entries(defaults.headers ?? {})) headerMap.set(k.toLowerCase(), [k, compileTemplate(String(v))]);
  for (const [k, v] of Object.entries(spec.headers ?? {})) headerMap.set(k.toLowerCase(), [k, compileTemplate(String(v))]);
  const { body, contentType, static: bodyStatic } = compileGraphqlBody(spec) ?? compileBody(spec.body, baseDir);
  if (contentType && !headerMap.has("content-type")) headerMap.set("content-type", ["Content-Type", { kind: "static", text: contentType }]);
  const headers = [...headerMap.values()];
  const renderHeaders = headers.map(([k, t]) => [k, compileRender(t)] as const);
  const timeoutMs = spec.timeout ?? defaults.timeout;
  const followRedirects = spec.follow_redirects ?? defaults.follow_redirects;
  const maxRedirects = defaults.max_redirects;
  const maxBodySize = spec.max_body_size;
  const tracing = defaults.tracing === true;
  const options = compileStreamOptions(spec) ?? compileOptions(spec, baseDir);

  // Static headers are one array for every request: the HTTP client keys its head cache by the
  // array's identity, so a dynamic URL with static headers still reuses the head when it can.
  const fixedHeaders: [string, string][] | undefined =
    !tracing && headers.every(([, t]) => isStatic(t)) ? renderHeaders.map(([k, r]) => [k, r(undefined as never)]) : undefined;
  const buildDynamic = (vu: Vu): ProtocolRequest => {
    let u = renderUrl(vu);
    u = joinBaseUrl(renderBase ? renderBase(vu) : undefined, u);
    if (renderParams.length) u += (u.includes("?") ? "&" : "?") + encodePairs(renderParams.map(([k, r]) => [k, r(vu)]));
    let h: [string, string][];
    if (fixedHeaders !== undefined) h = fixedHeaders;
    else {
      h = renderHeaders.map(([k, r]) => [k, r(vu)]);
      if (tracing) h.push(["traceparent", traceparent(vu.random)]);
    }
    const req: ProtocolRequest = { name: renderName(vu), method, url: u, headers: h, body: body(vu), timeoutMs, followRedirects, maxRedirects, maxBodySize };
    if (options !== undefined) {
      req.options = options.render(vu);
      if (req.body === undefined && options.body !== undefined) req.body = options.body(req.options);
    }
    return req;
  };

  const allStatic =
    !tracing && isStatic(url) && (!base || isStatic(base)) && params.every(([, t]) => isStatic(t)) &&
    headers.every(([, t]) => isStatic(t)) && bodyStatic && (nameTemplate === undefined || isStatic(nameTemplate)) &&
    (options === undefined || options.static);
  let cached: ProtocolRequest | undefined;
  const build = allStatic ? (vu: Vu) => (cached ??= buildDynamic(vu)) : buildDynamic;

  return { method, name: renderName, build };
}

/**
 * The handler's `options`: the `grpc:` block (src/protocols/grpc/options.ts), or a plugin's
 * (reference §6.5): the rendered `sql:` block (`{query, params}`, every value a string) when
 * there is one, else the rendered `plugin:` block (typed JSON leaves).
 */
function compileOptions(spec: RequestStep, baseDir: string): CompiledOptions | undefined {
  if (spec.grpc !== undefined) return compileGrpcOptions(spec, baseDir);
  if (spec.sql !== undefined) {
    const query = compileTemplate(spec.sql.query);
    const params = (spec.sql.params ?? []).map((p) => compileTemplate(p));
    const renderQuery = compileRender(query);
    const renderParams = params.map(compileRender);
    return { render: (vu) => ({ query: renderQuery(vu), params: renderParams.map((r) => r(vu)) }), static: isStatic(query) && params.every(isStatic) };
  }
  if (spec.plugin === undefined) return undefined;
  const t = compileJsonTemplate(spec.plugin);
  return { render: (vu) => renderJsonTemplate(t, vu.resolve), static: t.kind === "static" };
}

/**
 * `grpc:`: its fixed part one object for every call of the step (the handler resolves the method
 * once per object), the messages rendered as typed JSON leaves, metadata then the request's
 * headers (reference §5.1).
 */
function compileGrpcOptions(spec: RequestStep, baseDir: string): { render: (vu: Vu) => GrpcCallOptions; static: boolean } {
  const g = spec.grpc!;
  const fixed: GrpcSpec = {
    protoFiles: (g.proto_files ?? []).map((f) => resolvePath(baseDir, f)),
    protoIncludes: (g.proto_includes ?? []).map((f) => resolvePath(baseDir, f)),
    reflection: g.reflection === true,
    service: g.service,
    method: g.method,
    maxMessageBytes: g.max_message_size ?? DEFAULT_MAX_MESSAGE,
    gzip: g.compression === "gzip",
  };
  const messages = (g.messages ?? (g.message !== undefined ? [g.message] : [])).map((m) => compileJsonTemplate(m));
  const metadata = Object.entries(g.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), compileRender(compileTemplate(String(v)))] as const);
  const isStaticMeta = Object.values(g.metadata ?? {}).every((v) => isStatic(compileTemplate(String(v))));
  return {
    render: (vu) => ({
      spec: fixed,
      messages: messages.map((t) => renderJsonTemplate(t, vu.resolve)),
      metadata: metadata.map(([k, r]) => [k, r(vu)]),
    }),
    static: messages.every((t) => t.kind === "static") && isStaticMeta,
  };
}

/** A W3C traceparent for `defaults.http.tracing`. */
function traceparent(random: () => number): string {
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += ((random() * 16) | 0).toString(16);
    return s;
  };
  return `00-${hex(32)}-${hex(16)}-01`;
}

/** A body or multipart file, read once when the step compiles (at most 256 MiB: src/util/plan-file.ts). */
function readBodyFile(baseDir: string, file: string): Uint8Array {
  try {
    return readPlanFile(resolvePath(baseDir, file), "body");
  } catch (e) {
    throw new Error(`body file \`${file}\`: ${(e as Error).message}`);
  }
}

/** Body renderers; `static` bodies do not depend on the VU, so buildRequest can cache the whole request. */
function compileBody(body: RequestStep["body"], baseDir: string): { body: BodyRenderer; contentType?: string; static: boolean } {
  if (body === undefined) return { body: () => undefined, static: true };
  if (typeof body === "string") {
    const t = compileTemplate(body);
    if (t.kind === "static") {
      const bytes = encoder.encode(t.text);
      return { body: () => bytes, static: true };
    }
    const r = compileRender(t);
    return { body: (vu) => encoder.encode(r(vu)), static: false };
  }
  // the schema lets exactly one variant through (plan/schema/request.ts BodySpec)
  if (body.json !== undefined) {
    const t = compileJsonTemplate(body.json);
    return { body: (vu) => encoder.encode(JSON.stringify(renderJsonTemplate(t, vu.resolve))), contentType: "application/json", static: false };
  }
  if (body.form !== undefined) {
    const fields = Object.entries(body.form).map(([k, v]) => [k, compileRender(compileTemplate(String(v)))] as const);
    return {
      body: (vu) => encoder.encode(encodePairs(fields.map(([k, r]) => [k, r(vu)]))),
      contentType: "application/x-www-form-urlencoded",
      static: false,
    };
  }
  if (body.file !== undefined) {
    const bytes = readBodyFile(baseDir, body.file);
    return { body: () => bytes, static: true };
  }
  // multipart: boundary and part layout exactly as reference §1.8
  const boundary = "loadrboundary" + randomUUID().replaceAll("-", "");
  const parts = (body.multipart ?? []).map((p) => ({
    head: `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${
      p.file !== undefined ? `; filename="${p.filename ?? basename(p.file)}"` : p.filename !== undefined ? `; filename="${p.filename}"` : ""
    }\r\n${p.content_type ? `Content-Type: ${p.content_type}\r\n` : ""}\r\n`,
    file: p.file !== undefined ? readBodyFile(baseDir, p.file) : undefined,
    value: p.value !== undefined ? compileRender(compileTemplate(p.value)) : undefined,
  }));
  const tail = encoder.encode(`--${boundary}--\r\n`);
  return {
    body: (vu) => {
      const chunks: Uint8Array[] = [];
      for (const p of parts) {
        chunks.push(encoder.encode(p.head));
        chunks.push(p.file ?? encoder.encode(p.value ? p.value(vu) : ""));
        chunks.push(encoder.encode("\r\n"));
      }
      chunks.push(tail);
      return concat(chunks);
    },
    contentType: `multipart/form-data; boundary=${boundary}`,
    static: false,
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
