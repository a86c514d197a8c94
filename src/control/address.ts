/** `host:port` addresses of the control API, for the server (--api) and the CLI clients (--address). */

export const DEFAULT_API_ADDRESS = "127.0.0.1:6565";

export interface Address {
  hostname: string;
  port: number;
}

/** Parse `host:port`, `[v6]:port` or `:port` (loopback); throws an Error saying what is expected. */
export function parseAddress(text: string): Address {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`\`${text}\` is not an address: use host:port, e.g. ${DEFAULT_API_ADDRESS}`);
  return { hostname: m[1] ?? (m[2] || "127.0.0.1"), port };
}

export function addressUrl(a: Address): string {
  return `http://${a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname}:${a.port}`;
}
