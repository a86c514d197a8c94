/**
 * The control API (docs/control-api.md), as a fetch-style handler that any Bun server can mount:
 * it answers requests under /v1/ and returns undefined for every other path, so `--api` serves it
 * alone and the live dashboard mounts it beside its own pages.
 */
import { ControlError, type RunStatus } from "./status.ts";
import type { Snapshot } from "../metrics/snapshot.ts";

/** What the handler needs of a run (the coordinator's Run implements it). */
export interface Controllable {
  status(): RunStatus;
  pause(): void;
  resume(): void;
  stop(reason: string): void;
  scale(scenario: string, vus: number): void;
  /** the latest metrics snapshot (once a second), null before the first */
  snapshot(): Snapshot | null;
}

export const API_PREFIX = "/v1/";

type Route = { method: "GET" | "POST"; run(c: Controllable, req: Request): Promise<Response> | Response };

/** Pause, resume and stop act on a running test (once it has finished they are the client's mistake) and answer the status. */
function lifecycle(act: (c: Controllable) => void, status = 200): Route {
  return {
    method: "POST",
    run: (c) => {
      if (c.status().state === "finished") throw new ControlError("the run has finished; there is nothing to pause, resume or stop", 409);
      act(c);
      return json(c.status(), status);
    },
  };
}

const ROUTES: Record<string, Route> = {
  status: { method: "GET", run: (c) => json(c.status()) },
  metrics: { method: "GET", run: (c) => json(c.snapshot() ?? { series: [], note: "no snapshot yet: the first is taken one second into the run" }) },
  pause: lifecycle((c) => c.pause()),
  resume: lifecycle((c) => c.resume()),
  stop: lifecycle((c) => c.stop("stopped by control API"), 202),
  scale: {
    method: "POST",
    run: async (c, req) => {
      const body = await readBody(req);
      if (typeof body === "string") return error(body, 400);
      c.scale(body.scenario, body.vus);
      return json(c.status());
    },
  },
};

export function controlHandler(run: Controllable): (req: Request) => Promise<Response | undefined> {
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (!path.startsWith(API_PREFIX)) return undefined;
    const name = path.slice(API_PREFIX.length).replace(/\/$/, "");
    const route = ROUTES[name];
    if (!route) return error(`no endpoint ${path}; the control API has ${Object.keys(ROUTES).map((r) => API_PREFIX + r).join(", ")}`, 404);
    if (req.method !== route.method)
      return error(`${path} takes ${route.method}, not ${req.method}`, 405, { allow: route.method });
    try {
      return await route.run(run, req);
    } catch (e) {
      if (e instanceof ControlError) return error(e.message, e.status);
      return error(`internal error: ${(e as Error).message}`, 500);
    }
  };
}

/** The scale body `{"scenario": "...", "vus": N}`, or what is wrong with it. */
async function readBody(req: Request): Promise<{ scenario: string; vus: number } | string> {
  const text = await req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `the body must be JSON like {"scenario": "name", "vus": 10}, got \`${text.slice(0, 80)}\``;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return 'the body must be a JSON object like {"scenario": "name", "vus": 10}';
  const { scenario, vus } = body as Record<string, unknown>;
  if (typeof scenario !== "string" || scenario === "") return "`scenario` must be a scenario name (a string)";
  if (typeof vus !== "number" || !Number.isInteger(vus) || vus < 0) return `\`vus\` must be a whole number ≥ 0, got ${JSON.stringify(vus)}`;
  return { scenario, vus };
}

function json(v: unknown, status = 200): Response {
  return new Response(JSON.stringify(v, null, 2) + "\n", { status, headers: { "content-type": "application/json" } });
}

function error(message: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: message }) + "\n", { status, headers: { "content-type": "application/json", ...headers } });
}
