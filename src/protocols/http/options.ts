/** The HTTP client's public types, as docs/dev/architecture.md "Seams between modules" fixes them. */

export interface HttpTlsOptions {
  insecureSkipVerify?: boolean;
  /** PEM contents (not file names): the plan layer reads the files */
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  minVersion?: "1.2" | "1.3";
  maxVersion?: "1.2" | "1.3";
}

/**
 * `defaults.http.version` (docs/protocols/http2.md): `auto` offers h2 and HTTP/1.1 by ALPN over TLS
 * (cleartext stays HTTP/1.1); `http1`; `http2` (h2 by ALPN, required; https:// only);
 * `http2-prior-knowledge` (h2 without negotiation: cleartext h2c, or ALPN h2 over TLS).
 */
export type HttpVersion = "auto" | "http1" | "http2" | "http2-prior-knowledge";

export interface HttpClientOptions {
  keepAlive: boolean;
  compression: boolean;
  cookies: boolean;
  followRedirects: boolean;
  maxRedirects: number;
  /** "host" or "host:port" → "ip" or "ip:port" */
  hosts: Record<string, string>;
  /** http://[user:pass@]host:port */
  proxy?: string;
  tls: HttpTlsOptions;
  /** the body bytes kept per response, as received and as decoded (defaults.http.max_body_size); DEFAULT_MAX_BODY_SIZE when absent */
  maxBodySize?: number;
  /** count response bodies without keeping them: no cap applies (defaults.http.discard_response_bodies) */
  discardBodies?: boolean;
  /** absent = `auto` */
  version?: HttpVersion;
}

/** defaults.http.max_body_size's default */
export const DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024;

export interface HttpRequest {
  method: string;
  /** absolute http:// or https:// URL */
  url: string;
  /**
   * Passing the *same array object* again (with the same method and url) lets the client reuse
   * the request head it built last time instead of rebuilding it: keep such arrays immutable.
   */
  headers: [string, string][];
  body?: Uint8Array;
  timeoutMs: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  /** this request's max_body_size, bytes (else the client's) */
  maxBodySize?: number;
}
