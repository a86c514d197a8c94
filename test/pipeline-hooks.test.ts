/**
 * The request hook contract (docs/dev/architecture.md "Request pipeline"), one test per rule,
 * with test hooks registered in-process: order by priority, what before-send may change, re-routing
 * of a changed URL, the synthetic short-circuit, failing hooks that fail only their request, and
 * the compile-time choice of the hook path. Requests go to the echo target on loopback and to the
 * C echo-proto plugin built by `bun run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { loadNativePlugin } from "../src/plugins/host/native/load.ts";
import { NativeProtocol } from "../src/plugins/host/native/protocol.ts";
import type { Vu } from "../src/engine/worker/vu.ts";
import type { RequestHook, SyntheticResponse } from "../src/pipeline/hooks.ts";
import { RequestHooks, HookError } from "../src/pipeline/hooks.ts";
import { Outcome } from "../src/engine/worker/outcome.ts";
import { DIST_PLUGINS } from "./support/native.ts";
import { of, pipelineHarness } from "./support/pipeline-harness.ts";

let echo: EchoServer;
let echoProto: NativeProtocol;
beforeAll(async () => {
  echo = await startEcho();
  const lib = loadNativePlugin({ name: "echo-proto" }, undefined, join(DIST_PLUGINS, "echo-proto/libecho_proto.so"), {});
  if (lib.kind !== "protocol") throw new Error("echo-proto did not load as a protocol");
  echoProto = await NativeProtocol.create(lib.lib, {});
});
afterAll(() => echo.stop());

const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** how many requests the echo target's /counter has answered (a GET of it counts one) */
const counter = async () => Number(await (await fetch(`${echo.url}/counter`)).text());

/** A test hook: `run` as given, the rest filled. */
function hook<P extends RequestHook<Vu>["phase"]>(phase: P, name: string, run: Extract<RequestHook<Vu>, { phase: P }>["run"], priority = 0): RequestHook<Vu> {
  return { phase, name, priority, run } as RequestHook<Vu>;
}

describe("order", () => {
  test("higher priority first, equal priorities in the order added, in every phase", async () => {
    const seen: string[] = [];
    const mark = (s: string) => () => void seen.push(s);
    const h = pipelineHarness({
      flow: `- request: { url: "${echo.url}/" }`,
      hooks: [
        hook("after-record", "r0", mark("record:0")),
        hook("before-send", "a", mark("send:a"), 0),
        hook("before-send", "b", mark("send:b"), 5),
        hook("after-response", "x", mark("response:x"), -1),
        hook("before-send", "c", mark("send:c"), 0),
        hook("before-send", "d", mark("send:d"), -3),
        hook("after-response", "y", mark("response:y"), 2),
      ],
    });
    await h.iterate();
    expect(seen).toEqual(["send:b", "send:a", "send:c", "send:d", "response:y", "response:x", "record:0"]);
  });

  test("a priority must be an integer", () => {
    expect(() => new RequestHooks().add(hook("before-send", "half", () => {}, 0.5))).toThrow(HookError);
  });
});

