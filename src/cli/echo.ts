/** `loadr echo`: the built-in test target as a standalone server, until Ctrl-C. */
import { startEcho } from "../services/echo/server.ts";
import { intFlag, parse } from "./args.ts";
import { CliError } from "./errors.ts";

export const HELP = `Usage: loadr echo [--host 127.0.0.1] [--port 8080] [--tls]

Serves the built-in echo target (the endpoints of docs/echo.md: /, /echo, /status/{code},
/delay/{ms}, /json, /xml, /html, /cookies, /gzip, /redirect/{n}, /login, /large/{kb}, /headers,
/counter, WebSocket /ws and /ws/ack, SSE /events and /sse, GraphQL /graphql) until Ctrl-C, and
prints its URLs; the same endpoints over HTTP/2 (TLS and h2c) and the gRPC echo services with
reflection on two more ports, and raw TCP and UDP echo ports.

Options:
  --host <addr>   interface to bind (default 127.0.0.1)
  --port <n>      port (default 8080; 0 = any free port)
  --tls           serve HTTPS with a self-signed test certificate (for testing the TLS client)`;

export async function main(args: string[]): Promise<number> {
  const { values } = parse("echo", args, {
    host: { type: "string" },
    port: { type: "string" },
    tls: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const port = intFlag("port", values.port, 0) ?? 8080;
  const host = values.host ?? "127.0.0.1";
  const server = await startEcho({ host, port, tls: values.tls === true }).catch((e: Error) => {
    throw new CliError(`cannot serve on ${host}:${port}: ${e.message} (is the port in use? try --port 0)`);
  });
  process.stdout.write(`echo target listening on ${server.url} — Ctrl-C to stop\n`);
  process.stdout.write(`  HTTP/2: ${server.h2Url} (TLS), ${server.h2cUrl} (h2c); gRPC: ${server.grpcUrl}, ${server.grpcsUrl}\n`);
  process.stdout.write(`  websocket ${server.wsUrl}  sse ${server.sseUrl}  graphql ${server.graphqlUrl}\n  tcp ${server.tcpUrl}  udp ${server.udpUrl}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.stop();
  return 0;
}
