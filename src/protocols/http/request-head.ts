/**
 * Request heads. The static part (request line + every header except Cookie and Content-Length)
 * is built once per (headers array object, method, url) and cached by the client, so a VU that
 * repeats a request pays one string concatenation for the dynamic tail.
 */
import type { Target } from "./url.ts";

export const USER_AGENT = "loadr/0.1";
export const ACCEPT_ENCODING = "gzip, deflate, br";

export interface HeadConfig {
  keepAlive: boolean;
  compression: boolean;
  /** Proxy-Authorization for absolute-form requests through a plain-HTTP proxy */
  proxyAuthorization: string | null;
}

export interface HeadTemplate {
  method: string;
  url: string;
  /** request line and static headers, each ending in CRLF; the blank line is not included */
  prefix: string;
  prefixBytes: number;
  /** prefix + the blank line: the whole head of a request with no cookie and no body, built once */
  whole: string;
  /** the caller's own Cookie header values joined with "; " ("" when none) */
  userCookie: string;
  /** userCookie's UTF-8 length minus its length in characters (0 when it is ASCII) */
  userCookieExtraBytes: number;
  /** the request itself asks to close the connection */
  close: boolean;
}

/** a method or header name (RFC 9110 token) */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** what no header value may carry (it would end the header, or the head) */
// eslint-disable-next-line no-control-regex
export const BAD_VALUE = /[\r\n\0]/;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** Builds the cacheable template, or returns an error message for a header that would corrupt the head. */
export function buildHeadTemplate(
  method: string,
  url: string,
  target: Target,
  headers: readonly [string, string][],
  absoluteForm: boolean,
  cfg: HeadConfig,
): HeadTemplate | string {
  if (!TOKEN.test(method)) return `invalid HTTP method ${JSON.stringify(method)}`;
  let hasHost = false;
  let hasUa = false;
  let hasAe = false;
  let hasConn = false;
  let close = !cfg.keepAlive;
  let userCookie = "";
  let lines = "";
  // UTF-8 bytes past one per character: only header values can have any (the method and names
  // are tokens; the request target, Host and Proxy-Authorization are ASCII from the parsed URL)
  let extraBytes = 0;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (!TOKEN.test(name)) return `invalid header name ${JSON.stringify(name)}`;
    if (BAD_VALUE.test(value)) return `invalid value for header ${name}`;
    switch (name.toLowerCase()) {
      case "host":
        hasHost = true;
        break;
      case "user-agent":
        hasUa = true;
        break;
      case "accept-encoding":
        hasAe = true;
        break;
      case "connection":
        hasConn = true;
        if (value.toLowerCase().includes("close")) close = true;
        break;
      case "cookie":
        // merged with the jar's cookies into one header at send time (reference §2.8)
        userCookie = userCookie === "" ? value : `${userCookie}; ${value}`;
        continue;
      case "content-length":
      case "transfer-encoding":
        // the body is always framed by us from its actual length
        continue;
    }
    lines += `${name}: ${value}\r\n`;
    if (NON_ASCII.test(value)) extraBytes += Buffer.byteLength(value) - value.length;
  }
  const requestTarget = absoluteForm ? target.href.replace(/#.*$/, "") : target.path;
  let head = `${method} ${requestTarget} HTTP/1.1\r\n`;
  if (!hasHost) head += `Host: ${target.authority}\r\n`;
  if (!hasUa) head += `User-Agent: ${USER_AGENT}\r\n`;
  if (cfg.compression && !hasAe) head += `Accept-Encoding: ${ACCEPT_ENCODING}\r\n`;
  if (!cfg.keepAlive && !hasConn) head += "Connection: close\r\n";
  if (absoluteForm && cfg.proxyAuthorization !== null) head += `Proxy-Authorization: ${cfg.proxyAuthorization}\r\n`;
  head += lines;
  const userCookieExtraBytes = Buffer.byteLength(userCookie) - userCookie.length;
  return { method, url, prefix: head, prefixBytes: head.length + extraBytes, whole: `${head}\r\n`, userCookie, userCookieExtraBytes, close };
}

/** Appends the dynamic headers and the blank line. */
export function finishHead(t: HeadTemplate, jarCookie: string, bodyLength: number): string {
  const cookie = t.userCookie === "" ? jarCookie : jarCookie === "" ? t.userCookie : `${t.userCookie}; ${jarCookie}`;
  if (cookie === "" && bodyLength < 0) return t.whole;
  let head = t.prefix;
  if (cookie !== "") head += `Cookie: ${cookie}\r\n`;
  if (bodyLength >= 0) head += `Content-Length: ${bodyLength}\r\n`;
  return `${head}\r\n`;
}
