//! echo-proto in dependency-free Rust over the loadr C ABI v1 (plugins/include/loadr_plugin.h):
//! the same contract as the C example — reversed body, `prefix` from the request's `plugin:`
//! options over the plugin config, `x-echo-proto: 1`, `extras.prefix_applied` — named
//! `echo-proto-rs`. Buffers are `Box<[u8]>` handed out raw and rebuilt in `loadr_plugin_free`
//! (which is why free takes the length); a panic becomes an error response, never an unwind
//! across the C boundary.

use std::panic::catch_unwind;

const INFO: &str = r#"{"name":"echo-proto-rs","version":"0.1.0","kind":"protocol","description":"Echo protocol in dependency-free Rust over the loadr C ABI","schemes":["echo-proto-rs"],"blocking":false}"#;

fn hand_out(bytes: Vec<u8>, out_len: *mut usize) -> *mut u8 {
    let b = bytes.into_boxed_slice();
    unsafe { *out_len = b.len() };
    Box::into_raw(b) as *mut u8
}

#[no_mangle]
pub extern "C" fn loadr_plugin_abi_version() -> u32 {
    1
}

#[no_mangle]
pub extern "C" fn loadr_plugin_info(out_len: *mut usize) -> *mut u8 {
    hand_out(INFO.as_bytes().to_vec(), out_len)
}

#[no_mangle]
pub extern "C" fn loadr_plugin_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        unsafe { drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len))) };
    }
}

#[no_mangle]
pub extern "C" fn loadr_plugin_execute(req: *const u8, len: usize, out_len: *mut usize) -> *mut u8 {
    let input = if req.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(req, len) } };
    let out = catch_unwind(|| execute(input)).unwrap_or_else(|_| error_response("plugin panicked"));
    hand_out(out.into_bytes(), out_len)
}

fn execute(input: &[u8]) -> String {
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(_) => return error_response("request is not UTF-8"),
    };
    let req = match json::parse(text) {
        Some(v) => v,
        None => return error_response("request is not valid JSON"),
    };
    let from = |k: &str| req.get(k).and_then(|o| o.get("prefix")).and_then(|p| p.as_str()).map(str::to_owned);
    let prefix = from("options").or_else(|| from("config"));
    let body = req.get("body_b64").and_then(|b| b.as_str()).map(b64::decode).unwrap_or_default();
    let mut out = prefix.clone().unwrap_or_default().into_bytes();
    out.extend(body.iter().rev());
    format!(
        r#"{{"status":200,"status_text":"OK","headers":[["x-echo-proto","1"]],"body_b64":"{}","duration_ms":0.0,"error":null,"extras":{{"prefix_applied":{}}}}}"#,
        b64::encode(&out),
        prefix.is_some()
    )
}

fn error_response(msg: &str) -> String {
    format!(r#"{{"status":0,"status_text":"ERROR","headers":[],"body_b64":"","duration_ms":0.0,"error":{},"extras":null}}"#, json::quote(msg))
}

mod b64 {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub fn encode(b: &[u8]) -> String {
        let mut s = String::with_capacity(b.len().div_ceil(3) * 4);
        for c in b.chunks(3) {
            let x = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
            s.push(A[(x >> 18 & 63) as usize] as char);
            s.push(A[(x >> 12 & 63) as usize] as char);
            s.push(if c.len() > 1 { A[(x >> 6 & 63) as usize] as char } else { '=' });
            s.push(if c.len() > 2 { A[(x & 63) as usize] as char } else { '=' });
        }
        s
    }
    pub fn decode(s: &str) -> Vec<u8> {
        let (mut acc, mut bits, mut out) = (0u32, 0, Vec::with_capacity(s.len() / 4 * 3));
        for c in s.bytes() {
            let Some(v) = A.iter().position(|&a| a == c) else { continue };
            acc = acc << 6 | v as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        out
    }
}

/// A small JSON reader: enough for an FfiRequest.
mod json {
    #[allow(dead_code)] // numbers, bools and arrays are parsed (to skip them) but not read
    pub enum Value {
        Null,
        Bool(bool),
        Num(f64),
        Str(String),
        Arr(Vec<Value>),
        Obj(Vec<(String, Value)>),
    }
    impl Value {
        pub fn get(&self, k: &str) -> Option<&Value> {
            match self {
                Value::Obj(m) => m.iter().find(|(n, _)| n == k).map(|(_, v)| v),
                _ => None,
            }
        }
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::Str(s) => Some(s),
                _ => None,
            }
        }
    }
    pub fn quote(s: &str) -> String {
        let mut o = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o.push('"');
        o
    }
    pub fn parse(s: &str) -> Option<Value> {
        let mut p = P { b: s.as_bytes(), i: 0 };
        let v = p.value()?;
        p.ws();
        (p.i == p.b.len()).then_some(v)
    }
    struct P<'a> {
        b: &'a [u8],
        i: usize,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }
        fn lit(&mut self, w: &str, v: Value) -> Option<Value> {
            self.b[self.i..].starts_with(w.as_bytes()).then(|| {
                self.i += w.len();
                v
            })
        }
        fn value(&mut self) -> Option<Value> {
            self.ws();
            match *self.b.get(self.i)? {
                b'n' => self.lit("null", Value::Null),
                b't' => self.lit("true", Value::Bool(true)),
                b'f' => self.lit("false", Value::Bool(false)),
                b'"' => self.string().map(Value::Str),
                b'[' => {
                    self.i += 1;
                    let mut a = Vec::new();
                    self.ws();
                    if self.b.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Some(Value::Arr(a));
                    }
                    loop {
                        a.push(self.value()?);
                        self.ws();
                        match *self.b.get(self.i)? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                return Some(Value::Arr(a));
                            }
                            _ => return None,
                        }
                    }
                }
                b'{' => {
                    self.i += 1;
                    let mut m = Vec::new();
                    self.ws();
                    if self.b.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Some(Value::Obj(m));
                    }
                    loop {
                        self.ws();
                        let k = self.string()?;
                        self.ws();
                        if *self.b.get(self.i)? != b':' {
                            return None;
                        }
                        self.i += 1;
                        m.push((k, self.value()?));
                        self.ws();
                        match *self.b.get(self.i)? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                return Some(Value::Obj(m));
                            }
                            _ => return None,
                        }
                    }
                }
                _ => {
                    let st = self.i;
                    while self.i < self.b.len() && matches!(self.b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                        self.i += 1;
                    }
                    std::str::from_utf8(&self.b[st..self.i]).ok()?.parse().ok().map(Value::Num)
                }
            }
        }
        fn string(&mut self) -> Option<String> {
            if *self.b.get(self.i)? != b'"' {
                return None;
            }
            self.i += 1;
            let mut out = Vec::new();
            loop {
                let c = *self.b.get(self.i)?;
                self.i += 1;
                match c {
                    b'"' => return String::from_utf8(out).ok(),
                    b'\\' => {
                        let e = *self.b.get(self.i)?;
                        self.i += 1;
                        match e {
                            b'n' => out.push(b'\n'),
                            b't' => out.push(b'\t'),
                            b'r' => out.push(b'\r'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let h = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
                                self.i += 4;
                                let ch = char::from_u32(u32::from_str_radix(h, 16).ok()?).unwrap_or('\u{fffd}');
                                out.extend(ch.to_string().bytes());
                            }
                            o => out.push(o),
                        }
                    }
                    o => out.push(o),
                }
            }
        }
    }
}
