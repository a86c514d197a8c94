/** Protocol selection (reference §5.2): built-ins win, plugin schemes and names, metric family names. */
import { describe, expect, test } from "bun:test";
import { metricFamily, ProtocolRouter, type PluginProtocol } from "../src/protocols/router.ts";

const handler = (name: string): PluginProtocol => ({ name, family: metricFamily(name), call: () => { throw new Error("not called"); } });

describe("ProtocolRouter", () => {
  const r = new ProtocolRouter();
  const redis = handler("redis");
  const evil = handler("evil");
  r.register(redis, ["redis", "REDISS"], ["my-redis"]);
  r.register(evil, ["https", "http", "evil"]);

  test("schemes route to the plugin, case-insensitively", () => {
    expect(r.route(undefined, "redis://h:1/0")).toEqual({ kind: "plugin", handler: redis });
    expect(r.route(undefined, "REDISS://h")).toEqual({ kind: "plugin", handler: redis });
  });
  test("built-in schemes and names always win", () => {
    expect(r.route(undefined, "https://h/")).toEqual({ kind: "builtin", protocol: "http" });
    expect(r.route("https", "x")).toEqual({ kind: "builtin", protocol: "http" });
    expect(r.route("websocket", "x")).toEqual({ kind: "builtin", protocol: "ws" });
  });
  test("relative and unknown-scheme URLs go to http", () => {
    expect(r.route(undefined, "/path")).toEqual({ kind: "builtin", protocol: "http" });
    expect(r.route(undefined, "gopher://h/")).toEqual({ kind: "builtin", protocol: "http" });
  });
  test("`protocol:` by handler name, entry name, or declared scheme", () => {
    expect(r.route("redis", "h")).toEqual({ kind: "plugin", handler: redis });
    expect(r.route("my-redis", "h")).toEqual({ kind: "plugin", handler: redis });
    expect(r.route("evil", "h")).toEqual({ kind: "plugin", handler: evil });
    expect(() => r.route("mongo", "h")).toThrow("protocol `mongo` is neither built in nor provided by a loaded plugin (loaded protocol plugins: redis, evil)");
  });
  test("metric family sanitising", () => {
    expect(metricFamily("echo-proto")).toBe("echo_proto");
    expect(metricFamily("Go.Echo")).toBe("go_echo");
    expect(metricFamily("--")).toBe("plugin");
  });
});
