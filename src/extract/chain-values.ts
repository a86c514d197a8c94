/**
 * The value steps of a fused chain (reference §1.10): `as` coercion, `transform`s, and the text
 * form used by `matches` / `not_empty` / `one_of`. Each returns an Error (not throws) for a value
 * it cannot handle, which makes the extraction fail.
 */
import { percentEncode } from "../util/url-encode.ts";

export type Coerce = "int" | "float" | "bool" | "string";
export type Transform =
  | "trim" | "lowercase" | "uppercase" | "url_encode" | "url_decode" | "base64_encode" | "base64_decode"
  | { append: string } | { prepend: string } | { replace: string[] } | { substring: number[] };

/** Strings verbatim, null as "", anything else as compact JSON. */
export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return JSON.stringify(v) ?? "";
}

const BOOL: Record<string, boolean> = { true: true, false: false, "1": true, "0": false, yes: true, no: false, on: true, off: false };

export function coerce(v: unknown, as: Coerce): unknown {
  switch (as) {
    case "string":
      return textOf(v);
    case "int":
    case "float": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : NaN;
      if (!Number.isFinite(n)) return new Error(`cannot convert ${JSON.stringify(v)} to ${as}`);
      return as === "int" ? Math.trunc(n) : n;
    }
    case "bool": {
      if (typeof v === "boolean") return v;
      const b = BOOL[textOf(v).trim().toLowerCase()];
      return b ?? new Error(`cannot convert ${JSON.stringify(v)} to bool (expected true/false/1/0/yes/no/on/off)`);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** One transform step; every transform yields a string. */
export function applyTransform(v: unknown, t: Transform): string | Error {
  return compileTransform(t)(v);
}

/** A transform step resolved once (chains compile theirs), so a response pays only the step itself. */
export function compileTransform(t: Transform): (v: unknown) => string | Error {
  if (typeof t === "string") {
    switch (t) {
      case "trim":
        return (v) => textOf(v).trim();
      case "lowercase":
        return (v) => textOf(v).toLowerCase();
      case "uppercase":
        return (v) => textOf(v).toUpperCase();
      case "url_encode":
        return (v) => percentEncode(textOf(v));
      case "url_decode":
        return (v) => {
          const s = textOf(v);
          try {
            return decodeURIComponent(s.replaceAll("+", " "));
          } catch {
            return new Error(`url_decode: ${JSON.stringify(s)} is not valid percent-encoding`);
          }
        };
      case "base64_encode":
        return (v) => Buffer.from(textOf(v), "utf8").toString("base64");
      case "base64_decode":
        return (v) => {
          const s = textOf(v);
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s.replace(/\s/g, "")) || s.replace(/\s/g, "").length % 4 === 1)
            return new Error(`base64_decode: ${JSON.stringify(s)} is not base64`);
          try {
            return utf8.decode(Buffer.from(s, "base64"));
          } catch {
            return new Error("base64_decode: the decoded bytes are not UTF-8");
          }
        };
    }
  }
  if ("append" in t) {
    const suffix = t.append;
    return (v) => textOf(v) + suffix;
  }
  if ("prepend" in t) {
    const prefix = t.prepend;
    return (v) => prefix + textOf(v);
  }
  if ("replace" in t) {
    const [from, to] = [t.replace[0]!, t.replace[1]!];
    return (v) => textOf(v).replaceAll(from, to);
  }
  const [from, length] = [t.substring[0]!, t.substring[1]];
  return (v) => {
    // character (code point) offsets, clamped to the string
    const chars = [...textOf(v)];
    const start = Math.min(from, chars.length);
    const end = length !== undefined ? Math.min(chars.length, start + length) : chars.length;
    return chars.slice(start, end).join("");
  };
}

/** A number for `min`/`max`: numbers, numeric strings, booleans (1/0); undefined otherwise. */
export function numeric(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
