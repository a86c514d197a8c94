/** defaults.http (plan) → the HTTP client's options; TLS files are read here, once per worker. */
import { resolve } from "node:path";
import { readPlanText } from "../../util/plan-file.ts";
import type { HttpClientOptions } from "./client.ts";
import type { HttpVersion } from "./options.ts";

export interface HttpDefaultsPlan {
  follow_redirects: boolean;
  max_redirects: number;
  compression: boolean;
  keep_alive: boolean;
  cookies: boolean;
  max_body_size: number;
  discard_response_bodies: boolean;
  version?: HttpVersion;
  proxy?: string;
  hosts?: Record<string, string>;
  tls?: {
    insecure_skip_verify?: boolean;
    ca_file?: string;
    cert_file?: string;
    key_file?: string;
    server_name?: string;
    min_version?: "1.2" | "1.3";
    max_version?: "1.2" | "1.3";
  };
}

export function httpClientOptions(d: HttpDefaultsPlan, baseDir: string): HttpClientOptions {
  // bounded as every file a plan names (src/util/plan-file.ts): a CA file that is /dev/zero was read until memory ran out
  const read = (f?: string) => {
    if (f === undefined) return undefined;
    try {
      return readPlanText(resolve(baseDir, f), "tls");
    } catch (e) {
      throw new Error(`TLS file \`${f}\`: ${(e as Error).message}`);
    }
  };
  const tls = d.tls ?? {};
  return {
    keepAlive: d.keep_alive,
    compression: d.compression,
    cookies: d.cookies,
    followRedirects: d.follow_redirects,
    maxRedirects: d.max_redirects,
    hosts: d.hosts ?? {},
    proxy: d.proxy,
    maxBodySize: d.max_body_size,
    discardBodies: d.discard_response_bodies,
    version: d.version,
    tls: {
      insecureSkipVerify: tls.insecure_skip_verify,
      ca: read(tls.ca_file),
      cert: read(tls.cert_file),
      key: read(tls.key_file),
      serverName: tls.server_name,
      minVersion: tls.min_version,
      maxVersion: tls.max_version,
    },
  };
}
