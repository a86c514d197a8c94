/**
 * The prepare phase (src/engine/worker/flow/request-builder.ts): the request a handler gets, with
 * its name and a protocol plugin's options rendered; a step whose every part is static is built
 * once (the HTTP client keys its head cache, a plugin its encoded call, by that object).
 */
import { describe, expect, test } from "bun:test";
import { buildRequest } from "../src/engine/worker/flow/request-builder.ts";
import { pipelineHarness } from "./support/pipeline-harness.ts";

/** The first step of a one-request plan, built for the harness's VU in iterations 0, 1, ... */
function build(step: string, iterations = 1) {
  const h = pipelineHarness({ flow: `- request:\n${step.replace(/^/gm, "    ")}` });
  const first = h.plan.scenarios.s!.flow[0]!;
  if (!("request" in first)) throw new Error("not a request step");
  const b = buildRequest(first.request, h.plan.defaults.http, "/");
  return Array.from({ length: iterations }, (_, i) => {
    h.vu.iteration = i;
    return b.build(h.vu);
  });
}

describe("prepare", () => {
  test("a static step is one request object, name and options included", () => {
    const [a, b] = build(`url: "http://127.0.0.1:1/x"\nname: fixed\nplugin: { prefix: "P:", n: 1 }`, 2);
    expect(a).toBe(b!);
    expect(a).toMatchObject({ name: "fixed", method: "GET", url: "http://127.0.0.1:1/x", options: { prefix: "P:", n: 1 } });
  });

  test("a templated name or option makes a request per iteration, rendered", () => {
    const [a, b] = build(`url: "http://127.0.0.1:1/x"\nname: "call \${iteration}"\nplugin: { n: "\${iteration}", s: "n=\${iteration}" }`, 2);
    expect(a).not.toBe(b!);
    expect([a!.name, a!.options, b!.name, b!.options]).toEqual(["call 0", { n: 0, s: "n=0" }, "call 1", { n: 1, s: "n=1" }]);
  });

  test("`sql:` is the plugin's options as {query, params}, every value a string, and wins over `plugin:` (reference §6.5)", () => {
    const [a] = build(`url: "http://127.0.0.1:1/x"\nsql: { query: "select \${iteration}", params: ["\${iteration}", "x"] }\nplugin: { ignored: true }`);
    expect(a!.options).toEqual({ query: "select 0", params: ["0", "x"] });
    const [b] = build(`url: "http://127.0.0.1:1/x"\nsql: { query: "select 1" }`);
    expect(b!.options).toEqual({ query: "select 1", params: [] });
  });

  test("no options block: no options", () => {
    const [a] = build(`url: "http://127.0.0.1:1/"`);
    expect("options" in a!).toBe(false);
  });
});
