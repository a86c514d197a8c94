import { describe, expect, test } from "bun:test";
import { buildHeadTemplate, deriveHeadTemplate, type HeadConfig, type HeadTemplate } from "../src/protocols/http/request-head.ts";
import { parseTarget, type Target } from "../src/protocols/http/url.ts";

const URL_ = "http://127.0.0.1:8080/path?q=1";
const target = parseTarget(URL_) as Target;
const cfg: HeadConfig = { keepAlive: true, compression: true, proxyAuthorization: null };
type H = [string, string][];

function build(headers: H): HeadTemplate {
  const t = buildHeadTemplate("GET", URL_, target, headers, false, cfg);
  if (typeof t === "string") throw new Error(t);
  return t;
}

/** The bytes that matter: what finishHead and the byte count read. */
const shape = (t: HeadTemplate) => ({ prefix: t.prefix, prefixBytes: t.prefixBytes, whole: t.whole, userCookie: t.userCookie, userCookieExtraBytes: t.userCookieExtraBytes, close: t.close });

describe("a head derived from a cached template", () => {
  const auth: [string, string] = ["Authorization", "Bearer abc"];
  const accept: [string, string] = ["Accept", "application/json"];
  const cookie: [string, string] = ["Cookie", "a=1"];
  const cases: { name: string; base: H; next: (b: H) => H }[] = [
    { name: "a hook's copy with a signature added to an empty list", base: [["x-signature", "aa"]], next: () => [["x-signature", "bb"]] },
    { name: "the same entries and one more at the end", base: [auth, accept], next: (b) => [...b, ["x-signature", "cc"]] },
    { name: "the last entry replaced", base: [auth, accept, ["x-signature", "aa"]], next: (b) => [b[0]!, b[1]!, ["x-signature", "dd"]] },
    { name: "entries after the first replaced", base: [auth, accept], next: (b) => [b[0]!, ["X-Other", "1"], ["X-More", "2"]] },
    { name: "a non-ASCII value in the new lines (bytes counted)", base: [auth, ["x-sig", "a"]], next: (b) => [b[0]!, ["x-sig", "é ü"]] },
    { name: "a non-ASCII value in the kept lines", base: [["X-Name", "Zoë"], ["x-sig", "a"]], next: (b) => [b[0]!, ["x-sig", "b"]] },
    { name: "a Cookie and a Host kept before the new lines", base: [cookie, ["Host", "example.test"], accept], next: (b) => [b[0]!, b[1]!, ["x-sig", "e"]] },
    { name: "fewer entries", base: [auth, accept], next: (b) => [b[0]!] },
  ];
  for (const c of cases)
    test(`${c.name}: the bytes a full build makes`, () => {
      const base = build(c.base);
      const headers = c.next(c.base);
      const derived = deriveHeadTemplate(base, headers);
      if (derived === undefined || typeof derived === "string") throw new Error(`not derived: ${derived}`);
      expect(shape(derived)).toEqual(shape(build(headers)));
      expect(derived.prefixBytes).toBe(Buffer.byteLength(derived.prefix));
    });

  test("not derived when a new line would replace a default, close, carry a cookie or framing", () => {
    const base = build([auth]);
    for (const name of ["host", "User-Agent", "accept-encoding", "Connection", "cookie", "Content-Length", "transfer-encoding"])
      expect(deriveHeadTemplate(base, [auth, [name, "x"]])).toBeUndefined();
  });

  test("not derived when an entry that shaped the head is no longer there", () => {
    const base = build([cookie, auth]);
    expect(deriveHeadTemplate(base, [["X-New", "1"], auth])).toBeUndefined();
    expect(deriveHeadTemplate(build([auth, ["User-Agent", "me/1"]]), [auth, ["X-A", "1"]])).toBeUndefined();
  });

  test("a new line that would corrupt the head is the same error a build gives", () => {
    const base = build([auth]);
    expect(deriveHeadTemplate(base, [auth, ["X-Bad", "a\r\nInjected: 1"]])).toBe("invalid value for header X-Bad");
    expect(deriveHeadTemplate(base, [auth, ["bad name", "1"]])).toBe('invalid header name "bad name"');
  });
});
