/**
 * `otlp` output (reference §4): metrics every `interval` and at the end, over OTLP/gRPC
 * (`protocol: grpc`, the default: `MetricsService/Export` over HTTP/2, `headers` as metadata),
 * OTLP/HTTP protobuf (`protocol: http`: POST `<endpoint>/v1/metrics`) or OTLP/HTTP JSON
 * (`protocol: http/json`). An empty export at start checks the collector is there.
 */
import { connect, type ClientHttp2Session } from "node:http2";
import type { Snapshot, Summary } from "../metrics/index.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { encodeExportRequest, jsonExportRequest } from "./encode/otlp.ts";
import { post, Pusher, PUSH_TIMEOUT_MS } from "./pusher.ts";
import { httpUrl, intervalMs } from "./spec.ts";

interface OtlpSpec { endpoint: string; protocol: "grpc" | "http" | "http/json"; headers: Record<string, string>; interval?: number }

const EMPTY: Snapshot = { timestamp_ms: 0, elapsed_secs: 0, interval_secs: 0, series: [] };
const GRPC_PATH = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

export function otlpOutput(spec: OtlpSpec, ctx: OutputContext): Output {
  let pusher: Pusher | undefined;
  let grpc: GrpcClient | undefined;
  return {
    name: "otlp",
    wantsSamples: false,
    async start() {
      const endpoint = /^[a-z]+:\/\//i.test(spec.endpoint) ? spec.endpoint : `http://${spec.endpoint}`;
      const base = httpUrl(endpoint, "otlp endpoint").href.replace(/\/+$/, "");
      let send: (s: Snapshot) => Promise<void>;
      if (spec.protocol === "grpc") {
        grpc = new GrpcClient(base, spec.headers);
        send = (s) => grpc!.unary(GRPC_PATH, encodeExportRequest(s));
      } else {
        const url = `${base}/v1/metrics`;
        send =
          spec.protocol === "http/json"
            ? (s) => post(url, jsonExportRequest(s), { ...spec.headers, "Content-Type": "application/json" })
            : (s) => post(url, encodeExportRequest(s), { ...spec.headers, "Content-Type": "application/x-protobuf" });
      }
      await send({ ...EMPTY, timestamp_ms: Date.now() });
      pusher = new Pusher(intervalMs(spec), send, (m) => ctx.problem("otlp", m));
      pusher.start();
    },
    onSnapshot(s: Snapshot) {
      pusher?.offer(s);
    },
    async finish(summary: Summary) {
      try {
        await pusher?.finish(summary.snapshot);
      } finally {
        grpc?.close();
      }
    },
    abort() {
      pusher?.stop();
      grpc?.close();
    },
  };
}

/** A minimal gRPC unary client over node:http2: length-prefixed message, status from the trailers. */
class GrpcClient {
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly base: string,
    private readonly metadata: Record<string, string>,
  ) {}

  private connection(): ClientHttp2Session {
    if (this.session === undefined || this.session.closed || this.session.destroyed) {
      const s = connect(this.base);
      s.on("error", () => undefined); // surfaced per call below
      this.session = s;
    }
    return this.session;
  }

  unary(path: string, message: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const session = this.connection();
      const fail = (why: string) => reject(new Error(`otlp gRPC ${this.base}: ${why}`));
      const onSessionError = (e: NodeJS.ErrnoException) => fail(e.code === "ECONNREFUSED" ? "connection refused (is the collector running?)" : e.message);
      session.once("error", onSessionError);
      const req = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        ...Object.fromEntries(Object.entries(this.metadata).map(([k, v]) => [k.toLowerCase(), v])),
      });
      const timer = setTimeout(() => {
        req.close();
        fail(`no answer within ${PUSH_TIMEOUT_MS / 1000}s`);
      }, PUSH_TIMEOUT_MS);
      let status: string | undefined;
      let httpStatus = 0;
      let grpcMessage = "";
      req.on("response", (h) => {
        httpStatus = Number(h[":status"]);
        if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]); // trailers-only answer
        grpcMessage = String(h["grpc-message"] ?? "");
      });
      req.on("trailers", (t) => {
        if (t["grpc-status"] !== undefined) status = String(t["grpc-status"]);
        if (t["grpc-message"]) grpcMessage = String(t["grpc-message"]);
      });
      req.on("data", () => undefined);
      req.on("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        session.off("error", onSessionError);
        fail(e.code === "ECONNREFUSED" ? "connection refused (is the collector running?)" : e.message);
      });
      req.on("end", () => {
        clearTimeout(timer);
        session.off("error", onSessionError);
        if (httpStatus !== 200) fail(`HTTP status ${httpStatus}`);
        else if (status !== "0") fail(`grpc-status ${status ?? "missing"}${grpcMessage ? `: ${decodeURIComponent(grpcMessage)}` : ""}`);
        else resolve();
      });
      const frame = new Uint8Array(5 + message.length);
      new DataView(frame.buffer).setUint32(1, message.length);
      frame.set(message, 5);
      req.end(frame);
    });
  }

  close(): void {
    this.session?.close();
  }
}
