/** Address resolution: `hosts` pinning, then DNS. */
import { isIP } from "node:net";

export interface Address {
  host: string;
  port: number;
}

/** Applies `hosts` pinning ("host:port" wins over "host"); the value is "ip", "ip:port" or "[v6]:port". */
export function pinAddress(hosts: Record<string, string>, hostname: string, port: number): Address {
  const pinned = hosts[`${hostname}:${port}`] ?? hosts[hostname];
  if (pinned === undefined) return { host: hostname, port };
  if (pinned.startsWith("[")) {
    const end = pinned.indexOf("]");
    const rest = pinned.slice(end + 1);
    return { host: pinned.slice(1, end), port: rest.startsWith(":") ? Number(rest.slice(1)) : port };
  }
  const colon = pinned.indexOf(":");
  if (colon > 0 && pinned.indexOf(":", colon + 1) < 0) {
    return { host: pinned.slice(0, colon), port: Number(pinned.slice(colon + 1)) };
  }
  return { host: pinned, port };
}

/**
 * Resolves a host name to an IP literal. Returns the IP synchronously when no lookup is needed
 * (IP literals, localhost) so the common case costs no promise.
 *
 * RFC 6761 names are answered here, without asking any resolver: `localhost` and `*.localhost` are
 * loopback, and `*.invalid` never resolves. Besides being correct, this keeps tests that use
 * `nonexistent.invalid` from sending a DNS query off the machine.
 */
export function resolveHost(host: string): string | Promise<string> {
  if (isIP(host) !== 0) return host;
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return "127.0.0.1";
  if (h === "invalid" || h.endsWith(".invalid")) {
    return Promise.reject(new Error(`dns error: failed to resolve ${host}: name does not resolve (RFC 6761 .invalid)`));
  }
  // Bun caches lookups (30 s, 256 entries), so repeated connections cost little
  return Bun.dns.lookup(host).then(
    (list) => {
      const first = list[0];
      if (first === undefined) throw new Error(`dns error: failed to resolve ${host}: no addresses`);
      return first.address;
    },
    (e: unknown) => {
      throw new Error(`dns error: failed to resolve ${host}: ${(e as Error)?.message ?? String(e)}`);
    },
  );
}
