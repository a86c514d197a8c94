/**
 * The socket an HTTP/2 session runs on (HTTP/2 requests and gRPC channels alike): `hosts`
 * pinning, DNS, TCP, a CONNECT tunnel through the proxy when one is set, then TLS with ALPN.
 * node:net / node:tls sockets, because node:http2 runs its sessions over them (the HTTP/1.1
 * client's Bun.connect sockets are not node streams). Timed as HTTP/1.1's connections are
 * (connecting, tls) and its failures worded as errors.ts words them, so they land in the same
 * error_kind.
 */
import net, { isIP } from "node:net";
import tls from "node:tls";
import { socketErrorMessage } from "./errors.ts";
import type { HttpTlsOptions } from "./options.ts";
import { connectRequest, type Proxy } from "./proxy.ts";
import { pinAddress, resolveHost } from "./resolve.ts";
import type { Target } from "./url.ts";

/** Where and how to open one HTTP/2 connection. */
export interface H2Dial {
  /** the session pool's key: the origin */
  key: string;
  /** the address to connect to: the target after `hosts` pinning, or the proxy */
  host: string;
  port: number;
  /** CONNECT request to send first (a proxy is set), else null */
  tunnel: string | null;
  /** TLS to the origin (inside the tunnel when there is one), with the ALPN protocols to offer; null = cleartext (h2c) */
  tls: tls.ConnectionOptions | null;
  /** "host:port" for messages */
  where: string;
}

export interface Dialled {
  socket: net.Socket;
  /** the protocol ALPN chose ("h2", "http/1.1"), or null for cleartext / no ALPN */
  alpn: string | null;
  /** performance.now() marks: TCP connected (or tunnel open), TLS done (0 without TLS) */
  tConnectStart: number;
  tConnected: number;
  tTlsDone: number;
}

/** Something that can cancel a dial in progress (the request's deadline). */
export interface DialHandle {
  socket: net.Socket | null;
}

const TLS_VERSION = { "1.2": "TLSv1.2", "1.3": "TLSv1.3" } as const;

/** node:tls options from the plan's TLS settings (the per-origin part, SNI and ALPN, is added by h2DialFor). */
export function nodeTlsOptions(o: HttpTlsOptions): tls.ConnectionOptions | string {
  if ((o.cert === undefined) !== (o.key === undefined)) return "invalid tls config: cert and key must both be set or both absent";
  if (o.minVersion === "1.3" && o.maxVersion === "1.2") return "invalid tls config: min_version 1.3 is above max_version 1.2";
  const t: tls.ConnectionOptions = {
    rejectUnauthorized: o.insecureSkipVerify !== true,
    minVersion: TLS_VERSION[o.minVersion ?? "1.2"],
  };
  if (o.maxVersion !== undefined) t.maxVersion = TLS_VERSION[o.maxVersion];
  if (o.ca !== undefined) t.ca = o.ca;
  if (o.cert !== undefined) t.cert = o.cert;
  if (o.key !== undefined) t.key = o.key;
  return t;
}

/** The dial for `target`: pinned address or proxy, SNI, the ALPN protocols to offer (`alpn` null = cleartext h2). */
export function h2DialFor(
  target: Target,
  hosts: Record<string, string>,
  proxy: Proxy | null,
  baseTls: tls.ConnectionOptions,
  serverName: string | undefined,
  alpn: string[] | null,
): H2Dial {
  // `host` is the name the certificate is checked against; SNI carries it unless it is an IP (TLS forbids that)
  const name = serverName ?? target.hostname;
  const t = alpn === null ? null : { ...baseTls, host: name, ...(isIP(name) === 0 ? { servername: name } : {}), ALPNProtocols: alpn };
  const where = `${target.hostname}:${target.port}`;
  if (proxy === null) {
    const a = pinAddress(hosts, target.hostname, target.port);
    return { key: target.origin, host: a.host, port: a.port, tunnel: null, tls: t, where };
  }
  // pinning applies to the host we actually connect to: the proxy
  const a = pinAddress(hosts, proxy.host, proxy.port);
  return { key: target.origin, host: a.host, port: a.port, tunnel: connectRequest(`${target.host}:${target.port}`, proxy.authorization), tls: t, where };
}

/** Opens the socket; rejects with a classified message. `handle.socket` is the socket being opened. */
export async function dialH2(d: H2Dial, handle: DialHandle): Promise<Dialled> {
  const tConnectStart = performance.now();
  const ip = await resolveHost(d.host);
  const raw = net.connect({ host: ip, port: d.port, noDelay: true });
  handle.socket = raw;
  await once(raw, "connect", d.where);
  if (d.tunnel !== null) await openTunnel(raw, d.tunnel);
  const tConnected = performance.now();
  if (d.tls === null) return { socket: raw, alpn: null, tConnectStart, tConnected, tTlsDone: 0 };
  const s = tls.connect({ ...d.tls, socket: raw });
  handle.socket = s;
  try {
    await once(s, "secureConnect", d.where);
  } catch (e) {
    raw.destroy();
    throw new Error(tlsMessage((e as Error).message));
  }
  return { socket: s, alpn: typeof s.alpnProtocol === "string" ? s.alpnProtocol : null, tConnectStart, tConnected, tTlsDone: performance.now() };
}

/** worded as the HTTP/1.1 client words a failed handshake (classifyError: `tls`) */
function tlsMessage(m: string): string {
  return `tls handshake failed: ${m}`;
}

function once(s: net.Socket, event: string, where: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ok = () => {
      s.off("error", bad);
      s.off("close", closed);
      resolve();
    };
    const bad = (e: Error) => {
      s.off(event, ok);
      s.off("close", closed);
      s.destroy();
      reject(new Error(socketErrorMessage(e, where)));
    };
    const closed = () => {
      s.off(event, ok);
      s.off("error", bad);
      reject(new Error(`connection closed before the connection was established (${where})`));
    };
    s.once(event, ok);
    s.once("error", bad);
    s.once("close", closed);
  });
}

const MAX_CONNECT_RESPONSE = 16 * 1024;

/** CONNECT through the proxy; resolves once it answered 2xx. */
function openTunnel(s: net.Socket, request: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const fail = (m: string) => {
      s.off("data", onData);
      s.off("close", onClose);
      s.off("error", onError);
      s.destroy();
      reject(new Error(m));
    };
    const onData = (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buf.length > MAX_CONNECT_RESPONSE) fail("proxy CONNECT failed: response head too large");
        return;
      }
      s.off("data", onData);
      s.off("close", onClose);
      s.off("error", onError);
      s.pause();
      const line = buf.toString("latin1", 0, buf.indexOf("\r\n"));
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(line);
      if (m === null) return fail(`proxy CONNECT failed: invalid response ${JSON.stringify(line.slice(0, 60))}`);
      const status = Number(m[1]);
      if (status < 200 || status > 299) return fail(`proxy CONNECT failed: ${line.slice(9)}`);
      if (end + 4 < buf.length) return fail("proxy CONNECT failed: proxy sent data before the tunnel was established");
      resolve();
    };
    const onClose = () => fail("proxy CONNECT failed: proxy closed the connection");
    const onError = (e: Error) => fail(`proxy CONNECT failed: ${socketErrorMessage(e, "proxy")}`);
    s.on("data", onData);
    s.once("close", onClose);
    s.once("error", onError);
    s.write(request);
  });
}
