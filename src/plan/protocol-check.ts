/**
 * One rule for request steps no protocol handler serves (a URL scheme, a `protocol:` name, or an
 * option block such as `ws:` whose handler this build does not have): `loadr validate` warns,
 * `loadr run` refuses the plan before any load with the first one, file:line and the handlers
 * that exist. Which handlers exist is the protocol layer's knowledge (src/protocols/router.ts
 * implements ProtocolCatalogue); this file only walks the plan and asks.
 *
 * A handler may also refuse a step it is routed for, from the plan alone (HandlerInfo.checkStep:
 * `version: http2` on an http:// URL, a gRPC method its proto files do not have).
 *
 * What a step's URL is known to be here: its text, joined to a literal `defaults.http.base_url`
 * when it has no scheme of its own. A URL whose scheme comes from a template is checked again,
 * rendered, when the worker routes it (src/engine/worker/flow/request.ts).
 */
import type { Segment } from "./locate.ts";
import type { Plan, RequestStep } from "./schema.ts";
import { walkSteps } from "./walk.ts";

/**
 * Why a request step cannot be served: the field at fault (`url`, `protocol`, an option block, or
 * a path below the step such as `["grpc", "method"]`) and why.
 */
export interface RouteProblem {
  field: string | readonly Segment[];
  message: string;
}

/** A request step as the check sees it. */
export interface StepView {
  protocol?: string;
  /** the URL as far as it is known (see above) */
  url: string;
  /** the protocol option blocks it carries */
  blocks: readonly string[];
  /** the step itself and the plan's context, for a handler's own checks (HandlerInfo.checkStep) */
  request?: RequestStep;
  context?: StepContext;
}

export interface StepContext {
  /** the plan's directory: relative paths resolve against it */
  baseDir: string;
  /** `defaults.http.version` */
  httpVersion: string;
}

export interface ProtocolCatalogue {
  unserved(step: StepView): RouteProblem | undefined;
}

/** The request-step option blocks that belong to one protocol or another (`plugin:` is not one: handlers ignore it freely). */
export const PROTOCOL_BLOCKS = ["ws", "grpc", "graphql", "socket", "sse", "sql"] as const;

const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

export function unservedRequests(plan: Plan, catalogue: ProtocolCatalogue, baseDir = "."): { path: Segment[]; message: string }[] {
  const out: { path: Segment[]; message: string }[] = [];
  const context: StepContext = { baseDir, httpVersion: plan.defaults.http.version };
  const base = plan.defaults.http.base_url;
  const literalBase = base !== undefined && !base.includes("${") ? base : undefined;
  for (const [name, sc] of Object.entries(plan.scenarios))
    walkSteps(sc.flow ?? [], ["scenarios", name, "flow"], ({ step, path }) => {
      if (!("request" in step)) return;
      const r = step.request;
      const url = literalBase !== undefined && !HAS_SCHEME.test(r.url) && !r.url.startsWith("${") ? literalBase : r.url;
      const p = catalogue.unserved({ protocol: r.protocol, url, blocks: PROTOCOL_BLOCKS.filter((b) => r[b] !== undefined), request: r, context });
      if (p) out.push({ path: [...path, "request", ...(typeof p.field === "string" ? [p.field] : p.field)], message: p.message });
    });
  return out;
}
