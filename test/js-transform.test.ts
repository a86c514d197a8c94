/**
 * The load-time transform of synchronous-style modules (src/js/transform.ts): what waits is
 * awaited, what contains it becomes async, loops get their guard, what cannot be made to wait is
 * refused with its location — and the transformed code runs with the meaning it was written with.
 */
import { describe, expect, test } from "bun:test";
import vm from "node:vm";
import { JsLoadError, parseModule, transformModule, type ModuleExports } from "../src/js/transform.ts";

const transform = (src: string, deps: Record<string, ModuleExports> = {}) => transformModule(parseModule(src, "m.js"), (spec) => deps[spec]);
const refusal = (src: string) => {
  try {
    transform(src);
  } catch (e) {
    if (e instanceof JsLoadError) return e.message;
    throw e;
  }
  return undefined;
};

/** Run a transformed module with fake k6 modules whose blocking calls return promises; the exports. */
function evaluate(src: string, host: Record<string, Record<string, unknown>>): Record<string, (...a: unknown[]) => unknown> {
  const ctx = vm.createContext({ __loadr_tick: () => {} });
  const factory = vm.runInContext(transform(src).code, ctx) as (imp: (s: string) => unknown, exp: object) => void;
  const exports: Record<string, (...a: unknown[]) => unknown> = {};
  factory((s) => host[s], exports);
  return exports;
}

describe("what waits", () => {
  test("k6's blocking calls are awaited and the functions around them become async, transitively", () => {
    const { code, exports } = transform(`import http from "k6/http";
import { sleep, check } from "k6";
function fetch(p) { return http.get(p).json(); }
function twice(p) { fetch(p); return fetch(p); }
export function run() { const v = twice("/x"); check(v, { ok: (x) => !!x }); sleep(1); }
export function pure(a) { return a + 1; }
`);
    expect(code).toContain("async function fetch(p) { return (await http.get(p)).json(); }");
    expect(code).toContain("async function twice(p) { await fetch(p); return await fetch(p); }");
    expect(code).toContain("async function run() { const v = await twice(\"/x\"); check(v, { ok: (x) => !!x }); await sleep(1); }");
    expect(code).toContain("function pure(a)");
    expect(code).not.toContain("async function pure");
    expect(exports.get("run")).toEqual({ madeAsync: true, fn: true });
    expect(exports.get("pure")).toEqual({ madeAsync: false, fn: true });
  });

  test("a user's own async function and await stay as written; calls to it are not awaited", () => {
    const { code } = transform(`import http from "k6/http";
async function load() { return await http.get("/a"); }
export function run() { const p = load(); return p; }
`);
    expect(code).toContain("async function load() { return await http.get(\"/a\"); }");
    expect(code).toContain("function run() { const p = load(); return p; }");
    expect(code).not.toContain("async function run");
  });

  test("group waits only when its callback does; methods of module objects and classes are followed", () => {
    const { code } = transform(`import http from "k6/http";
import { group } from "k6";
const api = { list() { return http.get("/l"); } };
class Client { login() { return http.post("/login"); } }
export function run() {
  group("quiet", () => 1);
  group("loud", () => { api.list(); });
  new Client().login();
}
`);
    expect(code).toContain('group("quiet", () => 1);');
    expect(code).toContain('await group("loud", async () => { await api.list(); });');
    expect(code).toContain("async list() { return await http.get(\"/l\"); }");
    expect(code).toContain("async login() { return await http.post(\"/login\"); }");
    expect(code).toContain("await new Client().login();");
  });

  test("a shadowed name is not k6's: a local `http` object's get is not awaited", () => {
    const { code } = transform(`export function run() { const http = { get: (u) => u }; return http.get("/x"); }\n`);
    expect(code).not.toContain("await");
  });

  test("an imported module's function that waits is awaited where it is called", () => {
    const { code } = transform(`import { login } from "./auth.js";\nexport function run() { login(); }\n`, {
      "./auth.js": new Map([["login", { madeAsync: true, fn: true }]]),
    });
    expect(code).toContain("async function run() { await login(); }");
  });

  test("await binds as written: parentheses where a member, a call or `**` follows, and a `;` where a line could run into the one before", () => {
    const { code } = transform(`import http from "k6/http";
export function run() {
  const a = 1
  http.get("/b").body.length
  return http.get("/c")?.json() ** 2
}
`);
    expect(code).toContain("  const a = 1\n  ;(await http.get(\"/b\")).body.length\n");
    expect(code).toContain('return (await http.get("/c"))?.json() ** 2');
  });

  test("every loop gets its guard, braces added where the body is one statement; lines are kept", () => {
    const src = `export function run(n) {\n  for (let i = 0; i < n; i++) n--;\n  while (n < 0) { n++; }\n  do n++; while (n < 3);\n  for (const x of [1]) {}\n}\n`;
    const { code } = transform(src);
    expect(code.match(/__loadr_tick\(\)/g)!.length).toBe(4);
    expect(code).toContain("for (let i = 0; i < n; i++) {__loadr_tick();n--;}");
    expect(code.split("\n").length).toBe(src.split("\n").length + 2); // the export line and the closing line
  });
});

