/**
 * The echo target's raw TCP and UDP ports. TCP echoes every byte back and stays open until the
 * client closes — except a connection whose first bytes are `PING`, which gets `PONG\n` and is
 * closed, as the reference's example harness answers. UDP echoes each datagram to its sender
 * (`ok` for an empty one).
 */
import type { Socket, TCPSocketListener, udp } from "bun";

interface Conn {
  first: boolean;
}

export interface SocketServers {
  tcpPort: number;
  udpPort: number;
  stop(): void;
}

export async function startSockets(host: string, tcpPort = 0, udpPort = 0): Promise<SocketServers> {
  const tcp: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: host,
    port: tcpPort,
    socket: {
      open(s) {
        s.data = { first: true };
      },
      data(s: Socket<Conn>, d: Buffer) {
        if (s.data.first && d.subarray(0, 4).toString("latin1") === "PING") {
          s.end("PONG\n");
          return;
        }
        s.data.first = false;
        s.write(d);
      },
      error() {},
    },
  });
  let u: udp.Socket<"buffer">;
  try {
    u = await Bun.udpSocket({
      hostname: host,
      port: udpPort,
      socket: {
        data(s, d, port, addr) {
          s.send(d.length > 0 ? d : "ok", port, addr);
        },
        // a client gone before its answer: Bun 1.4.4 crashes on an unhandled socket error (see src/outputs/statsd.ts)
        error() {},
      },
    });
  } catch (e) {
    tcp.stop(true);
    throw e;
  }
  return {
    tcpPort: tcp.port,
    udpPort: u.port,
    stop() {
      tcp.stop(true);
      u.close();
    },
  };
}
