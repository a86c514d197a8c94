/**
 * The gRPC bench's target: a bare @grpc/grpc-js server (loadr.test.Echo/UnaryEcho from the echo
 * target's proto), started by bench/lib/h2grpc-bench.ts on the target core. Prints its port.
 *   bun bench/grpc/server.ts
 */
import * as grpc from "@grpc/grpc-js";
import * as loader from "@grpc/proto-loader";
import { resolve } from "node:path";

const def = loader.loadSync(resolve(import.meta.dir, "../../src/services/echo/protos/echo.proto"));
const pkg = grpc.loadPackageDefinition(def) as unknown as { loadr: { test: { Echo: { service: grpc.ServiceDefinition } } } };
const server = new grpc.Server();
server.addService(pkg.loadr.test.Echo.service, {
  UnaryEcho: (call: grpc.ServerUnaryCall<{ message: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { message: call.request.message, index: 0 }),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, port) => {
  if (e) {
    console.error(e.message);
    process.exit(1);
  }
  console.log(port);
});
