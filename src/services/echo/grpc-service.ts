/**
 * The echo target's gRPC services, served on its HTTP/2 listeners (h2-server.ts):
 * `loadr.test.Echo` (protos/echo.proto: all four call shapes, the reference test server's
 * GrpcEchoServer plus a status and a delay to test clients with), `helloworld.Greeter`
 * (protos/helloworld.proto: the reference's example 10 runs against it) and server reflection
 * (v1 and v1alpha) describing both. Any other method answers UNIMPLEMENTED.
 */
import type http2 from "node:http2";
import protobuf from "protobufjs";
import { FrameReader, frame } from "../../protocols/grpc/frames.ts";
import { fileDescriptors, REFLECTION_V1, REFLECTION_V1ALPHA, reflectionMessages } from "../../protocols/grpc/reflection-messages.ts";
import { Code } from "../../protocols/grpc/status.ts";
import echoProto from "./protos/echo.proto" with { type: "text" };
import helloProto from "./protos/helloworld.proto" with { type: "text" };

const MAX_MESSAGE = 4 * 1024 * 1024;
const DELAY_MAX_MS = 60_000;

type Msg = Record<string, unknown>;

/** One call as a method sees it: its messages in, its answers out, its end with a status. */
interface Call {
  /** each request message as it arrives (decoded); `end` when the client half-closed */
  onMessage(m: Msg): void;
  onEnd(): void;
}

interface Reply {
  send(m: Msg): void;
  finish(code: number, message?: string): void;
}

interface Method {
  input: protobuf.Type;
  output: protobuf.Type;
  start(reply: Reply): Call;
}

const sleep = (ms: number) => (ms > 0 ? Bun.sleep(Math.min(ms, DELAY_MAX_MS)) : undefined);

/** A unary or server-streaming method: one request, then `answer`. */
function single(input: protobuf.Type, output: protobuf.Type, answer: (req: Msg, reply: Reply) => void | Promise<void>): Method {
  return {
    input,
    output,
    start(reply) {
      let req: Msg | undefined;
      return {
        onMessage: (m) => void (req ??= m),
        onEnd: () => {
          if (req === undefined) reply.finish(Code.Internal, "expected one request message, got none");
          else void answer(req, reply);
        },
      };
    },
  };
}

/** An EchoRequest asking for a status or a delay; returns true when it answered already. */
async function honour(req: Msg, reply: Reply): Promise<boolean> {
  await sleep(Number(req.delay_ms ?? 0));
  const status = Number(req.status ?? 0);
  if (status === 0) return false;
  reply.finish(status, String(req.message ?? ""));
  return true;
}

export class GrpcEchoService {
  private readonly methods = new Map<string, Method>();

  constructor() {
    const echo = protobuf.parse(echoProto, { keepCase: true }).root;
    const hello = protobuf.parse(helloProto, { keepCase: true }).root;
    echo.resolveAll();
    hello.resolveAll();
    const req = echo.lookupType("loadr.test.EchoRequest");
    const res = echo.lookupType("loadr.test.EchoResponse");
    const e = "/loadr.test.Echo/";
    this.methods.set(e + "UnaryEcho", single(req, res, async (m, r) => {
      if (await honour(m, r)) return;
      r.send({ message: m.message, index: 0 });
      r.finish(Code.Ok);
    }));
    this.methods.set(e + "ServerStreamEcho", single(req, res, async (m, r) => {
      if (await honour(m, r)) return;
      const n = Number(m.repeat ?? 0) || 3;
      for (let i = 0; i < n; i++) r.send({ message: m.message, index: i });
      r.finish(Code.Ok);
    }));
    this.methods.set(e + "ClientStreamEcho", {
      input: req,
      output: res,
      start(r) {
        const got: Msg[] = [];
        return {
          onMessage: (m) => void got.push(m),
          onEnd: async () => {
            for (const m of got) if (await honour(m, r)) return;
            r.send({ message: got.map((m) => String(m.message ?? "")).join(""), index: got.length });
            r.finish(Code.Ok);
          },
        };
      },
    });
    this.methods.set(e + "BidiEcho", {
      input: req,
      output: res,
      start(r) {
        let i = 0;
        let failed = false;
        return {
          onMessage: (m) => {
            if (failed) return;
            if (Number(m.status ?? 0) !== 0) {
              failed = true;
              r.finish(Number(m.status), String(m.message ?? ""));
            } else r.send({ message: m.message, index: i++ });
          },
          onEnd: () => {
            if (!failed) r.finish(Code.Ok);
          },
        };
      },
    });
    const helloReq = hello.lookupType("helloworld.HelloRequest");
    const helloRes = hello.lookupType("helloworld.HelloReply");
    // as the reference harness's greeter answers
    this.methods.set("/helloworld.Greeter/SayHello", single(helloReq, helloRes, (m, r) => {
      r.send({ message: `Hello ${String(m.name ?? "")}` });
      r.finish(Code.Ok);
    }));
    this.methods.set("/helloworld.Greeter/LotsOfReplies", single(helloReq, helloRes, (m, r) => {
      for (let i = 1; i <= 3; i++) r.send({ message: `Hello ${String(m.name ?? "")} #${i}` });
      r.finish(Code.Ok);
    }));
    const reflection = reflectionMethod([echo, hello], ["loadr.test.Echo", "helloworld.Greeter"]);
    this.methods.set(REFLECTION_V1, reflection);
    this.methods.set(REFLECTION_V1ALPHA, reflection);
  }

  serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const method = this.methods.get(String(headers[":path"] ?? ""));
    if (method === undefined) {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(Code.Unimplemented), "grpc-message": encodeURIComponent(`unknown method ${String(headers[":path"])}`) }, { endStream: true });
      return;
    }
    const encoding = String(headers["grpc-encoding"] ?? "identity");
    // answers are compressed when the client compresses its own (it can read gzip, then)
    let gzip = false;
    let started = false;
    let ended = false;
    const begin = () => {
      if (started) return;
      started = true;
      stream.respond({ ":status": 200, "content-type": "application/grpc", ...(gzip ? { "grpc-encoding": "gzip" } : {}) }, { waitForTrailers: true });
    };
    const reply: Reply = {
      send(m) {
        if (ended || stream.destroyed) return;
        begin();
        stream.write(frame(method.output.encode(method.output.fromObject(m)).finish(), gzip));
      },
      finish(code, message) {
        if (ended || stream.destroyed) return;
        ended = true;
        const trailers: http2.OutgoingHttpHeaders = { "grpc-status": String(code) };
        if (message) trailers["grpc-message"] = encodeURIComponent(message);
        if (!started) {
          // trailers-only: the status in the one HEADERS frame
          stream.respond({ ":status": 200, "content-type": "application/grpc", ...trailers }, { endStream: true });
          return;
        }
        stream.once("wantTrailers", () => stream.sendTrailers(trailers));
        stream.end();
      },
    };
    const call = method.start(reply);
    const reader = new FrameReader(MAX_MESSAGE);
    stream.on("data", (chunk: Buffer) => {
      if (ended) return;
      const err = reader.push(chunk, encoding, (bytes, compressed) => {
        if (compressed) gzip = true;
        let m: Msg;
        try {
          m = method.input.toObject(method.input.decode(bytes), { defaults: true, longs: Number }) as Msg;
        } catch (e) {
          reply.finish(Code.Internal, `cannot decode the request message: ${(e as Error).message}`);
          return;
        }
        call.onMessage(m);
      });
      if (err !== null) reply.finish(Code.ResourceExhausted, err);
    });
    stream.on("end", () => {
      if (!ended) call.onEnd();
    });
  }
}

/** ServerReflectionInfo over `roots`: file_containing_symbol, file_by_filename, list_services. */
function reflectionMethod(roots: protobuf.Root[], services: string[]): Method {
  const { request, response } = reflectionMessages();
  const files = roots.map((root) => ({ root, files: fileDescriptors(root) }));
  const byName = new Map(files.flatMap((f) => f.files.map((d) => [d.name, d.bytes] as const)));
  const containing = (symbol: string): Uint8Array[] | undefined => {
    for (const f of files) {
      try {
        if (f.root.lookup(symbol) !== null) return f.files.map((d) => d.bytes);
      } catch {
        // not in this root
      }
    }
    return undefined;
  };
  return {
    input: request,
    output: response,
    start(reply) {
      return {
        onMessage(m) {
          const base = { valid_host: "", original_request: m };
          const notFound = (what: string) => reply.send({ ...base, error_response: { error_code: Code.NotFound, error_message: `${what} not found` } });
          if (typeof m.file_containing_symbol === "string" && m.file_containing_symbol !== "") {
            const found = containing(m.file_containing_symbol);
            if (found === undefined) notFound(`symbol ${m.file_containing_symbol}`);
            else reply.send({ ...base, file_descriptor_response: { file_descriptor_proto: found } });
          } else if (typeof m.file_by_filename === "string" && m.file_by_filename !== "") {
            const found = byName.get(m.file_by_filename);
            if (found === undefined) notFound(`file ${m.file_by_filename}`);
            else reply.send({ ...base, file_descriptor_response: { file_descriptor_proto: [found] } });
          } else if (typeof m.list_services === "string") {
            reply.send({ ...base, list_services_response: { service: services.map((name) => ({ name })) } });
          } else reply.send({ ...base, error_response: { error_code: Code.Unimplemented, error_message: "unsupported reflection request" } });
        },
        onEnd: () => reply.finish(Code.Ok),
      };
    },
  };
}