describe("what cannot wait is refused, with its place", () => {
  test("a blocking call in a callback handed to other code", () => {
    expect(refusal(`import http from "k6/http";\nexport function run(urls) {\n  urls.map((u) => http.get(u));\n}\n`)).toStartWith(
      "m.js:3:19: `http.get` waits, but it is called in a callback passed to `urls.map`",
    );
  });

  test("a function that waits used as a value", () => {
    expect(refusal(`import { sleep } from "k6";\nfunction nap() { sleep(1); }\nexport const later = () => setTimeout(nap, 10);\n`)).toStartWith(
      "m.js:3:39: `nap` waits (`sleep`), but it is used here as an argument of `setTimeout`",
    );
  });

  test("getters, constructors and generators that wait", () => {
    expect(refusal(`import http from "k6/http";\nexport const o = { get x() { return http.get("/"); } };\n`)).toContain("called in a getter");
    expect(refusal(`import http from "k6/http";\nexport class C { constructor() { http.get("/"); } }\n`)).toContain("called in a constructor");
    expect(refusal(`import http from "k6/http";\nexport function* g() { yield http.get("/"); }\n`)).toContain("called in a generator");
  });

  test("waiting in the init code, top-level await, dynamic import, a syntax error", () => {
    expect(refusal(`import http from "k6/http";\nconst r = http.get("/");\n`)).toBe(
      "m.js:2:11: `http.get` waits, and the init code (outside any function) cannot wait: move it into `setup()` or an exported function",
    );
    expect(refusal(`await 1;\n`)).toStartWith("m.js:1:1: top-level `await` is not supported");
    expect(refusal(`export function f() { return import("./x.js"); }\n`)).toStartWith("m.js:1:30: dynamic `import()` is not supported");
    expect(refusal(`export function f() {\n  return 1 +;\n}\n`)).toBe("m.js:2:13: SyntaxError: Unexpected token");
  });
});

describe("the transformed code keeps its meaning", () => {
  test("synchronous-style code gets the values, in order, through promises", async () => {
    const log: string[] = [];
    const http = {
      get: (u: string) => new Promise((r) => setTimeout(() => (log.push(`got ${u}`), r({ body: u.toUpperCase(), json: () => ({ u }) })), 5)),
    };
    const exports = evaluate(
      `import http from "k6/http";
import { sleep } from "k6";
export default function (paths) {
  const out = [];
  for (const p of paths) { out.push(http.get(p).body); sleep(0.001); }
  return out.join(",") + ":" + http.get("/j").json().u;
}
`,
      { "k6/http": { default: http }, k6: { sleep: (s: number) => new Promise((r) => setTimeout(() => (log.push(`slept ${s}`), r(undefined)), 1)) } },
    );
    expect(await exports.default!(["/a", "/b"])).toBe("/A,/B:/j");
    expect(log).toEqual(["got /a", "slept 0.001", "got /b", "slept 0.001", "got /j"]);
  });
});
