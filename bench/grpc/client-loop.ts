/**
 * The gRPC bench's bare client: @grpc/grpc-js under Bun, `concurrency` loops of unary
 * loadr.test.Echo/UnaryEcho calls on one channel each for `seconds`, then one line of JSON
 * `{calls, seconds}`. What loadr's gRPC handler is measured against (bench/lib/h2grpc-bench.ts).
 *   bun bench/grpc/client-loop.ts <port> <concurrency> <seconds>
 */
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { resolve } from "node:path";

const [port, concurrency, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const root = protobuf.loadSync(resolve(import.meta.dir, "../../src/services/echo/protos/echo.proto"));
const Req = root.lookupType("loadr.test.EchoRequest");
const Res = root.lookupType("loadr.test.EchoResponse");
const serialize = (o: object) => Buffer.from(Req.encode(Req.fromObject(o)).finish());
const deserialize = (b: Buffer) => Res.toObject(Res.decode(b));
// one channel per loop, as loadr has one per VU (a local subchannel pool: no sharing between them)
const clients = Array.from({ length: concurrency }, () => new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }));
const one = (c: grpc.Client, i: number) =>
  new Promise<void>((ok, fail) => c.makeUnaryRequest("/loadr.test.Echo/UnaryEcho", serialize, deserialize, { message: `vu-${i}` }, new grpc.Metadata(), {}, (e) => (e ? fail(e) : ok())));
await Promise.all(clients.map((c, i) => one(c, i)));
const t0 = performance.now();
const end = t0 + seconds * 1000;
let calls = 0;
await Promise.all(
  clients.map(async (c, i) => {
    while (performance.now() < end) {
      await one(c, i);
      calls++;
    }
  }),
);
console.log(JSON.stringify({ calls, seconds: (performance.now() - t0) / 1000 }));
for (const c of clients) c.close();
