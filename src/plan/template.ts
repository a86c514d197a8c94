/**
 * `${...}` templates (§1.11). Compiled once per worker, rendered per request — so rendering a
 * static template is a single field read and a dynamic one a walk over pre-split parts.
 * Resolution of names belongs to the engine; it is passed in as a callback.
 */

export type TemplatePart = string | { expr: string };
export type Template =
  | { kind: "static"; text: string }
  | { kind: "dynamic"; source: string; parts: TemplatePart[] };

/** A syntax error in a template, with the reference's message. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** UTF-8 byte offset of the offending `${`, as the reference reports it. */
    readonly byte: number,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

/** Thrown by render when the resolver returns undefined for an expression. */
export class UnresolvedError extends Error {
  constructor(readonly expr: string) {
    super(`unresolved variable \`${expr}\``);
    this.name = "UnresolvedError";
  }
}

const encoder = new TextEncoder();
const byteOffset = (s: string, i: number) => encoder.encode(s.slice(0, i)).length;

export function compileTemplate(src: string): Template {
  // Fast path: most strings (paths, header values) contain no `$` at all.
  if (!src.includes("${")) return { kind: "static", text: src };
  const parts: TemplatePart[] = [];
  let lit = "";
  let i = 0;
  while (i < src.length) {
    if (src.startsWith("$${", i)) {
      lit += "${";
      i += 3;
      continue;
    }
    if (!src.startsWith("${", i)) {
      lit += src[i];
      i++;
      continue;
    }
    // Brace counting, so `${js: ({a:1}).a}` keeps its inner braces.
    const start = i;
    let depth = 1;
    let j = i + 2;
    while (j < src.length && depth > 0) {
      const c = src[j];
      if (c === "{") depth++;
      else if (c === "}") depth--;
      j++;
    }
    if (depth > 0) {
      const at = byteOffset(src, start);
      throw new TemplateError(
        `unterminated \`\${\` starting at byte ${at}; close it with \`}\` or escape it as \`$\${\``,
        at,
      );
    }
    const expr = src.slice(start + 2, j - 1).trim();
    if (expr === "") {
      const at = byteOffset(src, start);
      throw new TemplateError(`empty \`\${}\` expression at byte ${at}`, at);
    }
    if (lit !== "") parts.push(lit);
    lit = "";
    parts.push({ expr });
    i = j;
  }
  if (lit !== "") parts.push(lit);
  if (parts.every((p) => typeof p === "string")) return { kind: "static", text: parts.join("") };
  return { kind: "dynamic", source: src, parts };
}

/** Strings verbatim; everything else as compact JSON (`null` → `null`). */
export function stringifyValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "null";
  return JSON.stringify(v) ?? "null";
}

export function renderTemplate(t: Template, resolve: (expr: string) => unknown): string {
  if (t.kind === "static") return t.text;
  let out = "";
  for (const p of t.parts) {
    if (typeof p === "string") out += p;
    else {
      const v = resolve(p.expr);
      if (v === undefined) throw new UnresolvedError(p.expr);
      out += stringifyValue(v);
    }
  }
  return out;
}

/** The expressions a template references, in order (used by validation). */
export function templateExprs(t: Template): string[] {
  return t.kind === "static" ? [] : t.parts.flatMap((p) => (typeof p === "string" ? [] : [p.expr]));
}

/**
 * A JSON value whose string leaves are templates. A leaf that is exactly one `${expr}` is
 * "typed": rendered, then parsed as JSON when it parses (`"${vu}"` → 7). Subtrees without any
 * template stay one static node, rendered by reference (callers must not mutate the result).
 */
export type JsonTemplate =
  | { kind: "static"; value: unknown }
  | { kind: "text"; template: Template }
  | { kind: "typed"; expr: string }
  | { kind: "array"; items: JsonTemplate[] }
  | { kind: "object"; entries: [string, JsonTemplate][] };

export function compileJsonTemplate(v: unknown): JsonTemplate {
  if (typeof v === "string") {
    const t = compileTemplate(v);
    if (t.kind === "static") return { kind: "static", value: t.text };
    if (t.parts.length === 1 && typeof t.parts[0] !== "string") return { kind: "typed", expr: t.parts[0]!.expr };
    return { kind: "text", template: t };
  }
  if (Array.isArray(v)) {
    const items = v.map(compileJsonTemplate);
    return items.every((i) => i.kind === "static") ? { kind: "static", value: v } : { kind: "array", items };
  }
  if (v !== null && typeof v === "object") {
    // Object keys are not templated (§1.11).
    const entries = Object.entries(v).map(([k, x]): [string, JsonTemplate] => [k, compileJsonTemplate(x)]);
    return entries.every(([, t]) => t.kind === "static") ? { kind: "static", value: v } : { kind: "object", entries };
  }
  return { kind: "static", value: v };
}

export function renderJsonTemplate(t: JsonTemplate, resolve: (expr: string) => unknown): unknown {
  switch (t.kind) {
    case "static":
      return t.value;
    case "text":
      return renderTemplate(t.template, resolve);
    case "typed": {
      const v = resolve(t.expr);
      if (v === undefined) throw new UnresolvedError(t.expr);
      // The reference renders to text and re-parses, so a string "123" becomes the number 123.
      const s = stringifyValue(v);
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    }
    case "array":
      return t.items.map((i) => renderJsonTemplate(i, resolve));
    case "object": {
      const o: Record<string, unknown> = {};
      for (const [k, x] of t.entries) o[k] = renderJsonTemplate(x, resolve);
      return o;
    }
  }
}
