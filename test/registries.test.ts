/**
 * The plugin roles' registries (docs/dev/architecture.md, "Plugin roles and their seams"):
 * built-ins and registered kinds enter by the same door, a name is taken once, and the service
 * registry starts plugins by entry name and stops what it started when a later one fails.
 */
import { describe, expect, test } from "bun:test";
import { ExtractorRegistry } from "../src/extract/registry.ts";
import { ConditionRegistry } from "../src/checks/registry.ts";
import { makeResponseView } from "../src/extract/response-view.ts";
import { OutputRegistry } from "../src/outputs/registry.ts";
import type { Output } from "../src/outputs/types.ts";
import { ServiceRegistry } from "../src/services/registry.ts";
import { ofType } from "../src/util/kind-registry.ts";

const view = (body: string) =>
  makeResponseView({
    status: 200, statusText: "", headers: [], body: new TextEncoder().encode(body),
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0, bytesReceived: 0, protocolVersion: "HTTP/1.1", url: "",
  });

describe("extractor and condition registries", () => {
  test("built-ins compile; a registered kind compiles by its type; a taken type is refused", () => {
    const x = new ExtractorRegistry();
    expect(x.compile({ type: "jsonpath", name: "t", expression: "$.t" }).run(view('{"t":"v"}'), Math.random)).toEqual({ ok: true, value: "v" });
    expect(() => x.compile({ type: "plugin", name: "t" })).toThrow('unsupported extractor type "plugin"');
    x.register("plugin", ofType((spec: { name: string }) => ({ name: spec.name, run: () => ({ ok: true, value: "from the plugin kind" }) })));
    expect(x.compile({ type: "plugin", name: "t" }).run(view("{}"), Math.random)).toEqual({ ok: true, value: "from the plugin kind" });
    expect(() => x.register("jsonpath", () => ({ name: "", run: () => ({ ok: false, error: "" }) }))).toThrow("extractor type `jsonpath` is already registered");
    // another registry (another thread, another run) does not see it
    expect(() => new ExtractorRegistry().compile({ type: "plugin", name: "t" })).toThrow("unsupported extractor type");

    const c = new ConditionRegistry();
    c.register("plugin", (_spec, name) => (r) => name === "verdict" && r.status === 200);
    const compiled = c.compile({ type: "plugin", plugin: "p", name: "verdict" });
    expect(compiled.check(view("{}"))).toBe(true);
    expect(c.compile({ type: "status", equals: 201 }).check(view("{}"))).toBe(false);
    expect(() => c.register("status", () => () => true)).toThrow("condition type `status` is already registered");
  });
});

describe("output registry", () => {
  const ctx = { cwd: "/", problem() {}, note() {} };
  test("a registered kind is created through the same door as the built-ins; a taken kind is refused", async () => {
    const r = new OutputRegistry();
    await expect(r.create({ type: "plugin", name: "x", config: {} }, ctx)).rejects.toThrow("output plugins are not available");
    const made: unknown[] = [];
    r.registerOutput("plugin", (spec: { name: string }) => {
      made.push(spec);
      return { name: spec.name, wantsSamples: false, start: async () => {}, onSnapshot() {}, finish: async () => {} } satisfies Output;
    });
    expect((await r.create({ type: "plugin", name: "x", config: { a: 1 } }, ctx)).name).toBe("x");
    expect(made).toEqual([{ type: "plugin", name: "x", config: { a: 1 } }]);
    expect(() => r.registerOutput("json", () => ({}) as Output)).toThrow("output kind `json` is already registered");
  });
});

describe("service registry", () => {
  test("plugins start by entry name in plan order; the built-in echo only for an entry without path; a failure stops what started", async () => {
    const events: string[] = [];
    const r = new ServiceRegistry();
    const starter = (name: string) => () => {
      events.push(`start ${name}`);
      return { info: { url: `x://${name}` }, stop: async () => void events.push(`stop ${name}`) };
    };
    r.register("a", starter("a"));
    r.register("b", starter("b"));
    expect(() => r.register("a", starter("a"))).toThrow("service `a` is already registered");
    const running = await r.startAll([{ name: "b" }, { name: "not-a-service" }, { name: "a" }, { name: "echo", path: "./echo.so" }]);
    expect(running.info).toEqual({ b: { url: "x://b" }, a: { url: "x://a" } });
    await running.stopAll();
    expect(events).toEqual(["start b", "start a", "stop a", "stop b"]);

    events.length = 0;
    r.register("broken", () => {
      throw new Error("service `broken` failed to start: no");
    });
    await expect(r.startAll([{ name: "a" }, { name: "echo" }, { name: "broken" }])).rejects.toThrow("service `broken` failed to start");
    expect(events).toEqual(["start a", "stop a"]);
  });
});
