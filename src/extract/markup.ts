/**
 * XML and HTML documents of a response, parsed at most once per response however many xpath/css
 * extractors and conditions look at it (a WeakMap beside the view, so the ResponseView contract
 * stays as it is and nothing is kept once the response is gone).
 */
import { DOMParser } from "@xmldom/xmldom";
import { parseDocument } from "htmlparser2";
import type { ResponseView } from "./response-view.ts";

type XmlDoc = ReturnType<DOMParser["parseFromString"]>;
type HtmlDoc = ReturnType<typeof parseDocument>;

const xmlDocs = new WeakMap<ResponseView, XmlDoc | Error>();
const htmlDocs = new WeakMap<ResponseView, HtmlDoc>();

/** The body as an XML document; an Error (one line) when it is not well-formed XML. */
export function xmlOf(r: ResponseView): XmlDoc | Error {
  let d = xmlDocs.get(r);
  if (d === undefined) {
    try {
      d = new DOMParser({
        onError: (level: string, msg: string) => {
          if (level !== "warning") throw new Error(msg);
        },
      }).parseFromString(r.text(), "text/xml");
    } catch (e) {
      d = new Error(`response is not well-formed XML: ${firstLine(e)}`);
    }
    xmlDocs.set(r, d);
  }
  return d;
}

/** The body as an HTML document (HTML parsing never fails: it is forgiving by design). */
export function htmlOf(r: ResponseView): HtmlDoc {
  let d = htmlDocs.get(r);
  if (d === undefined) htmlDocs.set(r, (d = parseDocument(r.text())));
  return d;
}

function firstLine(e: unknown): string {
  const m = String((e as Error)?.message ?? e).split("\n", 1)[0]!;
  return m.replace(/^\[xmldom [^\]]*\]\s*/, "").replace(/^Reporting fatalError "(.*)" caused .*$/, "$1");
}
