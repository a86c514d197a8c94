/**
 * HTTP/1.1 as a protocol handler (../handler.ts): each VU's state is its own HttpClient — its
 * keep-alive pool and cookie jar — opened on the VU's first HTTP request and closed with the VU.
 */
import type { PerVuState, ProtocolHandler } from "../handler.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { HttpClient, type HttpClientOptions } from "./client.ts";
import { emitHttpSamples, httpFailed, HTTP_METRICS } from "./metrics.ts";

/** How the router knows HTTP before any handler exists (the main thread's plan check). */
export const HTTP_INFO = { name: "http", optionBlocks: [] as readonly string[] };

export class HttpHandler implements ProtocolHandler<HttpClient> {
  readonly name = HTTP_INFO.name;
  readonly optionBlocks = HTTP_INFO.optionBlocks;
  readonly metrics = HTTP_METRICS;
  readonly perVu: PerVuState<HttpClient>;
  readonly emit = emitHttpSamples;
  readonly failed = httpFailed;

  constructor(options: HttpClientOptions) {
    this.perVu = {
      open: () => new HttpClient(options),
      // a parallel branch: its own connections, a copy of the cookies (reference §2.8)
      branch: (parent: HttpClient) => {
        const c = new HttpClient(options);
        c.jar.load(parent.jar.all());
        return c;
      },
      close: (c: HttpClient) => c.close(),
    };
  }

  call(req: ProtocolRequest, client: HttpClient): Promise<ProtocolResponse> {
    return client.request(req);
  }
}
