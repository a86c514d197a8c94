/**
 * A plain and a TLS echo target (src/services/echo/) for one test file: both started before its
 * tests and stopped after them (the stream protocols' tests call handlers against both).
 */
import { afterAll, beforeAll } from "bun:test";
import { startEcho, type EchoServer } from "../../src/services/echo/server.ts";

export function echoTargets(): { readonly plain: EchoServer; readonly tls: EchoServer } {
  const t = {} as { plain: EchoServer; tls: EchoServer };
  beforeAll(async () => {
    t.plain = await startEcho({});
    t.tls = await startEcho({ tls: true });
  });
  afterAll(async () => {
    await t.plain.stop();
    await t.tls.stop();
  });
  return t;
}
