/** Protocol selection (reference §5.2) among the handlers that exist: built-ins win, plugin schemes and names, refusals, metric family names. */
import { describe, expect, test } from "bun:test";
import { ProtocolRouter } from "../src/protocols/router.ts";
import { metricFamily } from "../src/protocols/family-metrics.ts";
import { runCatalogue, validationCatalogue } from "../src/protocols/builtins.ts";
import type { HandlerInfo } from "../src/protocols/handler.ts";

const info = (name: string, optionBlocks: string[] = []): HandlerInfo => ({ name, optionBlocks });

describe("ProtocolRouter", () => {
  const http = info("http");
  const r = new ProtocolRouter<HandlerInfo>([{ handler: http, names: ["http", "https"], schemes: ["http", "https"] }]);
  const redis = info("redis");
  const evil = info("evil");
  const redisWarnings = r.register(redis, ["redis", "REDISS"], ["my-redis"]);
  const evilWarnings = r.register(evil, ["https", "http", "evil"], ["HTTP"]);
  const via = (protocol: string | undefined, url: string) => r.route(protocol, url).handler;

  test("schemes route to the plugin, case-insensitively; each handler has its own slot", () => {
    expect(via(undefined, "redis://h:1/0")).toBe(redis);
    expect(via(undefined, "REDISS://h")).toBe(redis);
    expect(r.handlers.map((h) => [h.handler.name, h.slot])).toEqual([["http", 0], ["redis", 1], ["evil", 2]]);
  });
  test("built-in schemes and names always win, and a plugin claiming one is told, naming both", () => {
    expect(via(undefined, "https://h/")).toBe(http);
    expect(via("https", "x")).toBe(http);
    expect(via("HTTP", "x")).toBe(http);
    expect(redisWarnings).toEqual([]);
    expect(evilWarnings).toEqual([
      "protocol plugin `evil` declares the name `HTTP`, which the built-in `http` handler serves: the built-in keeps it",
      "protocol plugin `evil` declares the scheme `https`, which the built-in `http` handler serves: the built-in keeps it",
      "protocol plugin `evil` declares the scheme `http`, which the built-in `http` handler serves: the built-in keeps it",
    ]);
  });
  test("a URL without a scheme goes to http; a scheme no handler serves is refused, naming the handlers", () => {
    expect(via(undefined, "/path")).toBe(http);
    expect(via(undefined, "${services.x.url}/path")).toBe(http);
    const handlers = "handlers: http (http://, https://), redis (redis://, rediss://), evil (evil://)";
    expect(() => r.route(undefined, "gopher://h/")).toThrow(`no protocol handler serves \`gopher://\` URLs in this build (${handlers})`);
    // protocols the plan format knows but this router has no handler for are not pretended to exist
    expect(() => r.route(undefined, "ws://h/")).toThrow("no protocol handler serves `ws://` URLs");
    expect(() => r.route(undefined, "sse://h:1")).toThrow("no protocol handler serves `sse://` URLs");
    expect(() => r.route("websocket", "x")).toThrow(`no protocol handler serves \`protocol: websocket\` in this build (${handlers})`);
    expect(() => r.route("browser", "https://h/")).toThrow("no protocol handler serves `protocol: browser`");
  });
  test("`protocol:` by handler name, entry name, or declared scheme", () => {
    expect(via("redis", "h")).toBe(redis);
    expect(via("my-redis", "h")).toBe(redis);
    expect(via("rediss", "h")).toBe(redis);
    expect(via("evil", "h")).toBe(evil);
    expect(() => r.route("mongo", "h")).toThrow("no protocol handler serves `protocol: mongo`");
  });
  test("metric family sanitising", () => {
    expect(metricFamily("echo-proto")).toBe("echo_proto");
    expect(metricFamily("Go.Echo")).toBe("go_echo");
    expect(metricFamily("--")).toBe("plugin");
  });
});

describe("catalogues for the plan check", () => {
  test("a request step is served or not by the same rule; an option block needs a handler that reads it", () => {
    const { catalogue, warnings } = runCatalogue([{ name: "echo-proto", schemes: ["echo-proto", "https"], entry: "echo" }]);
    expect(warnings).toEqual(["protocol plugin `echo-proto` declares the scheme `https`, which the built-in `http` handler serves: the built-in keeps it"]);
    expect(catalogue.unserved({ url: "echo-proto://h", blocks: ["sql"] })).toBeUndefined();
    expect(catalogue.unserved({ protocol: "echo", url: "x", blocks: [] })).toBeUndefined();
    expect(catalogue.unserved({ url: "http://h/", blocks: [] })).toBeUndefined();
    const handlers = "handlers: http (http://, https://), grpc (grpc://, grpcs://), graphql, ws (ws://, wss://), sse (sse://, sses://), tcp (tcp://), udp (udp://), echo-proto (echo-proto://)";
    expect(catalogue.unserved({ url: "gopher://h/", blocks: [] })).toEqual({ field: "url", message: `no protocol handler serves \`gopher://\` URLs in this build (${handlers})` });
    expect(catalogue.unserved({ url: "http://h/", blocks: ["graphql"] })).toEqual({
      field: "graphql",
      message: `\`graphql:\` options: the \`http\` handler this request goes to does not read them (${handlers})`,
    });
    // the built-in stream protocols read their blocks; GraphQL by name only
    expect(catalogue.unserved({ url: "ws://h/", blocks: ["ws"] })).toBeUndefined();
    expect(catalogue.unserved({ url: "sses://h/", blocks: ["sse"] })).toBeUndefined();
    expect(catalogue.unserved({ url: "udp://h:1", blocks: ["socket"] })).toBeUndefined();
    expect(catalogue.unserved({ protocol: "graphql", url: "http://h/", blocks: ["graphql"] })).toBeUndefined();
    expect(catalogue.unserved({ protocol: "websocket", url: "http://h/", blocks: ["ws"] })).toBeUndefined();
  });
  test("gRPC: grpc:// and grpcs:// route to it; a scheme only a template gives goes by the step's `grpc:` block", () => {
    const { catalogue } = runCatalogue([]);
    const request = { grpc: { reflection: true, service: "a.B", method: "C" } } as never;
    expect(catalogue.unserved({ url: "grpc://h:1", blocks: ["grpc"], request })).toBeUndefined();
    expect(catalogue.unserved({ url: "grpcs://h:1", blocks: ["grpc"], request })).toBeUndefined();
    expect(catalogue.unserved({ url: "${services.echo.grpc_url}", blocks: ["grpc"], request })).toBeUndefined();
    expect(catalogue.unserved({ url: "http://h/", blocks: ["grpc"], request })?.field).toBe("grpc");
    expect(catalogue.unserved({ url: "grpc://h", blocks: ["grpc"], request })).toEqual({ field: "url", message: "gRPC URL `grpc://h` has no port (grpc://host:port)" });
  });
  test("validate's view: plugin entries are handlers by name; with any listed, an unknown scheme is left to `loadr run`", () => {
    expect(validationCatalogue([]).unserved({ url: "redis://h", blocks: [] })?.field).toBe("url");
    const withPlugin = validationCatalogue([{ name: "redis" }]);
    expect(withPlugin.unserved({ url: "redis://h", blocks: [] })).toBeUndefined();
    expect(withPlugin.unserved({ protocol: "redis", url: "x", blocks: ["sql"] })).toBeUndefined();
    expect(withPlugin.unserved({ protocol: "browser", url: "https://h", blocks: [] })?.field).toBe("protocol");
  });
});
