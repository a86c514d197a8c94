/**
 * XPath 1.0 over an XML body (`type: xpath` extractors and conditions, chain `xpath:` sources):
 * the string value of each selected node, trimmed; a string/number/boolean result is one value
 * (an empty string is no match). Compiled once; a bad expression throws at compile time.
 */
// Loaded with require() on purpose: the package's own typings pull in the DOM lib, which clashes
// with Bun's types. The little of its API used here is typed below (xpath 0.0.34, pinned).
interface XPathExpr {
  evaluate(o: { node: unknown }): { toArray?(): any[]; stringValue(): unknown };
}
const xpath = require("xpath") as { parse(expression: string): XPathExpr };
import { xmlOf } from "./markup.ts";
import type { ResponseView } from "./response-view.ts";
import type { Matcher } from "./specs.ts";

export class XPathSyntaxError extends Error {}

export interface CompiledXPath {
  /** all values in document order, or an Error when the body is not XML */
  values(r: ResponseView): string[] | Error;
}

export function compileXPath(expression: string): CompiledXPath {
  let q: XPathExpr;
  try {
    q = xpath.parse(expression);
  } catch (e) {
    throw new XPathSyntaxError(`invalid XPath \`${expression}\`: ${(e as Error).message}`);
  }
  return {
    values(r) {
      const doc = xmlOf(r);
      if (doc instanceof Error) return doc;
      let res: any;
      try {
        res = q.evaluate({ node: doc });
      } catch (e) {
        return new Error(`xpath ${expression} failed: ${(e as Error).message}`);
      }
      if (typeof res?.toArray === "function") {
        const out: string[] = [];
        for (const n of res.toArray() as any[]) {
          const s = String(n.nodeType === 2 ? n.value : (n.textContent ?? n.nodeValue ?? "")).trim();
          out.push(s);
        }
        return out;
      }
      const s = String(res.stringValue()).trim();
      return s === "" ? [] : [s];
    },
  };
}

export function xpathMatcher(spec: { expression: string }): Matcher {
  const q = compileXPath(spec.expression);
  return {
    describe: `xpath ${spec.expression}`,
    matches(r) {
      const v = q.values(r);
      if (v instanceof Error) throw v;
      return v.length > 0 && v[0] !== "" ? [v[0]] : [];
    },
  };
}
