/**
 * The response as extractors and checks see it. One view is made per response and shared by every
 * extractor and condition of that request, so the body is decoded to text at most once and parsed
 * as JSON at most once, however many of them look at it.
 */
import type { ByteRange } from "../protocols/byte-range.ts";
import type { HeaderBlock } from "../protocols/header-block.ts";
import { lossyText } from "../protocols/lossy-text.ts";
import type { ProtocolResponse } from "../protocols/types.ts";

export interface ResponseView {
  status: number;
  /** wire order, names as received */
  headers: [string, string][];
  /** the headers as received, when the protocol kept them (see ProtocolResponse.headerBlock) */
  readonly headerBlock?: HeaderBlock | null;
  body: Uint8Array;
  /** the body's bytes where the protocol holds them, when it can say (see ProtocolResponse.bodyRange) */
  bodyRange?(): ByteRange | null;
  /** body as UTF-8 text, invalid sequences replaced by U+FFFD (never throws); decoded once */
  text(): string;
  /** body parsed as JSON; `undefined` when it is not JSON; parsed once */
  json(): unknown;
  /** timings.duration (sending + waiting + receiving), ms */
  durationMs: number;
  /** protocol-specific data (a plugin response's `extras`); undefined for HTTP */
  extras?: unknown;
}


const UNSET: unique symbol = Symbol("unset");
const EMPTY = new Uint8Array(0);

/** The view made by makeResponseView; the counters let tests prove "at most once". */
export class BufferedResponseView implements ResponseView {
  readonly status: number;
  readonly durationMs: number;
  readonly extras: unknown;
  #text: string | undefined;
  #json: unknown = UNSET;
  #decodes = 0;
  #parses = 0;

  /** `discardBody`: defaults.http.discard_response_bodies — extractors and checks see an empty body */
  constructor(
    private readonly r: ProtocolResponse,
    private readonly discardBody = false,
  ) {
    this.status = r.status;
    this.durationMs = r.timings.duration;
    this.extras = r.extras ?? undefined;
  }

  /** read through: an HTTP response splits its headers only when asked (protocols/http/response.ts) */
  get headers(): [string, string][] {
    return this.r.headers;
  }

  /** read through too: an HTTP body is sliced out of its socket chunk only when its bytes are asked for */
  get body(): Uint8Array {
    return this.discardBody ? EMPTY : this.r.body;
  }

  get headerBlock(): HeaderBlock | null {
    return this.r.headerBlock ?? null;
  }

  bodyRange(): ByteRange | null {
    return this.discardBody || this.r.bodyRange === undefined ? null : this.r.bodyRange();
  }

  text(): string {
    if (this.#text === undefined) {
      this.#decodes++;
      const r = this.r;
      this.#text = this.discardBody ? "" : r.bodyText !== undefined ? r.bodyText() : lossyText(r.body);
    }
    return this.#text;
  }

  json(): unknown {
    if (this.#json === UNSET) {
      this.#parses++;
      const t = this.text();
      // The reference parses with serde_json and treats a failure as "no value" (→ no match).
      try {
        this.#json = t.length === 0 ? undefined : JSON.parse(t);
      } catch {
        this.#json = undefined;
      }
    }
    return this.#json;
  }

  /** First header with this name, case-insensitively. */
  header(name: string): string | undefined {
    return findHeader(this.headers, name.toLowerCase());
  }

  /** for tests: how many times the body was decoded / parsed (each must stay ≤ 1) */
  get textDecodeCount(): number {
    return this.#decodes;
  }
  get jsonParseCount(): number {
    return this.#parses;
  }
}

export function makeResponseView(r: ProtocolResponse, discardBody = false): BufferedResponseView {
  return new BufferedResponseView(r, discardBody);
}

/**
 * First header value whose name equals `lowerName` case-insensitively. Takes the name already
 * lower-cased so compiled extractors/conditions lower-case it once, not per response. A free
 * function (not a view method) so it works on any ResponseView the engine might build.
 */
export function findHeader(headers: readonly (readonly [string, string])[], lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    // Cheap length test first: most headers differ in length and skip the lower-casing.
    if (h[0].length === lowerName.length && h[0].toLowerCase() === lowerName) return h[1];
  }
  return undefined;
}
