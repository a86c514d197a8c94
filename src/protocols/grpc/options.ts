/**
 * A gRPC request step's `grpc:` block as the handler gets it (ProtocolRequest.options): the part
 * fixed when the step compiles — one object per step, which the handler keys its resolved method
 * by — and the rendered messages and metadata.
 */
export interface GrpcSpec {
  /** absolute paths (the plan's relative ones resolved against its directory) */
  protoFiles: string[];
  protoIncludes: string[];
  reflection: boolean;
  service: string;
  method: string;
  /** largest message sent or received, bytes */
  maxMessageBytes: number;
  /** compress request messages */
  gzip: boolean;
}

export interface GrpcCallOptions {
  spec: GrpcSpec;
  /** the request messages as JSON values (`message` is one, `messages` a list; none = one empty message) */
  messages: unknown[];
  /** `grpc.metadata` then the request's headers, names lower-cased */
  metadata: [string, string][];
}

/** gRPC's default receive limit */
export const DEFAULT_MAX_MESSAGE = 4 * 1024 * 1024;

export function isGrpcCallOptions(o: unknown): o is GrpcCallOptions {
  return typeof o === "object" && o !== null && "spec" in o && "messages" in o;
}
