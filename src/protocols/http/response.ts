/**
 * What HttpClient.request answers for a received response. `headers` and `body` are read through
 * to the exchange, which splits the headers from the head text and slices the body out of the
 * socket chunk only when someone asks (response-parser.ts): a plain load loop never does.
 */
import type { ByteRange } from "../byte-range.ts";
import type { HeaderBlock } from "../header-block.ts";
import { lossyText } from "../lossy-text.ts";
import type { ProtocolResponse, Timings } from "../types.ts";
import type { Exchange } from "./exchange.ts";

export class HttpResponse implements ProtocolResponse {
  readonly status: number;
  readonly statusText: string;
  readonly protocolVersion: string;

  constructor(
    private readonly ex: Exchange,
    /** the body after content decoding; null = the raw body (no content-encoding) */
    private readonly decoded: Uint8Array | null,
    readonly timings: Timings,
    readonly bytesSent: number,
    readonly bytesReceived: number,
    readonly url: string,
  ) {
    this.status = ex.status;
    this.statusText = ex.statusText;
    this.protocolVersion = ex.version;
  }

  get headers(): [string, string][] {
    return this.ex.headers;
  }

  get headerBlock(): HeaderBlock | null {
    return this.ex.headerBlock;
  }

  get body(): Uint8Array {
    return this.decoded ?? this.ex.rawBody;
  }

  /** the body's bytes where they lie (ProtocolResponse.bodyRange), when it was not content-encoded */
  bodyRange(): ByteRange | null {
    return this.decoded === null ? this.ex.rawBodyRange() : null;
  }

  /** the body as text (ProtocolResponse.bodyText), decoded from the socket chunk when it was not content-encoded */
  bodyText(): string {
    return this.decoded === null ? this.ex.rawBodyText() : lossyText(this.decoded);
  }
}