describe("before-send", () => {
  test("may change method, URL, headers and body: the target gets the changed request and the method tag follows", async () => {
    let sent: unknown;
    const h = pipelineHarness({
      flow: `- request: { name: one, url: "${echo.url}/echo?x=1", headers: { X-Keep: "k" } }`,
      hooks: [
        hook("before-send", "rewrite", (x) => {
          expect({ name: x.name, protocol: x.protocol, method: x.request.method, url: x.request.url }).toEqual({ name: "one", protocol: "http", method: "GET", url: `${echo.url}/echo?x=1` });
          x.request.method = "put";
          x.request.url = `${echo.url}/echo?x=2`;
          x.request.headers.push(["X-Added", "yes"]);
          x.request.body = new TextEncoder().encode("changed body");
        }),
        hook("after-response", "look", (x) => void (sent = JSON.parse(text(x.response.body)))),
      ],
    });
    await h.iterate();
    expect(sent).toMatchObject({ method: "PUT", query: { x: "2" }, headers: { "x-keep": "k", "x-added": "yes" }, body: "changed body" });
    const reqs = of(h.samples(), "http_reqs");
    expect(reqs.map((s) => [s.tags.method, s.tags.name, s.value])).toEqual([["PUT", "one", 1]]);
  });

  test("changes never leak into the next request of a static step (the hook gets a copy)", async () => {
    const bodies: string[] = [];
    let n = 0;
    const h = pipelineHarness({
      flow: `- request: { url: "${echo.url}/echo", headers: { X-N: "0" } }`,
      hooks: [
        hook("before-send", "once", (x) => {
          if (n++ === 0) x.request.headers[0] = ["X-N", "changed"];
        }),
        hook("after-response", "look", (x) => void bodies.push((JSON.parse(text(x.response.body)) as { headers: Record<string, string> }).headers["x-n"]!)),
      ],
    });
    await h.iterate();
    await h.iterate();
    expect(bodies).toEqual(["changed", "0"]);
  });

  test("a URL changed to another handler's scheme is re-routed: that handler sends and records it", async () => {
    const before = await counter();
    const h = pipelineHarness({
      flow: `- request: { name: moved, url: "${echo.url}/counter", body: "abc" }`,
      handlers: [{ handler: echoProto, schemes: ["echo-proto"] }],
      hooks: [
        hook("before-send", "move", (x) => void (x.request.url = "echo-proto://h/x")),
        hook("after-response", "look", (x) => expect([x.protocol, text(x.response.body)]).toEqual(["echo-proto", "cba"])),
      ],
    });
    await h.iterate();
    expect(await counter()).toBe(before + 1); // only the check's own GET: the step never reached HTTP
    const s = h.samples();
    expect(of(s, "http_reqs")).toEqual([]);
    expect(of(s, "echo_proto_reqs").map((x) => [x.tags.proto, x.tags.name, x.value])).toEqual([["echo-proto", "moved", 1]]);
  });

  test("with an explicit `protocol:` a changed URL keeps its handler", async () => {
    const h = pipelineHarness({
      flow: `- request: { protocol: http, url: "${echo.url}/" }`,
      handlers: [{ handler: echoProto, schemes: ["echo-proto"] }],
      hooks: [hook("before-send", "move", (x) => void (x.request.url = "echo-proto://h/x"))],
    });
    await h.iterate();
    const reqs = of(h.samples(), "http_reqs");
    // HTTP got it, and refused the scheme as a transport-level failure
    expect(reqs.map((x) => [x.tags.proto, x.tags.error_kind])).toEqual([["http", "transport"]]);
  });

  test("a URL changed to a scheme no handler serves fails that request with error_kind hook; the flow goes on", async () => {
    const h = pipelineHarness({
      flow: `- request: { name: bad, url: "${echo.url}/" }\n- request: { name: next, url: "${echo.url}/" }`,
      hooks: [hook("before-send", "move", (x) => void (x.name === "bad" && (x.request.url = "gopher://h/")))],
    });
    expect(await h.iterate()).toBe(Outcome.Continue);
    const s = h.samples();
    expect(of(s, "http_reqs", { name: "bad" }).map((x) => x.tags.error_kind)).toEqual(["hook"]);
    expect(of(s, "http_reqs", { name: "next" }).map((x) => [x.tags.status, x.tags.error_kind ?? "none"])).toEqual([["200", "none"]]);
    expect(h.logs.join("\n")).toContain("a before-send hook changed the URL to `gopher://h/`: no protocol handler serves `gopher://` URLs");
  });
});

describe("short-circuit", () => {
  test("a synthetic answer skips send, is recorded with zero timings and bytes, tagged synthetic, and checks see it", async () => {
    const before = await counter();
    const later: string[] = [];
    const seen: { synthetic: boolean; status: number }[] = [];
    const h = pipelineHarness({
      flow: `- request:\n    name: cached\n    url: "${echo.url}/counter"\n    checks:\n      - { name: body, type: body_contains, value: from cache }\n      - { name: status, type: status, equals: 203 }`,
      hooks: [
        hook("before-send", "cache", (): SyntheticResponse => ({ status: 203, body: "from cache", headers: [["x-cache", "hit"]] }), 10),
        hook("before-send", "after the answer", () => void later.push("ran")),
        hook("after-response", "look", (x) => void seen.push({ synthetic: x.synthetic, status: x.response.status })),
      ],
    });
    await h.iterate();
    expect(await counter()).toBe(before + 1); // our own GET only: nothing was sent
    expect(later).toEqual([]);
    expect(seen).toEqual([{ synthetic: true, status: 203 }]);
    const s = h.samples();
    expect(of(s, "http_reqs").map((x) => [x.tags.synthetic, x.tags.status, x.tags.name])).toEqual([["true", "203", "cached"]]);
    for (const m of ["http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_waiting"]) expect(of(s, m)[0]!.max).toBe(0);
    expect(of(s, "data_sent")[0]!.value).toBe(0);
    expect(of(s, "data_received")[0]!.value).toBe(0);
    expect(of(s, "checks").map((x) => [x.tags.check, x.value, x.count])).toEqual([["body", 1, 1], ["status", 1, 1]]);
  });

  test("an answer that is not a response fails the request (error_kind hook)", async () => {
    const h = pipelineHarness({
      flow: `- request: { url: "${echo.url}/" }`,
      hooks: [hook("before-send", "wrong", () => ({ status: "200" }) as unknown as SyntheticResponse)],
    });
    await h.iterate();
    expect(of(h.samples(), "http_reqs").map((x) => x.tags.error_kind)).toEqual(["hook"]);
  });
});

