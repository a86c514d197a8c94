/**
 * HTTP as a protocol handler (../handler.ts): each VU's state is its own HttpClient — its
 * keep-alive pool and cookie jar — opened on the VU's first HTTP request and closed with the VU.
 * Unless `defaults.http.version` is `http1`, the client is the one that also speaks HTTP/2
 * (h2-client.ts), whose sessions a VU's parallel branches share.
 */
import type { PerVuState, ProtocolHandler } from "../handler.ts";
import type { ProtocolRequest, ProtocolResponse } from "../types.ts";
import { HttpClient, type HttpClientOptions } from "./client.ts";
import type { RouteProblem, StepView } from "../../plan/protocol-check.ts";
import { cleartextHttp2Message, Http2Client, h2Settings } from "./h2-client.ts";
import { emitHttpSamples, httpFailed, HTTP_METRICS } from "./metrics.ts";

/** `version: http2` negotiates by TLS ALPN: an http:// URL the plan spells out cannot be sent. */
function checkHttpStep(step: StepView): RouteProblem | undefined {
  if (step.context?.httpVersion === "http2" && /^http:\/\//i.test(step.url)) return { field: "url", message: cleartextHttp2Message(step.url) };
  return undefined;
}

/** How the router knows HTTP before any handler exists (the main thread's plan check). */
export const HTTP_INFO = { name: "http", optionBlocks: [] as readonly string[], checkStep: checkHttpStep };

export class HttpHandler implements ProtocolHandler<HttpClient> {
  readonly name = HTTP_INFO.name;
  readonly optionBlocks = HTTP_INFO.optionBlocks;
  readonly checkStep = HTTP_INFO.checkStep;
  readonly metrics = HTTP_METRICS;
  readonly perVu: PerVuState<HttpClient>;
  readonly emit = emitHttpSamples;
  readonly failed = httpFailed;

  constructor(options: HttpClientOptions) {
    const h2 = options.version === "http1" ? null : h2Settings(options);
    const open = (parent?: HttpClient) => (h2 === null ? new HttpClient(options) : new Http2Client(options, h2, (parent as Http2Client | undefined) ?? null));
    this.perVu = {
      open: () => open(),
      // a parallel branch: its own HTTP/1.1 connections, its VU's HTTP/2 sessions, a copy of the cookies (reference §2.8)
      branch: (parent: HttpClient) => {
        const c = open(parent);
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
