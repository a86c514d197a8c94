/** `loadr run --api <addr>`: the control API on its own loopback server (off by default). */
import { addressUrl, parseAddress } from "./address.ts";
import { controlHandler, type Controllable } from "./handler.ts";

export interface ControlServer {
  url: string;
  stop(): void;
}

export function startControlServer(address: string, run: Controllable): ControlServer {
  const a = parseAddress(address);
  const handle = controlHandler(run);
  let server;
  try {
    server = Bun.serve({
      hostname: a.hostname,
      port: a.port,
      fetch: async (req) => (await handle(req)) ?? Response.json({ error: "not found: the control API lives under /v1/" }, { status: 404 }),
    });
  } catch (e) {
    throw new Error(`cannot serve the control API on ${address}: ${(e as Error).message} (pick another port with --api host:port)`);
  }
  return { url: addressUrl({ hostname: a.hostname, port: server.port ?? a.port }), stop: () => void server.stop(true) };
}
