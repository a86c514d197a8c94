/**
 * The globals a VU's JS context gets (reference §9.3): `session` (vars, vu, iteration, scenario,
 * data(), cookies, custom metrics), `__ENV` and `console`. Built once per VU; the getters read
 * the VU's live state, so nothing is copied per call.
 */
import type { Vu } from "../vu.ts";
import { httpRoute } from "../../../protocols/builtins.ts";

export function vuGlobals(vu: Vu): Record<string, unknown> {
  const rt = vu.rt;
  const sink = rt.run.sink;
  const log = rt.run.log;
  const metricTags = (tags: unknown) => {
    const t: Record<string, string> = { ...rt.baseTags };
    if (vu.group) t.group = vu.group;
    if (tags && typeof tags === "object") for (const [k, v] of Object.entries(tags)) t[k] = String(v);
    return sink.tags(t);
  };
  const num = (v: unknown, what: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`${what}: value must be a number, got ${String(v)}`);
    return n;
  };
  // session.vars reads and writes the VU's variable map itself (extracted values included).
  const vars = new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_, k) => (typeof k === "string" ? vu.vars.get(k) : undefined),
    set: (_, k, v) => {
      if (typeof k === "string") vu.vars.set(k, v);
      return true;
    },
    has: (_, k) => typeof k === "string" && vu.vars.has(k),
    deleteProperty: (_, k) => (typeof k === "string" ? vu.vars.delete(k) || true : true),
    ownKeys: () => [...vu.vars.keys()],
    getOwnPropertyDescriptor: (_, k) =>
      typeof k === "string" && vu.vars.has(k) ? { value: vu.vars.get(k), writable: true, enumerable: true, configurable: true } : undefined,
  });
  // the cookies are the VU's HTTP state's (opened here if the VU has not sent an HTTP request yet)
  const jar = () => vu.state(httpRoute(rt.run.protocols)).jar;
  const cookieTarget = (url: unknown) => {
    const u = new URL(String(url));
    return { host: u.hostname, path: u.pathname || "/", secure: u.protocol === "https:" || u.protocol === "wss:" };
  };
  const session = Object.freeze({
    vars,
    get vu() {
      return vu.id;
    },
    get iteration() {
      return vu.iteration;
    },
    get scenario() {
      return rt.name;
    },
    /** this iteration's row of a data source (fetched on first use in the iteration), or null */
    data(source: unknown) {
      return vu.dataRow(String(source)) ?? null;
    },
    cookieGet(url: unknown, name: unknown) {
      const t = cookieTarget(url);
      const header = jar().headerFor(t.host, t.path, t.secure);
      for (const pair of header ? header.split("; ") : []) {
        const eq = pair.indexOf("=");
        if (pair.slice(0, eq) === String(name)) return pair.slice(eq + 1);
      }
      return null;
    },
    cookieSet(url: unknown, name: unknown, value: unknown) {
      const t = cookieTarget(url);
      jar().setFromHeader(`${String(name)}=${String(value)}; Path=/`, t.host, "/");
    },
    cookiesClear() {
      jar().clear();
    },
    counterAdd(name: unknown, value: unknown, tags?: unknown) {
      sink.counter(String(name), metricTags(tags), num(value, "counterAdd"));
    },
    gaugeSet(name: unknown, value: unknown, tags?: unknown) {
      sink.gauge(String(name), metricTags(tags), num(value, "gaugeSet"));
    },
    rateAdd(name: unknown, value: unknown, tags?: unknown) {
      sink.rate(String(name), metricTags(tags), !!value);
    },
    trendAdd(name: unknown, value: unknown, tags?: unknown) {
      sink.trend(String(name), metricTags(tags), num(value, "trendAdd"));
    },
  });
  const line = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ");
  const console = Object.freeze({
    log: (...a: unknown[]) => log.info(`[js vu ${vu.id}] ${line(a)}`),
    info: (...a: unknown[]) => log.info(`[js vu ${vu.id}] ${line(a)}`),
    debug: (...a: unknown[]) => log.debug(`[js vu ${vu.id}] ${line(a)}`),
    warn: (...a: unknown[]) => log.warn(`[js vu ${vu.id}] ${line(a)}`),
    error: (...a: unknown[]) => log.error(`[js vu ${vu.id}] ${line(a)}`),
  });
  return { session, __ENV: rt.run.flow.env, console };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
