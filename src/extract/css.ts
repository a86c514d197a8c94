/**
 * CSS selectors over an HTML body (`type: css` extractors, chain `css:` sources): each selected
 * element's text (all descendant text, concatenated) or, with `attribute`, that attribute's value
 * (elements without it are skipped). Selector compiled once; a bad one throws at compile time.
 */
import { compile as compileSelector } from "css-select";
import { getAttributeValue, textContent } from "domutils";
import { htmlOf } from "./markup.ts";
import type { ResponseView } from "./response-view.ts";
import type { Matcher } from "./specs.ts";

export class CssSyntaxError extends Error {}

export function compileCss(selector: string, attribute: string | undefined): (r: ResponseView, limit: number) => string[] {
  let test: ReturnType<typeof compileSelector>;
  try {
    test = compileSelector(selector);
  } catch (e) {
    throw new CssSyntaxError(`invalid CSS selector \`${selector}\`: ${(e as Error).message}`);
  }
  return (r, limit) => {
    const out: string[] = [];
    const walk = (nodes: any[]): boolean => {
      for (const n of nodes) {
        if (n.type === "tag" || n.type === "script" || n.type === "style") {
          if (test(n)) {
            const v = attribute === undefined ? textContent(n) : getAttributeValue(n, attribute);
            if (v !== undefined) out.push(v);
            if (out.length >= limit) return true;
          }
          if (n.children && walk(n.children)) return true;
        }
      }
      return false;
    };
    walk(htmlOf(r).children as any[]);
    return out;
  };
}

export function cssMatcher(spec: { expression: string; attribute?: string }): Matcher {
  const select = compileCss(spec.expression, spec.attribute);
  return {
    describe: `css ${spec.expression}${spec.attribute !== undefined ? ` @${spec.attribute}` : ""}`,
    matches: (r, limit) => select(r, limit),
  };
}
