/** Bun.serve on a `host:port` an output or the dashboard was given, with one clear line on failure. */
import type { Server } from "bun";
import { hostPort } from "./spec.ts";

export function serveOn(addr: string, what: string, fetch: (req: Request, server: Server<undefined>) => Response | Promise<Response | undefined> | undefined): Server<undefined> {
  const { host, port } = hostPort(addr, what);
  try {
    return Bun.serve({ hostname: host, port, idleTimeout: 0, fetch: fetch as any });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EADDRINUSE" ? "the port is in use (choose another, e.g. port 0 for any free one)" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new Error(`cannot listen on ${addr}: ${why}`);
  }
}
