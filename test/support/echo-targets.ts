/**
 * Echo targets (src/services/echo/) for one test file: started before its tests and stopped
 * after them (the protocol tests call handlers and clients against them).
 */
import { afterAll, beforeAll } from "bun:test";
import { startEcho, type EchoServer } from "../../src/services/echo/server.ts";

/** One plain echo target. */
export function echoTarget(): { readonly plain: EchoServer } {
  const t = {} as { plain: EchoServer };
  beforeAll(async () => {
    t.plain = await startEcho({});
  });
  afterAll(async () => {
    await t.plain.stop();
  });
  return t;
}

/** A plain and a TLS echo target. */
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
