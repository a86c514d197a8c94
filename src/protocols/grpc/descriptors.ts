/**
 * Where a gRPC call's types come from: `.proto` files parsed in-process by protobufjs (imports
 * searched in `proto_includes`, then beside the importing file) — or server reflection
 * (reflection.ts) — and the method a step names, looked up in them. Parsed once per worker and
 * file set; a method is resolved once per step (the handler keeps it with the step's fixed options).
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import protobuf from "protobufjs";
import protojson from "protobufjs/ext/protojson.js";
import { didYouMean } from "../../plan/suggest.ts";
import { planFileProblem, readPlanText } from "../../util/plan-file.ts";
import type { GrpcSpec } from "./options.ts";

/** A method ready to call: its path, shape and message types. */
export interface GrpcMethod {
  /** `/package.Service/Method` */
  path: string;
  input: protobuf.Type;
  output: protobuf.Type;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

/** The plan's fault: a proto that does not parse, a service or method that is not there. */
export class DescriptorError extends Error {}

const roots = new Map<string, protobuf.Root>();

/** The root of `spec`'s proto files (cached per worker by file set); throws DescriptorError. */
export function protoRoot(spec: Pick<GrpcSpec, "protoFiles" | "protoIncludes">): protobuf.Root {
  const key = `${spec.protoFiles.join("\0")}\n${spec.protoIncludes.join("\0")}`;
  let root = roots.get(key);
  if (root !== undefined) return root;
  root = new protobuf.Root();
  const includes = spec.protoIncludes;
  const found = (origin: string, target: string): string => {
    if (origin === "" || target.startsWith("/")) return target;
    for (const dir of [...includes, dirname(origin)]) {
      const p = resolve(dir, target);
      if (existsSync(p)) return p;
    }
    return resolve(dirname(origin), target);
  };
  // protobufjs reads the imports itself: what they are and their size are checked first (src/util/plan-file.ts)
  root.resolvePath = (origin, target) => {
    const p = found(origin, target);
    const problem = origin === "" || !existsSync(p) ? undefined : planFileProblem(p, "proto");
    if (problem !== undefined) throw new DescriptorError(`cannot read proto file ${p} (imported by ${origin}): ${problem}`);
    return p;
  };
  // each listed file parsed alone first: protobufjs names the file of a syntax error only then
  for (const f of spec.protoFiles) {
    let text: string;
    try {
      text = readPlanText(f, "proto");
    } catch (e) {
      throw new DescriptorError(`cannot read proto file ${f}: ${(e as Error).message}`);
    }
    try {
      protobuf.parse(text, { keepCase: true });
    } catch (e) {
      throw new DescriptorError(protoErrorMessage((e as Error).message, f));
    }
  }
  try {
    root.loadSync(spec.protoFiles, { keepCase: true });
    root.resolveAll();
  } catch (e) {
    throw new DescriptorError(protoErrorMessage((e as Error).message));
  }
  roots.set(key, root);
  return root;
}

/** protobufjs says `illegal token 'x' ([/abs/file.proto, ]line 3)`; we say `/abs/file.proto:3: illegal token 'x'`. */
function protoErrorMessage(m: string, file?: string): string {
  const at = /^(.*) \((?:(.+), )?line (\d+)\)$/.exec(m);
  if (at && (at[2] ?? file) !== undefined) return `${at[2] ?? file}:${at[3]}: ${at[1]}`;
  if (/ENOENT|no such file/i.test(m)) return `cannot read proto file: ${m.replace(/^.*?(open |ENOENT: )/, "")}`;
  return `cannot load the proto files: ${m}`;
}

/** The method `spec` names in `root`; throws DescriptorError naming what is there. */
export function findMethod(root: protobuf.Root, service: string, method: string, source: string): GrpcMethod {
  let svc: protobuf.Service | null = null;
  try {
    const found = root.lookup(service.replace(/^\./, ""));
    if (found instanceof protobuf.Service) svc = found;
  } catch {
    // not there
  }
  if (svc === null) {
    const all = services(root);
    throw new DescriptorError(`service \`${service}\` is not in ${source}${hint(service, all)} (services: ${all.join(", ") || "none"})`);
  }
  const m = svc.methods[method];
  if (m === undefined) {
    const all = Object.keys(svc.methods);
    throw new DescriptorError(`method \`${method}\` is not in service \`${service}\`${hint(method, all)} (methods: ${all.join(", ")})`);
  }
  m.resolve();
  return {
    path: `/${svc.fullName.replace(/^\./, "")}/${m.name}`,
    input: m.resolvedRequestType!,
    output: m.resolvedResponseType!,
    clientStreaming: m.requestStream === true,
    serverStreaming: m.responseStream === true,
  };
}

/**
 * `json` as a message of `type` by the proto3 JSON mapping (field names as in the .proto or their
 * lowerCamelCase JSON names, unknown fields refused); throws DescriptorError saying where it does
 * not fit. `which` names the message among several.
 */
export function messageFromJson(type: protobuf.Type, json: unknown, which = ""): protobuf.Message {
  try {
    return protojson.fromJson(type, json);
  } catch (e) {
    // protojson says `.pkg.Type.field: why`; the type is named once, first
    const why = (e as Error).message.replace(/^\.[\w.]+?\.(?=\w+:)/, "");
    throw new DescriptorError(`message${which} does not match \`${type.fullName.replace(/^\./, "")}\`: ${why}`);
  }
}

function hint(name: string, known: string[]): string {
  const s = didYouMean(name, known);
  return s === undefined ? "" : ` — ${s}`;
}

/** Every service's full name in a root. */
export function services(ns: protobuf.NamespaceBase): string[] {
  const out: string[] = [];
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Service) out.push(n.fullName.replace(/^\./, ""));
    else if (n instanceof protobuf.Namespace) out.push(...services(n));
  }
  return out;
}
