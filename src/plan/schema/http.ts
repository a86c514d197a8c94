/** `defaults` (§1.5, strict): HTTP client defaults, global tags, default think time. */
import { z } from "zod";
import { ByteSize, checkTemplate, Count, Dur, StrMap, strict } from "./common.ts";
import { ThinkTime } from "./steps.ts";
import { DEFAULT_MAX_SERIES } from "../series-bound.ts";

// YAML reads `1.2` as a number; accept it as the version string it obviously means.
const TlsVersion = z
  .union([z.enum(["1.2", "1.3"]), z.literal([1.2, 1.3])])
  .transform((v) => (typeof v === "number" ? v.toFixed(1) : v) as "1.2" | "1.3");

export const TlsConfig = strict({
  insecure_skip_verify: z.boolean().default(false),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  min_version: TlsVersion.optional(),
  max_version: TlsVersion.optional(),
}).superRefine((t, ctx) => {
  if ((t.cert_file === undefined) !== (t.key_file === undefined))
    ctx.addIssue({
      code: "custom",
      message: "`cert_file` and `key_file` must both be set (mutual TLS) or both be absent",
      path: [t.cert_file === undefined ? "key_file" : "cert_file"],
    });
});

const isUrl = (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

export const HttpDefaults = strict({
  base_url: z.string().optional(),
  headers: StrMap.default({}),
  timeout: Dur.prefault("30s"),
  follow_redirects: z.boolean().default(true),
  max_redirects: Count.default(10),
  version: z.enum(["auto", "http1", "http2", "http2-prior-knowledge"]).default("auto"),
  compression: z.boolean().default(true),
  keep_alive: z.boolean().default(true),
  proxy: z.string().optional(),
  tls: TlsConfig.prefault({}),
  cookies: z.boolean().default(true),
  cache: z.boolean().default(false),
  discard_response_bodies: z.boolean().default(false),
  /** response body bytes kept per request, as received and as decoded (the cap does not apply to discarded bodies) */
  max_body_size: ByteSize.prefault("64MB"),
  tracing: z.boolean().default(false),
  hosts: StrMap.default({}),
}).superRefine((h, ctx) => {
  if (h.base_url !== undefined) {
    if (!h.base_url.includes("${") && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(h.base_url))
      ctx.addIssue({ code: "custom", message: `\`base_url\` must be an absolute URL, got \`${h.base_url}\``, path: ["base_url"] });
    else if (!h.base_url.includes("${") && !isUrl(h.base_url))
      ctx.addIssue({ code: "custom", message: `invalid \`base_url\` \`${h.base_url}\``, path: ["base_url"] });
    checkTemplate(ctx, h.base_url, ["base_url"]);
  }
  for (const [k, v] of Object.entries(h.headers)) checkTemplate(ctx, v, ["headers", k]);
  if (h.proxy !== undefined && !isUrl(h.proxy))
    ctx.addIssue({ code: "custom", message: `invalid proxy URL \`${h.proxy}\``, path: ["proxy"] });
});

export const Defaults = strict({
  http: HttpDefaults.prefault({}),
  tags: StrMap.default({}),
  think_time: ThinkTime.optional(),
  /** series (tag sets) per metric before its noisiest tag is capped (src/metrics/series-limit.ts) */
  max_series: z.number().int().positive().default(DEFAULT_MAX_SERIES),
});
