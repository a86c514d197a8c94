/**
 * The echo target's route table (routes.ts) answered outside Bun.serve: the HTTP/2 listeners
 * (h2-server.ts) serve the same endpoints through it. Bun's router is not callable on its own, so
 * this matches as Bun.serve does for this table: an exact path, then `:param` paths, then `/*`;
 * a method a matched path does not serve is 405, no match 404.
 */
import { echoRoutes } from "./routes.ts";

type Handler = (req: Request) => Response | Promise<Response>;
type Route = Handler | Response | Partial<Record<string, Handler | Response>>;

interface Pattern {
  parts: string[];
  wildcard: boolean;
  route: Route;
}

/** A request answerer over one instance of the route table (its `/counter` is its own). */
export function routeAnswerer(): (req: Request) => Promise<Response> {
  const table = echoRoutes() as unknown as Record<string, Route>;
  const exact = new Map<string, Route>();
  const patterns: Pattern[] = [];
  for (const [path, route] of Object.entries(table)) {
    if (path.includes(":") || path.endsWith("/*")) {
      const wildcard = path.endsWith("/*");
      patterns.push({ parts: (wildcard ? path.slice(0, -2) : path).split("/"), wildcard, route });
    } else exact.set(path, route);
  }
  const match = (path: string): { route: Route; params: Record<string, string> } | null => {
    const e = exact.get(path);
    if (e !== undefined) return { route: e, params: {} };
    const segs = path.split("/");
    for (const p of patterns) {
      if (p.wildcard ? segs.length <= p.parts.length : segs.length !== p.parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < p.parts.length && ok; i++) {
        const want = p.parts[i]!;
        if (want.startsWith(":")) params[want.slice(1)] = decodeURIComponent(segs[i]!);
        else ok = want === segs[i];
      }
      if (ok) return { route: p.route, params };
    }
    return null;
  };
  return async (req) => {
    const m = match(new URL(req.url).pathname);
    if (m === null) return new Response(null, { status: 404 });
    let r = m.route;
    if (typeof r === "object" && !(r instanceof Response)) {
      const byMethod = r[req.method] ?? (req.method === "HEAD" ? r.GET : undefined);
      if (byMethod === undefined) return new Response(null, { status: 405 });
      r = byMethod;
    }
    if (r instanceof Response) return r.clone() as Response;
    Object.defineProperty(req, "params", { value: m.params });
    return r(req);
  };
}
