/**
 * The `js:` module API through dist/loadr against the echo target (docs/javascript.md): the
 * lifecycle, the request hooks, the k6 imports, synchronous-style code, the limits.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./support/cli.ts";
import { ECHO_HEADER, runPlan } from "./support/run-plan.ts";

setDefaultTimeout(90_000);
requireBinary();

/** A plan with the echo target, a module in `lib.js` and one scenario. */
const plan = (scenario: string, extra = "") => `${ECHO_HEADER}
js:
  file: lib.js
${extra}
scenarios:
  s:
${scenario}
`;

/** warning and error lines (the banner and the verdict are not problems) */
const problems = (stderr: string) => stderr.split("\n").filter((l) => /^(warning|error|warn):/.test(l));

const checkOf = (summary: any, name: string) => (summary.checks as { name: string; passes: number; fails: number }[]).find((c) => c.name === name);

describe("request hooks", () => {
  test("beforeRequest changes method, URL, headers and body; afterRequest sees the response", async () => {
    const r = await runPlan(
      plan(`    executor: per-vu-iterations
    vus: 2
    iterations: 3
    flow:
      - request:
          name: signed
          method: POST
          url: /status/500
          headers: { X-Plan: from-plan }
          body: "original"
          checks:
            - { type: jsonpath, name: method, expression: "$.method", equals: PUT }
            - { type: jsonpath, name: signature, expression: "$.headers['x-signature']", equals: "992a93455c71fedd36ac9bbc439952c041cf61445958472af479269b8d873513" }
            - { type: jsonpath, name: plan header kept, expression: "$.headers['x-plan']", equals: from-plan }
            - { type: jsonpath, name: body, expression: "$.body", equals: "original+signed" }`),
      {
        "lib.js": `import { Counter } from "k6/metrics";
import crypto from "k6/crypto";
const seen = new Counter("after_seen");
export function beforeRequest(req) {
  req.method = "put";
  req.url = req.url.replace("/status/500", "/echo");
  req.body = req.body + "+signed";
  req.headers["X-Signature"] = crypto.sha256("fixed");
  return req;
}
export function afterRequest(res) {
  seen.add(1, { status: String(res.status), body_kind: typeof res.json().headers });
}
`,
      },
    );
    expect(problems(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    for (const c of ["method", "signature", "plan header kept", "body"]) expect(checkOf(r.summary, c)).toMatchObject({ passes: 6, fails: 0 });
    expect(r.sum("after_seen", { status: "200", body_kind: "object" })).toBe(6);
    // the method tag is the changed one
    expect(r.sum("http_reqs", { name: "signed", method: "PUT" })).toBe(6);
  });

  test("a header beforeRequest sets is sent with its value of that request, whether it changed since the last request or not", async () => {
    const r = await runPlan(
      plan(`    executor: per-vu-iterations
    vus: 2
    iterations: 6
    flow:
      - request: { name: echo, method: GET, url: /echo }`),
      {
        // the value changes every second request: the hook's header list is reused, then rebuilt
        "lib.js": `import { Counter } from "k6/metrics";
const sent = new Counter("header_as_set");
let n = 0;
let last = "";
export function beforeRequest(req) {
  last = "v" + Math.floor(n++ / 2);
  req.headers["X-Seq"] = last;
}
export function afterRequest(res) {
  sent.add(1, { ok: String(res.json().headers["x-seq"] === last) });
}
`,
      },
    );
    expect(problems(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.sum("header_as_set", { ok: "true" })).toBe(12);
    expect(r.sum("header_as_set", { ok: "false" })).toBe(0);
  });

  test("a beforeRequest that throws fails that request (error_kind hook) and counts as a JS exception; the flow goes on", async () => {
    const r = await runPlan(
      plan(`    executor: per-vu-iterations
    vus: 1
    iterations: 4
    flow:
      - request: { name: a, url: /echo }
      - request: { name: b, url: /json }`),
      { "lib.js": `export function beforeRequest(req) { if (req.name === "a") throw new Error("no signing key"); }\n` },
    );
    expect(r.code).toBe(0);
    expect(r.sum("http_reqs", { name: "a", error_kind: "hook" })).toBe(4);
    expect(r.sum("http_reqs", { name: "b", status: "200" })).toBe(4);
    expect(r.sum("vu_exceptions", { site: "hook", exception: "no signing key" })).toBe(4);
    expect(r.stderr).toContain("JS hook `beforeRequest` failed: no signing key");
  });
});

describe("k6 imports and globals", () => {
  test("k6, k6/crypto, k6/encoding, k6/execution, k6/data with open(), __VU, __ITER, __ENV, custom metrics in thresholds", async () => {
    const r = await runPlan(
      plan(
        `    executor: per-vu-iterations
    vus: 3
    iterations: 2
    exec: run`,
        `thresholds:
  orders: ["count==6"]
  order_value: ["max<1000"]
  ok_rate: ["rate==1"]
  in_flight: ["value>=0"]`,
      ),
      {
        "lib.js": `import http from "k6/http";
import { check, group, sleep, fail } from "k6";
import { sha256, hmac } from "k6/crypto";
import encoding from "k6/encoding";
import exec from "k6/execution";
import { SharedArray } from "k6/data";
import { Counter, Trend, Rate, Gauge } from "k6/metrics";
import { price } from "./pricing.js";

const orders = new Counter("orders");
const value = new Trend("order_value");
const ok = new Rate("ok_rate");
const inFlight = new Gauge("in_flight");
const users = new SharedArray("users", () => JSON.parse(open("./users.json")));

export function run() {
  const user = users[(__VU - 1) % users.length];
  const res = group("buy", () => http.post("/echo", JSON.stringify({ user: user.name, iter: __ITER }), { headers: { "Content-Type": "application/json" } }));
  const echoed = JSON.parse(res.json().body);
  orders.add(1);
  value.add(price(user));
  inFlight.add(exec.vu.idInTest);
  ok.add(res.status === 200);
  check(res, {
    "user echoed": () => echoed.user === user.name,
    "iteration matches": () => echoed.iter === __ITER && exec.vu.iterationInScenario === __ITER,
    "scenario name": () => exec.scenario.name === "s",
    "sha256": () => sha256("abc", "hex") === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "hmac": () => hmac("sha256", "key", "The quick brown fox jumps over the lazy dog", "hex") === "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    "b64": () => encoding.b64encode("hi?") === "aGk/" && encoding.b64decode("aGk_", "rawurl", "s") === "hi?",
    "env": () => __ENV.SHOP_MODE === "test",
    "group tag": () => res.request.url.endsWith("/echo"),
    "shared array is read-only": () => Object.isFrozen(users) && Object.isFrozen(user),
  });
  if (users.length !== 3) fail("users not loaded");
  sleep(0.01);
}
`,
        "pricing.js": `export function price(user) { return user.discount ? 80 : 100; }\n`,
        "users.json": JSON.stringify([{ name: "ann" }, { name: "bob", discount: true }, { name: "cy" }]),
      },
      [],
      { SHOP_MODE: "test" },
    );
    expect(problems(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    for (const c of r.summary.checks as { name: string; fails: number; passes: number }[]) expect(c).toMatchObject({ fails: 0, passes: 6 });
    expect((r.summary.checks as unknown[]).length).toBe(9);
    expect(r.sum("orders")).toBe(6);
    expect(r.sum("http_reqs", { group: "::buy", method: "POST" })).toBe(6);
    expect(r.summary.thresholds.every((t: { passed: boolean }) => t.passed)).toBe(true);
  });

  test("without imports: the globals http, check, sleep, group and the metric classes, as the reference installs them", async () => {
    const r = await runPlan(
      plan(
        `    executor: per-vu-iterations
    vus: 2
    iterations: 2
    exec: run`,
        `thresholds:
  visits: ["count==4"]`,
      ),
      {
        "lib.js": `const visits = new Counter("visits");
const size = new Trend("echo_size");
export function run() {
  const res = group("g", () => http.get("/echo?vu=" + __VU));
  sleep(0.01);
  visits.add(1);
  size.add(res.body.length);
  check(res, { "echoed after the sleep": (r) => r.status === 200 && r.json().query.vu === String(__VU) });
}
`,
      },
    );
    expect(problems(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(checkOf(r.summary, "echoed after the sleep")).toMatchObject({ passes: 4, fails: 0 });
    expect(r.sum("visits")).toBe(4);
    expect(r.sum("http_reqs", { group: "::g", method: "GET" })).toBe(4);
  });

  test("validate knows the metrics the init code declares; an undeclared one is still an error", async () => {
    const { loadr, scratch } = await import("./support/cli.ts");
    const dir = scratch({
      "plan.yaml": plan(`    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    exec: run`, `thresholds:\n  carts: ["count>0"]\n  cartz: ["count>0"]`),
      "lib.js": `import { Counter } from "k6/metrics";\nconst c = new Counter("carts");\nexport function run() { c.add(1); }\n`,
    });
    const r = await loadr(["validate", join(dir, "plan.yaml")]);
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain("unknown metric `cartz`");
    expect(out).toContain("did you mean `carts`?");
    expect(out).not.toContain("unknown metric `carts`");
  });
});

describe("synchronous-style scripts", () => {
  test("sleep() does not block the worker: 20 VUs sleeping 1 s each on one worker finish in well under 20 s", async () => {
    const t0 = performance.now();
    const r = await runPlan(
      plan(`    executor: per-vu-iterations\n    vus: 20\n    iterations: 1\n    exec: nap`),
      { "lib.js": `import { sleep } from "k6";\nexport function nap() { sleep(1); }\n` },
      ["--workers", "1"],
    );
    expect(r.code).toBe(0);
    expect(r.sum("iterations")).toBe(20);
    expect(r.summary.metrics.find((m: { metric: string }) => m.metric === "iteration_duration").agg.max).toBeGreaterThanOrEqual(990);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  test("setup()'s data reaches exec and js.call; user-written await and http.batch work; nested helpers wait", async () => {
    const r = await runPlan(
      plan(`    executor: per-vu-iterations
    vus: 2
    iterations: 2
    exec: main
    flow:
      - js: { call: viaCall }`),
      {
        "lib.js": `import http from "k6/http";
import { check } from "k6";
export function setup() { return { token: http.post("/login", JSON.stringify({ username: "u", password: "p" }), { headers: { "Content-Type": "application/json" } }).json().token }; }
function fetchTwice(path) { const a = http.get(path); return [a, http.get(path)]; }
const api = { headers(t) { return http.get("/headers", { headers: { Authorization: "Bearer " + t } }).json(); } };
export function viaCall(data) { check(data, { "js.call got setup data": (d) => d.token.startsWith("sess-") }); }
export async function main(data) {
  const [a, b] = fetchTwice("/counter");
  const pending = http.asyncRequest("GET", "/json");
  const c = await pending;
  const batch = http.batch(["/json", ["GET", "/xml"], { method: "GET", url: "/html" }]);
  check(null, {
    "helpers waited": () => Number(b.body) === Number(a.body) + 1 || Number(b.body) > Number(a.body),
    "await works": () => c.json().token === "tok-123",
    // a request hands the script a promise of its own realm (its await takes it without a thenable job)
    "a request's promise is the script's own": () => pending instanceof Promise,
    "batch": () => batch.length === 3 && batch[0].status === 200 && batch[1].body.includes("<catalog>") && batch[2].status === 200,
  });
  const h = api.headers(data.token);
  check(h, { "method on object waited": (x) => x.authorization === "Bearer " + data.token });
}
`,
      },
    );
    expect(problems(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    for (const c of ["js.call got setup data", "helpers waited", "await works", "a request's promise is the script's own", "batch", "method on object waited"]) expect(checkOf(r.summary, c)).toMatchObject({ passes: 4, fails: 0 });
    expect(r.sum("http_reqs", { scenario: "setup" })).toBe(1);
  });
});

describe("limits", () => {
  test("timeout: a runaway loop (also after an await) and a sleep past the limit fail their calls; the run goes on and ends", async () => {
    const t0 = performance.now();
    const r = await runPlan(
      plan(
        `    executor: per-vu-iterations
    vus: 1
    iterations: 3
    exec: run`,
      ).replace("  file: lib.js", "  file: lib.js\n  timeout: 300ms"),
      {
        "lib.js": `import http from "k6/http";
import { sleep } from "k6";
export function run() {
  if (__ITER === 0) { for (;;) {} }
  if (__ITER === 1) { http.get("/json"); while (true) { Math.random(); } }
  sleep(5);
}
`,
      },
    );
    expect(r.code).toBe(0);
    expect(r.sum("iterations")).toBe(3);
    expect(r.sum("vu_exceptions", { site: "exec", exception: "script timed out (limit Nms)" })).toBe(3);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  test("memory_limit_mb: a script that keeps growing the heap fails its calls with a clear message, counted in vu_exceptions", async () => {
    const r = await runPlan(
      plan(`    executor: per-vu-iterations
    vus: 1
    iterations: 40
    exec: grow`).replace("  file: lib.js", "  file: lib.js\n  memory_limit_mb: 20"),
      {
        "lib.js": `import { sleep } from "k6";
const kept = [];
export function grow() { for (let i = 0; i < 4; i++) kept.push(new Array(250000).fill(i).map((x) => ({ x }))); sleep(0.3); }
`,
      },
    );
    expect(r.code).toBe(0);
    const over = r.series("vu_exceptions", { site: "exec" }).filter((s) => s.tags.exception!.startsWith("script exceeded memory limit"));
    expect(over.reduce((n, s) => n + (s.agg.sum ?? 0), 0)).toBeGreaterThan(0);
    expect(r.stderr).toContain("script exceeded memory limit (js.memory_limit_mb 20 MB per VU");
  });
});

describe("run-level functions", () => {
  test("handleSummary's map writes files and replaces stdout; teardown runs after test.abort()", async () => {
    const r = await runPlan(
      plan(`    executor: constant-vus
    vus: 2
    duration: 30s
    exec: run`),
      {
        "lib.js": `import http from "k6/http";
import exec from "k6/execution";
export function run() { http.get("/json"); if (__ITER === 2) exec.test.abort("enough"); }
export function teardown() { http.get("/echo?teardown=1"); }
export function handleSummary(data) {
  return { stdout: "custom: " + data.metrics.length + " metrics\\n", "out/summary.json": data, "out/note.txt": "aborted=" + data.aborted };
}
`,
      },
    );
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/^custom: \d+ metrics\n$/);
    expect(r.stderr).toContain("handleSummary() wrote out/summary.json");
    expect(JSON.parse(readFileSync(join(r.dir, "out/summary.json"), "utf8")).aborted).toBe("enough");
    expect(readFileSync(join(r.dir, "out/note.txt"), "utf8")).toBe("aborted=enough");
    expect(r.summary.aborted).toBe("enough");
    expect(r.sum("http_reqs", { scenario: "setup" })).toBe(1);
  });
});

describe("bad input: one line, before any load where it is the plan's", () => {
  const bad = async (lib: string, scenario = `    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    exec: run`, files: Record<string, string> = {}) =>
    runPlan(plan(scenario), { "lib.js": lib, ...files });
  const oneLine = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("error:"));

  test("a module that does not parse: file:line:column", async () => {
    const r = await bad(`export function run() {\n  const x = ;\n}\n`);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(["error: lib.js:2:13: SyntaxError: Unexpected token"]);
    expect(r.summary).toBeUndefined();
  });

  test("an import that does not exist, a remote import, an unknown k6 module", async () => {
    const a = await bad(`import { x } from "./nope.js";\nexport function run() {}\n`);
    expect(oneLine(a.stderr)).toEqual([expect.stringMatching(/^error: lib\.js:1:19: import `\.\/nope\.js`: no such file \(/)]);
    const b = await bad(`import { uuidv4 } from "https://jslib.k6.io/k6-utils/1.4.0/index.js";\nexport function run() {}\n`);
    expect(b.code).toBe(1);
    expect(oneLine(b.stderr)[0]).toContain("lib.js:1:24: remote import `https://jslib.k6.io/k6-utils/1.4.0/index.js`: loadr does not download code at run time; save the file beside the plan and import it by a relative path (`./index.js`)");
    const c = await bad(`import ws from "k6/ws";\nexport function run() {}\n`);
    expect(oneLine(c.stderr)[0]).toMatch(/^error: lib\.js:1:16: module `k6\/ws` is not available in loadr \(available: k6, k6\/http/);
  });

  test("exec naming a function that is not exported: the plan's line, the exports, did-you-mean", async () => {
    const r = await bad(`export function runn() {}\nfunction run() {}\n`);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^error: .*plan\.yaml:\d+:\d+ \(scenarios\.s\.exec\): `exec: run`: `run` is not exported by the module \(its exported functions: runn\) — did you mean `runn`\?$/)]);
  });

  test("a blocking call inside a callback the transform cannot make wait: refused with its location", async () => {
    const r = await bad(`import http from "k6/http";\nexport function run() {\n  ["/a", "/b"].forEach((p) => http.get(p));\n}\n`);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)[0]).toStartWith("error: lib.js:3:31: `http.get` waits, but it is called in a callback passed to `[\"/a\", \"/b\"].forEach`");
  });

  test("setup() that throws stops the run before any VU, exit 1", async () => {
    const r = await bad(`import http from "k6/http";\nexport function setup() { throw new Error("no credentials"); }\nexport function run() { http.get("/json"); }\n`);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(["error: js module: setup() failed: no credentials"]);
    expect(r.summary).toBeUndefined();
  });

  test("teardown() that throws: a warning, and the summary is still written", async () => {
    const r = await bad(`export function run() {}\nexport function teardown() { throw new TypeError("bad cleanup"); }\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: js module: teardown() failed: TypeError: bad cleanup");
    expect(r.summary.metrics.length).toBeGreaterThan(0);
  });

  test("handleSummary() returning something that is not a map: one warning, the console summary instead", async () => {
    const r = await bad(`export function run() {}\nexport function handleSummary() { return 42; }\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: js module: handleSummary() returned a number, not a map of outputs");
    expect(r.stdout).toContain("iterations....");
  });

  test("open() outside the plan's directory fails the init code: the run refuses before any load", async () => {
    const r = await bad(`const secret = open("../../etc/passwd");\nexport function run() {}\n`);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^error: js module: the module's init code failed: open\(`\.\.\/\.\.\/etc\/passwd`\): outside the plan's directory/)]);
    expect(existsSync(join(r.dir, "s.json"))).toBe(false);
  });
});
