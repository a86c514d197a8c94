// regex-extract: a loadr WASM extractor written in JavaScript (QuickJS via componentize-qjs).
// config: { pattern: "<JS regular expression>", group?: <n> (default 1), flags?: "<flags>" }
// Returns capture `group` of the first match in the body, or none.

// QuickJS has no TextDecoder: ASCII bodies go through String.fromCharCode in chunks (fast in
// QuickJS), anything else is decoded from UTF-8 by hand.
function utf8(bytes) {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) { ascii = false; break; }
  if (ascii) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    return s;
  }
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i++];
    if (b < 0x80) out += String.fromCharCode(b);
    else if (b < 0xe0) out += String.fromCharCode(((b & 0x1f) << 6) | (bytes[i++] & 0x3f));
    else if (b < 0xf0) out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f));
    else {
      const cp = ((b & 0x07) << 18) | ((bytes[i++] & 0x3f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f);
      out += String.fromCodePoint(cp);
    }
  }
  return out;
}

// the compiled pattern is kept between calls (the config is the same text every call)
let cached = { key: "", re: null, group: 1 };

function compile(config) {
  if (config === cached.key) return cached;
  const c = JSON.parse(config);
  if (typeof c.pattern !== "string") return (cached = { key: config, re: null, group: 1 });
  cached = { key: config, re: new RegExp(c.pattern, typeof c.flags === "string" ? c.flags : ""), group: Number.isInteger(c.group) ? c.group : 1 };
  return cached;
}

export const meta = {
  describe() {
    return { name: "regex-extract", version: "0.1.0", kind: "extractor", description: "first regex capture from the body (JavaScript, QuickJS)" };
  },
};

export const extractor = {
  extract(body, _headers, config) {
    let c;
    try {
      c = compile(config);
    } catch {
      return undefined;
    }
    if (!c.re) return undefined;
    const m = c.re.exec(utf8(body));
    if (!m || m[c.group] === undefined) return undefined;
    return m[c.group];
  },
};
