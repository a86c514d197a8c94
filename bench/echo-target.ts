/**
 * The echo target as its own process, for the bench when nginx is absent (so it can be pinned
 * to its own core and does not share an event loop with the harness).
 * usage: bun bench/echo-target.ts <port>   — stops on SIGTERM/SIGINT.
 */
import { startEcho } from "../src/services/echo/server.ts";

const server = await startEcho({ port: Number(process.argv[2] ?? 0) });
console.log(server.url);
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    void server.stop().then(() => process.exit(0));
  });
}
