/**
 * The built-in handlers of one worker router, called directly (in-process) for the stream
 * protocols' tests: a handler's whole behaviour against a real server, without a plan run.
 */
import { builtinRouter } from "../../src/protocols/builtins.ts";
import type { HttpClientOptions } from "../../src/protocols/http/options.ts";
import type { ProtocolRequest, ProtocolResponse } from "../../src/protocols/types.ts";

const HTTP: HttpClientOptions = { keepAlive: true, compression: true, cookies: true, followRedirects: true, maxRedirects: 10, hosts: {}, tls: {} };

export function streamHandlers(http: Partial<HttpClientOptions> = {}) {
  const router = builtinRouter({ ...HTTP, ...http });
  return {
    router,
    /** one request to the handler named `name`, with a fresh per-VU state when it keeps one */
    async call(name: string, req: Partial<ProtocolRequest> & { url: string }): Promise<ProtocolResponse> {
      const r = router.named(name)!;
      const state = r.handler.perVu?.open();
      try {
        return await r.handler.call({ name: "t", method: "GET", headers: [], timeoutMs: 5000, ...req }, state);
      } finally {
        if (state !== undefined) r.handler.perVu!.close(state);
      }
    },
  };
}

export const text = (r: ProtocolResponse) => new TextDecoder().decode(r.body);
export const utf8 = (s: string) => new TextEncoder().encode(s);
