/**
 * Descriptors by server reflection (grpc.reflection.v1, falling back to v1alpha when the server
 * has only that): the file that defines the step's service, then the files it imports that the
 * answer lacked. Asked once per worker and (server, service) — a failure is not kept, so a server
 * that comes up later is asked again.
 */
import type protobuf from "protobufjs";
import type { GrpcCall } from "./call.ts";
import { frame } from "./frames.ts";
import { fileDependencies, REFLECTION_V1, REFLECTION_V1ALPHA, reflectionMessages, rootFromDescriptors } from "./reflection-messages.ts";
import { Code, codeName } from "./status.ts";

/** Runs one call of `path` with these framed request messages on the VU's channel. */
export type CallRunner = (path: string, frames: Buffer[]) => Promise<GrpcCall>;

/** Reflection did not give the descriptors: the call's status (or the reflection answer's error code) and why. */
export class ReflectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** the failure was below gRPC (connection, timeout): its message classifies the error_kind */
    readonly transport: boolean,
  ) {
    super(message);
  }
}

const cache = new Map<string, Promise<protobuf.Root>>();

export function reflectedRoot(origin: string, service: string, run: CallRunner): Promise<protobuf.Root> {
  const key = `${origin}\0${service}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = fetchRoot(service, run);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function fetchRoot(service: string, run: CallRunner): Promise<protobuf.Root> {
  const files = new Map<string, Uint8Array>();
  let path = REFLECTION_V1;
  let asks = [{ file_containing_symbol: service }];
  // each turn asks for what is still missing; imports are a DAG, so this ends (bounded anyway)
  for (let turn = 0; asks.length > 0 && turn < 16; turn++) {
    let answers: Record<string, unknown>[];
    try {
      answers = await ask(run, path, asks);
    } catch (e) {
      if (e instanceof ReflectionError && e.code === Code.Unimplemented && path === REFLECTION_V1) {
        path = REFLECTION_V1ALPHA;
        answers = await ask(run, path, asks);
      } else throw e;
    }
    for (const a of answers) {
      const err = a.error_response as { error_code?: number; error_message?: string } | undefined;
      if (err !== undefined) {
        const code = err.error_code ?? Code.NotFound;
        throw new ReflectionError(code, `server reflection: ${codeName(code)}: ${err.error_message ?? ""} (asked for ${describe(a.original_request)})`, false);
      }
      const fds = (a.file_descriptor_response as { file_descriptor_proto?: Uint8Array[] } | undefined)?.file_descriptor_proto ?? [];
      for (const b of fds) files.set(fileDependencies(b).name, b);
    }
    const missing = new Set<string>();
    for (const b of files.values()) for (const dep of fileDependencies(b).dependencies) if (!files.has(dep)) missing.add(dep);
    asks = [...missing].map((file_by_filename) => ({ file_by_filename }) as never);
  }
  try {
    return rootFromDescriptors([...files.values()]);
  } catch (e) {
    throw new ReflectionError(Code.Internal, `server reflection: the descriptors do not load: ${(e as Error).message}`, false);
  }
}

function describe(req: unknown): string {
  const r = (req ?? {}) as Record<string, unknown>;
  return r.file_containing_symbol ? `symbol ${String(r.file_containing_symbol)}` : r.file_by_filename ? `file ${String(r.file_by_filename)}` : "descriptors";
}

async function ask(run: CallRunner, path: string, asks: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const { request, response } = reflectionMessages();
  const call = await run(path, asks.map((a) => frame(request.encode(request.fromObject({ host: "", ...a })).finish(), false)));
  if (call.code !== Code.Ok) {
    const why = `${codeName(call.code)}: ${call.message}`;
    throw new ReflectionError(call.code, call.transportError !== null ? call.transportError : `server reflection refused: ${why}`, call.transportError !== null);
  }
  return call.answers.map((b) => response.toObject(response.decode(b)) as Record<string, unknown>);
}
