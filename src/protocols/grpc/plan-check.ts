/**
 * What the plan alone shows a gRPC step cannot send (HandlerInfo.checkStep): an address with no
 * port, proto files that do not parse, a service or method they do not have, a literal message
 * that does not fit its type. `loadr run` refuses such a plan before any load, with file:line.
 * Reflection steps are the server's to answer, at run time.
 */
import { resolve } from "node:path";
import type { RouteProblem, StepView } from "../../plan/protocol-check.ts";
import { DescriptorError, findMethod, messageFromJson, protoRoot } from "./descriptors.ts";
import { grpcTarget } from "./target.ts";

const hasTemplate = (v: unknown): boolean =>
  typeof v === "string" ? v.includes("${") : Array.isArray(v) ? v.some(hasTemplate) : v !== null && typeof v === "object" ? Object.values(v).some(hasTemplate) : false;

export function checkGrpcStep(step: StepView): RouteProblem | undefined {
  const g = step.request?.grpc;
  if (!step.url.includes("${")) {
    try {
      grpcTarget(step.url);
    } catch (e) {
      return { field: "url", message: (e as Error).message };
    }
  }
  if (g === undefined) return { field: "url", message: "a gRPC request needs a `grpc:` block (service, method, and proto_files or reflection: true)" };
  if (g.reflection === true || !g.proto_files?.length || step.context === undefined) return undefined;
  const baseDir = step.context.baseDir;
  let method;
  try {
    const root = protoRoot({ protoFiles: g.proto_files.map((f) => resolve(baseDir, f)), protoIncludes: (g.proto_includes ?? []).map((f) => resolve(baseDir, f)) });
    method = findMethod(root, g.service, g.method, "the proto files");
  } catch (e) {
    if (!(e instanceof DescriptorError)) throw e;
    const field = /^service /.test(e.message) ? ["grpc", "service"] : /^method /.test(e.message) ? ["grpc", "method"] : ["grpc", "proto_files"];
    return { field, message: e.message };
  }
  const messages = g.messages ?? (g.message !== undefined ? [g.message] : []);
  if (!method.clientStreaming && messages.length > 1)
    return { field: ["grpc", "messages"], message: `\`${g.method}\` takes one request message, got ${messages.length}: use \`message\`` };
  for (let i = 0; i < messages.length; i++) {
    if (hasTemplate(messages[i])) continue;
    try {
      messageFromJson(method.input, messages[i]);
    } catch (e) {
      if (!(e instanceof DescriptorError)) throw e;
      return { field: g.messages !== undefined ? ["grpc", "messages", i] : ["grpc", "message"], message: e.message };
    }
  }
  return undefined;
}
