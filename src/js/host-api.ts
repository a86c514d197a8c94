/**
 * The modules a `js:` module may import besides its own relative files, and which of their
 * functions block the VU (docs/javascript.md). The loader (load.ts) refuses any other specifier;
 * the transform (transform.ts) awaits the blocking calls; the runtime
 * (src/engine/worker/js/module/) serves the same names.
 */

/** The built-in modules, as k6 names them. */
export const HOST_MODULES = ["k6", "k6/http", "k6/metrics", "k6/crypto", "k6/encoding", "k6/data", "k6/execution"] as const;
export type HostModule = (typeof HOST_MODULES)[number];

export function isHostModule(spec: string): spec is HostModule {
  return (HOST_MODULES as readonly string[]).includes(spec);
}

/**
 * Functions that wait (for the network, a timer, or a callback that does): the transform makes
 * every call to them an `await`. `group` waits only when its callback does (decided per call).
 */
export const BLOCKING: Readonly<Record<string, ReadonlySet<string>>> = {
  k6: new Set(["sleep"]),
  "k6/http": new Set(["get", "post", "put", "patch", "del", "head", "options", "request", "batch"]),
};

/**
 * Globals the runtime installs with the same meaning as the k6 imports (the reference installs
 * them too; `name` undefined: the module's default export). The transform follows calls through
 * them; the runtime (src/engine/worker/js/module/host-modules.ts) installs exactly these.
 */
export const GLOBAL_MODULE_OF: Readonly<Record<string, { module: HostModule; name: string | undefined }>> = {
  http: { module: "k6/http", name: undefined },
  sleep: { module: "k6", name: "sleep" },
  group: { module: "k6", name: "group" },
  check: { module: "k6", name: "check" },
  Counter: { module: "k6/metrics", name: "Counter" },
  Gauge: { module: "k6/metrics", name: "Gauge" },
  Rate: { module: "k6/metrics", name: "Rate" },
  Trend: { module: "k6/metrics", name: "Trend" },
};