describe("a failing hook fails its request cleanly", () => {
  test("before-send throws: not sent, counted as failed with error_kind hook and zero timings, the flow goes on", async () => {
    const before = await counter();
    const h = pipelineHarness({
      flow: `- request: { name: first, url: "${echo.url}/counter" }\n- request: { name: second, url: "${echo.url}/counter" }`,
      hooks: [
        hook("before-send", "boom", (x) => {
          if (x.name === "first") throw new Error("no token");
        }),
      ],
    });
    expect(await h.iterate()).toBe(Outcome.Continue);
    expect(await counter()).toBe(before + 2); // the second request and our own GET
    const s = h.samples();
    expect(of(s, "http_reqs", { name: "first" }).map((x) => [x.tags.status, x.tags.error_kind])).toEqual([["0", "hook"]]);
    expect(of(s, "http_req_duration", { name: "first" })[0]!.max).toBe(0);
    expect(of(s, "http_req_failed", { name: "first" }).map((x) => [x.value, x.count])).toEqual([[1, 1]]);
    expect(of(s, "http_reqs", { name: "second" }).map((x) => x.tags.status)).toEqual(["200"]);
    expect(h.logs.join("\n")).toContain("request `first`: hook `boom` failed in before-send: no token");
  });

  test("a rejected promise counts the same as a throw; `last request failed` is set", async () => {
    const h = pipelineHarness({
      flow: `- request: { url: "${echo.url}/" }`,
      hooks: [hook("before-send", "async boom", async () => Promise.reject(new Error("later")))],
    });
    await h.iterate();
    expect(h.vu.lastFailed).toBe(true);
    expect(of(h.samples(), "http_reqs").map((x) => x.tags.error_kind)).toEqual(["hook"]);
  });

  test("after-response throws: the response keeps its timings and bytes, and fails with error_kind hook", async () => {
    const h = pipelineHarness({
      flow: `- request: { url: "${echo.url}/delay/5" }`,
      hooks: [hook("after-response", "picky", () => { throw new Error("did not like it"); })],
    });
    await h.iterate();
    const s = h.samples();
    expect(of(s, "http_reqs").map((x) => [x.tags.status, x.tags.error_kind])).toEqual([["200", "hook"]]);
    expect(of(s, "http_req_duration")[0]!.max).toBeGreaterThanOrEqual(4);
    expect(of(s, "data_received")[0]!.value).toBeGreaterThan(0);
    expect(of(s, "http_req_failed")[0]!.value).toBe(1);
    expect(h.vu.lastFailed).toBe(true);
  });

  test("after-record throws: the samples stand as recorded, plus one failed sample tagged error=hook", async () => {
    const h = pipelineHarness({
      flow: `- request: { name: r, url: "${echo.url}/" }`,
      hooks: [hook("after-record", "late", () => { throw new Error("export failed"); })],
    });
    await h.iterate();
    const failed = of(h.samples(), "http_req_failed");
    expect(failed.map((x) => [x.tags.error ?? x.tags.status, x.value, x.count])).toEqual([["200", 0, 1], ["hook", 1, 1]]);
    expect(h.vu.lastFailed).toBe(true);
  });
});

describe("after-record", () => {
  test("sees the final verdict: a failed assertion fails a 200", async () => {
    const verdicts: boolean[] = [];
    const h = pipelineHarness({
      flow: `- request:\n    url: "${echo.url}/"\n    assert: [{ type: status, equals: 201 }]`,
      hooks: [hook("after-record", "verdict", (x) => void verdicts.push(x.failed))],
    });
    await h.iterate();
    expect(verdicts).toEqual([true]);
  });
});

describe("the hook path is chosen when the step compiles", () => {
  test("no hooks: the step has no hook path; hooks added after compiling are not run", async () => {
    expect(new RequestHooks().forStep()).toBeUndefined();
    const h = pipelineHarness({ flow: `- request: { url: "${echo.url}/" }` });
    let ran = 0;
    h.rt.run.hooks!.add(hook("before-send", "late", () => void ran++));
    await h.iterate();
    expect(ran).toBe(0);
    expect(of(h.samples(), "http_reqs").map((x) => x.tags.status)).toEqual(["200"]);
  });
});
