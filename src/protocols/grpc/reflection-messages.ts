/**
 * The server reflection messages (reflection.proto, embedded in the binary as text), parsed once
 * on first use; and a root's FileDescriptorProtos, which a reflection answer carries.
 */
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor.js";
import reflectionProto from "./reflection.proto" with { type: "text" };

export interface ReflectionMessages {
  request: protobuf.Type;
  response: protobuf.Type;
}

/** the two services' paths; v1alpha carries the same messages */
export const REFLECTION_V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
export const REFLECTION_V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

let messages: ReflectionMessages | undefined;

export function reflectionMessages(): ReflectionMessages {
  if (messages === undefined) {
    const root = protobuf.parse(reflectionProto, { keepCase: true }).root;
    root.resolveAll();
    messages = {
      request: root.lookupType("grpc.reflection.v1.ServerReflectionRequest"),
      response: root.lookupType("grpc.reflection.v1.ServerReflectionResponse"),
    };
  }
  return messages;
}

/** Encoded FileDescriptorProtos of a parsed root (one per package), with the file name each got. */
export function fileDescriptors(root: protobuf.Root): { name: string; bytes: Uint8Array }[] {
  const set = root.toDescriptor("proto3");
  return (set.file ?? []).map((f) => ({ name: f.name ?? "", bytes: descriptor.FileDescriptorProto.encode(f).finish() }));
}

/** A root from FileDescriptorProtos as reflection returns them. */
export function rootFromDescriptors(files: readonly Uint8Array[]): protobuf.Root {
  const set = { file: files.map((b) => descriptor.FileDescriptorProto.decode(b) as descriptor.IFileDescriptorProto) };
  const root = protobuf.Root.fromDescriptor(set, { keepCase: true });
  root.resolveAll();
  return root;
}

/** `import` names of one FileDescriptorProto. */
export function fileDependencies(bytes: Uint8Array): { name: string; dependencies: string[] } {
  const f = descriptor.FileDescriptorProto.decode(bytes);
  return { name: f.name ?? "", dependencies: f.dependency ?? [] };
}
