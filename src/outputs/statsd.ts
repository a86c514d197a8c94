/**
 * `statsd` output (reference §4): every raw sample over UDP — counter `<p><m>:<v>|c`, gauge `|g`,
 * trend `|ms`, rate `<p><m>:1|c` or `:0|c`; tags as DogStatsD `|#k:v,...`; lines packed into
 * datagrams of at most 1400 bytes. UDP never waits: a datagram the socket cannot take is counted.
 * Nothing listening on the port is not fatal either: the kernel reports the ICMP "port
 * unreachable" as ECONNREFUSED on a later send or receive; it is warned once and counted (an
 * unhandled receive error used to crash Bun and lose the run's summary).
 */
import type { udp } from "bun";
import type { OutputContext } from "./registry.ts";
import type { Output, SamplePoint } from "./types.ts";
import { hostPort } from "./spec.ts";

const MAX_DATAGRAM = 1400;

export function statsdOutput(spec: { address: string; prefix: string }, ctx: OutputContext): Output {
  let socket: udp.Socket<"buffer"> | undefined;
  let target = { host: "", port: 0 };
  let dropped = 0;
  let refused = 0;
  const unreachable = (e: Error) => {
    refused++;
    ctx.problem("statsd", `nothing receives datagrams at ${spec.address} (${e.message}); datagrams keep being sent`);
  };
  const tagCache = new WeakMap<object, string>();
  const tagSuffix = (t: Record<string, string>) => {
    let s = tagCache.get(t);
    if (s === undefined) {
      const keys = Object.keys(t).sort();
      s = keys.length ? "|#" + keys.map((k) => `${clean(k)}:${clean(t[k]!)}`).join(",") : "";
      tagCache.set(t, s);
    }
    return s;
  };
  const send = (payload: string) => {
    try {
      if (!socket?.send(payload, target.port, target.host)) dropped++;
    } catch (e) {
      unreachable(e as Error);
    }
  };
  return {
    name: "statsd",
    wantsSamples: true,
    async start() {
      target = hostPort(spec.address, "statsd address");
      try {
        socket = await Bun.udpSocket({
          hostname: target.host.includes(":") ? "::" : "0.0.0.0",
          // Bun 1.4.4 passes the error alone, where bun-types declare (socket, error)
          socket: { error: (...args: unknown[]) => unreachable(args.find((a) => a instanceof Error) ?? new Error(String(args[0]))) },
        });
      } catch (e) {
        throw new Error(`cannot open a UDP socket: ${(e as Error).message}`);
      }
    },
    onSamples(batch: readonly SamplePoint[]) {
      let buf = "";
      for (const p of batch) {
        const line = statsdLine(spec.prefix, p) + tagSuffix(p.tags);
        if (buf.length > 0 && buf.length + 1 + line.length > MAX_DATAGRAM) {
          send(buf);
          buf = "";
        }
        buf = buf.length ? buf + "\n" + line : line;
      }
      if (buf) send(buf);
    },
    onSnapshot() {},
    abort() {
      socket?.close();
    },
    async finish() {
      socket?.close();
      if (dropped > 0) ctx.note(`statsd output: ${dropped} datagram(s) could not be sent (socket busy)`);
      if (refused > 0) ctx.note(`statsd output: ${refused} datagram(s) were refused by ${spec.address} (nothing listening)`);
    },
  };
}

export function statsdLine(prefix: string, p: SamplePoint): string {
  const m = prefix + clean(p.metric);
  switch (p.kind) {
    case "gauge":
      return `${m}:${p.value}|g`;
    case "trend":
      return `${m}:${p.value}|ms`;
    case "rate":
      return `${m}:${p.value ? 1 : 0}|c`;
    default:
      return `${m}:${p.value}|c`;
  }
}

/** StatsD's separators (`:`, `|`, `,`, `#`, newline) cannot appear in names or tag values. */
function clean(s: string): string {
  return s.replace(/[:|,#\n@]/g, "_");
}
