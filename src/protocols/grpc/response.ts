/**
 * What the gRPC handler answers for a call (reference §5.1 grpc row): status 0 on OK else the
 * gRPC code, `status_text` `"<Code>: <message>"`; the body is the JSON of the last answer and
 * `extras` `{messages, message_count}` — both made only when something reads them (a plain load
 * loop never does).
 */
import protobuf from "protobufjs";
import protojson from "protobufjs/ext/protojson.js";
import type { ErrorKind, ProtocolResponse, Timings } from "../types.ts";
import type { GrpcCounts } from "./metrics.ts";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

export class GrpcResponse implements ProtocolResponse, GrpcCounts {
  readonly protocolVersion = "grpc";
  private json: unknown[] | null = null;
  private body_: Uint8Array | null = null;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: [string, string][],
    /** the answers' protobuf bytes */
    private readonly answers: readonly Uint8Array[],
    private readonly type: protobuf.Type | null,
    readonly timings: Timings,
    readonly bytesSent: number,
    readonly bytesReceived: number,
    readonly url: string,
    /** messages sent */
    readonly msgsSent: number,
    /** a streaming call (grpc_streams) */
    readonly streaming: boolean,
    readonly error?: string,
    readonly errorKind?: ErrorKind,
  ) {}

  get msgsReceived(): number {
    return this.answers.length;
  }

  /** the answers as proto3 JSON */
  private messages(): unknown[] {
    if (this.json === null) {
      const t = this.type;
      this.json = t === null ? [] : this.answers.map((b) => protojson.toJson(t, t.decode(b)));
    }
    return this.json;
  }

  get body(): Uint8Array {
    if (this.body_ === null) {
      const m = this.messages();
      this.body_ = m.length === 0 ? EMPTY : encoder.encode(JSON.stringify(m[m.length - 1]));
    }
    return this.body_;
  }

  get extras(): { messages: unknown[]; message_count: number } {
    const messages = this.messages();
    return { messages, message_count: messages.length };
  }
}
