/** A gRPC address (`grpc://host:port`, `grpcs://`, or `http(s)://` with `protocol: grpc`) as the HTTP/2 layer wants it. */
import type { Target } from "../http/url.ts";

/** Throws for what cannot be a gRPC address: another scheme, no host, no port (gRPC has no default one). */
export function grpcTarget(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid gRPC URL \`${url}\` (expected grpc://host:port or grpcs://host:port)`);
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  const secure = scheme === "grpcs" || scheme === "https";
  if (!secure && scheme !== "grpc" && scheme !== "http") throw new Error(`the grpc handler cannot handle scheme \`${scheme}\` (grpc://, grpcs://, http://, https://)`);
  if (u.hostname === "") throw new Error(`gRPC URL \`${url}\` has no host`);
  if (u.port === "") throw new Error(`gRPC URL \`${url}\` has no port (grpc://host:port)`);
  const host = u.hostname;
  const port = Number(u.port);
  const origin = `${secure ? "https" : "http"}://${host}:${port}`;
  return { href: url, secure, host, hostname: host.startsWith("[") ? host.slice(1, -1) : host, port, authority: `${host}:${port}`, origin, path: "/", pathname: "/" };
}
