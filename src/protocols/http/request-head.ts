/**
 * Request heads. The static part (request line + every header except Cookie and Content-Length)
 * is built once per (headers array object, method, url) and cached by the client, so a VU that
 * repeats a request pays one string concatenation for the dynamic tail.
 *
 * A request whose header array is new each time but starts with the cached one's header entries
 * (the same objects; a request hook's copy with a signature set at the end) gets its head from
 * that template's prefix and its own remaining lines (deriveHeadTemplate): no full build.
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
  /** what deriveHeadTemplate needs (a built template has it; a derived one, used once, not) */
  lines?: TemplateLines;
}

/** Where each of the caller's headers put its line, for heads derived from this one. */
export interface TemplateLines {
  /** the caller's header array the template was built from */
  key: readonly (readonly [string, string])[];
  /** header i's line starts at prefix offset at[i] (at[key.length] = prefix.length); a header without a line (Cookie) has at[i] = at[i + 1] */
  at: number[];
  /** UTF-8 bytes past one per character in prefix before header i's line */
  extra: number[];
  /** headers before this index include one that shapes the head beyond its own line (Host, Cookie, …): a derived head keeps all of them */
  plainFrom: number;
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
  const lineAt: number[] = [];
  const extraAt: number[] = [];
  let plainFrom = 0;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    lineAt.push(lines.length);
    extraAt.push(extraBytes);
    const bad = headerProblem(name, value);
    if (bad !== undefined) return bad;
    if (!isPlainHeader(name)) {
      plainFrom = i + 1;
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
    }
    lines += `${name}: ${value}\r\n`;
    if (NON_ASCII.test(value)) extraBytes += Buffer.byteLength(value) - value.length;
  }
  lineAt.push(lines.length);
  extraAt.push(extraBytes);
  const requestTarget = absoluteForm ? target.href.replace(/#.*$/, "") : target.path;
  let head = `${method} ${requestTarget} HTTP/1.1\r\n`;
  if (!hasHost) head += `Host: ${target.authority}\r\n`;
  if (!hasUa) head += `User-Agent: ${USER_AGENT}\r\n`;
  if (cfg.compression && !hasAe) head += `Accept-Encoding: ${ACCEPT_ENCODING}\r\n`;
  if (!cfg.keepAlive && !hasConn) head += "Connection: close\r\n";
  if (absoluteForm && cfg.proxyAuthorization !== null) head += `Proxy-Authorization: ${cfg.proxyAuthorization}\r\n`;
  // the caller's lines come last: shift their offsets past the request line and default headers
  const at0 = head.length;
  for (let i = 0; i < lineAt.length; i++) lineAt[i]! += at0;
  head += lines;
  const userCookieExtraBytes = Buffer.byteLength(userCookie) - userCookie.length;
  return {
    method,
    url,
    prefix: head,
    prefixBytes: head.length + extraBytes,
    whole: `${head}\r\n`,
    userCookie,
    userCookieExtraBytes,
    close,
    lines: { key: headers, at: lineAt, extra: extraAt, plainFrom },
  };
}

/**
 * The template of `headers` (same method and URL as `base`) when they start with the same header
 * entries as base's own array (compared by identity) up to a point past its last non-plain one,
 * and every header after that point is plain (isPlainHeader): base's prefix up to there plus those
 * lines — the bytes buildHeadTemplate would make. Undefined when it does not apply (build one
 * then); an error message for a header that would corrupt the head.
 */
export function deriveHeadTemplate(base: HeadTemplate, headers: readonly [string, string][]): HeadTemplate | string | undefined {
  const l = base.lines;
  if (l === undefined) return undefined;
  const key = l.key;
  const n = Math.min(key.length, headers.length);
  let p = 0;
  while (p < n && headers[p] === key[p]) p++;
  if (p < l.plainFrom) return undefined;
  let lines = "";
  let extraBytes = l.extra[p]!;
  for (let i = p; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    const bad = headerProblem(name, value);
    if (bad !== undefined) return bad;
    if (!isPlainHeader(name)) return undefined;
    lines += `${name}: ${value}\r\n`;
    if (NON_ASCII.test(value)) extraBytes += Buffer.byteLength(value) - value.length;
  }
  const prefix = (p === key.length ? base.prefix : base.prefix.slice(0, l.at[p])) + lines;
  return {
    method: base.method,
    url: base.url,
    prefix,
    prefixBytes: prefix.length + extraBytes,
    whole: `${prefix}\r\n`,
    userCookie: base.userCookie,
    userCookieExtraBytes: base.userCookieExtraBytes,
    close: base.close,
  };
}

/** Why a header would corrupt the head, or undefined. */
function headerProblem(name: string, value: string): string | undefined {
  if (!TOKEN.test(name)) return `invalid header name ${JSON.stringify(name)}`;
  if (BAD_VALUE.test(value)) return `invalid value for header ${name}`;
  return undefined;
}

/** A header that is only its own line: not one that replaces a default (Host, User-Agent, Accept-Encoding), closes, is merged (Cookie) or dropped (framing). */
function isPlainHeader(name: string): boolean {
  switch (name.toLowerCase()) {
    case "host":
    case "user-agent":
    case "accept-encoding":
    case "connection":
    case "cookie":
    case "content-length":
    case "transfer-encoding":
      return false;
  }
  return true;
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
