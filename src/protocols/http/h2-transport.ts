/**
 * What loads node:http2: the session pool and the stream exchange. h2-client.ts imports this on a
 * VU's first HTTP/2 request (and grpc/caller.ts with the gRPC handler), so a run that sends only
 * HTTP/1.1 never loads it.
 */
export { H2Exchange } from "./h2-exchange.ts";
export { H2Pool } from "./h2-session.ts";
