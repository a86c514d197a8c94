// token-mint: a loadr request hook in JavaScript (QuickJS via componentize-qjs, world
// `request-hook-plugin` of wit/0.2/loadr.wit) that puts a bearer token on every request and mints
// it once for the whole run: the token lives in the plugin's shared data, which every worker
// thread sees, so N workers mint once, not N times (and again when it expires).
//
// config: { user: "<subject>" (default "loadr"), ttl_ms: <lifetime> (default 60000),
//           header: "<name>" (default "authorization") }
// The token is `tok-<base64url(user/minted-at-ms)>` (the echo target's /demo/me answers its
// user). Minting reads the clock: the plugin needs `capabilities: {clock: true}`.
// Metrics: counter token_mints (declared in plugin.toml).
import host from "loadr:plugin/host@0.2.0";

const KEY = "token";

// QuickJS has no TextEncoder/TextDecoder; tokens are ASCII.
const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b) => String.fromCharCode.apply(null, b);

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function b64url(s) {
  const b = bytes(unescape(encodeURIComponent(s)));
  let out = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    if (i + 1 < b.length) out += B64[(n >> 6) & 63];
    if (i + 2 < b.length) out += B64[n & 63];
  }
  return out;
}

let settings;
function config() {
  if (settings) return settings;
  const get = (key, fallback) => {
    const raw = host.config(key);
    return raw === null || raw === undefined ? fallback : JSON.parse(raw);
  };
  settings = { user: String(get("user", "loadr")), ttl: Number(get("ttl_ms", 60000)), header: String(get("header", "authorization")) };
  return settings;
}

// The token every thread shares: {token, exp} as JSON in shared data, with its version.
function cached() {
  const e = host.sharedGet(KEY);
  if (e === null || e === undefined) return { version: 0, token: undefined, exp: 0 };
  const t = JSON.parse(text(e.value));
  return { version: e.version, token: t.token, exp: t.exp };
}

function token() {
  const c = config();
  for (;;) {
    const now = Date.now();
    const cur = cached();
    if (cur.token !== undefined && cur.exp > now) return cur.token;
    const minted = { token: `tok-${b64url(`${c.user}/${now}`)}`, exp: now + c.ttl };
    try {
      // only one thread wins the swap; the others find its token on the next turn
      host.sharedCompareAndSwap(KEY, bytes(JSON.stringify(minted)), cur.version);
      host.counterAdd("token_mints", 1, []);
      host.log("info", `minted a token for ${c.user}, valid ${c.ttl} ms`);
      return minted.token;
    } catch (e) {
      // an error result arrives as an Error whose `payload` is the shared-error variant
      if (e?.payload?.tag === "conflict") continue;
      throw e;
    }
  }
}

export const meta = {
  describe() {
    return { name: "token-mint", version: "0.1.0", kind: "hook", description: "bearer token minted once per run, shared by every worker (JavaScript, QuickJS)" };
  },
};

export const requestHook = {
  onRequest(_request) {
    return { tag: "change", val: { method: null, url: null, setHeaders: [[config().header, `Bearer ${token()}`]], removeHeaders: [], body: null } };
  },
};
