/**
 * Requests no protocol handler serves, through dist/loadr (src/plan/protocol-check.ts): `loadr
 * run` refuses the plan before any load with one line — file:line:column, the step's field and
 * the handlers available — and `loadr validate` warns; a plugin that declares a built-in scheme
 * gets one warning naming both, however many workers load it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { loadr, scratch } from "./support/cli.ts";
import { DIST_PLUGINS } from "./support/native.ts";
import { run, validate, LoadrError } from "../src/api.ts";

setDefaultTimeout(60_000);

let echo: EchoServer;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.stop());
const counter = async () => Number(await (await fetch(`${echo.url}/counter`)).text());

const BUILT_INS = "handlers: http (http://, https://), grpc (grpc://, grpcs://), graphql, ws (ws://, wss://), sse (sse://, sses://), tcp (tcp://), udp (udp://)";

/** A plan whose second request is `step` (YAML lines of the request mapping), after one that would reach the echo target. */
const plan = (step: string, head = "") => `${head}scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "${echo.url}/counter" }
      - request:
${step.replace(/^/gm, "          ")}
`;

const CASES: { what: string; step: string; at: string; message: string }[] = [
  { what: "a gopher:// URL", step: `url: "gopher://127.0.0.1:1/chat"`, at: "9:16 (scenarios.s.flow[1].request.url)", message: `no protocol handler serves \`gopher://\` URLs in this build (${BUILT_INS})` },
  { what: "a `socket:` block on a ws:// URL", step: `url: "ws://127.0.0.1:1"\nsocket: { send_text: "x" }`, at: "10:11 (scenarios.s.flow[1].request.socket)", message: "`socket:` options: the `ws` handler this request goes to does not read them" },
  { what: "`protocol: browser`", step: `url: "${"https"}://127.0.0.1:1/"\nprotocol: browser`, at: "10:21 (scenarios.s.flow[1].request.protocol)", message: `no protocol handler serves \`protocol: browser\` in this build (${BUILT_INS})` },
  { what: "a `graphql:` block", step: `url: "http://127.0.0.1:1/graphql"\ngraphql: { query: "{ a }" }`, at: "10:11 (scenarios.s.flow[1].request.graphql)", message: "`graphql:` options: the `http` handler this request goes to does not read them" },
  { what: "a relative URL on a gopher:// base_url", step: `url: "/chat"`, at: "12:16 (scenarios.s.flow[1].request.url)", message: "no protocol handler serves `gopher://` URLs" },
];

describe("a request no handler serves", () => {
  for (const c of CASES)
    test(`${c.what}: run refuses it in one line before any load; validate warns`, async () => {
      const head = c.what.includes("base_url") ? `defaults:\n  http:\n    base_url: "gopher://127.0.0.1:1"\n` : "";
      const dir = scratch({ "plan.yaml": plan(c.step, head) });
      const file = join(dir, "plan.yaml");
      const before = await counter();
      const r = await loadr(["run", file, "--summary-export", join(dir, "s.json")]);
      expect(await counter()).toBe(before + 1); // our own GET: the first request was never sent
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines.length).toBe(1);
      expect(lines[0]).toStartWith(`error: ${file}:${c.at}: ${c.message}`);

      const v = await loadr(["validate", file]);
      expect(v.code).toBe(0);
      expect(v.stderr).toContain(`warning at line ${c.at.split(":")[0]}`);
      expect(v.stderr).toContain(c.message);
      expect(v.stderr).toContain("`loadr run` refuses this plan");
    });

  test("a scheme that comes from a template is refused when the worker routes it, still before any load", async () => {
    const dir = scratch({ "plan.yaml": plan(`url: "\${env.TARGET}/x"`) });
    const before = await counter();
    // -q: the start banner (printed before the workers compile the flows) is not what this checks
    const r = await loadr(["run", join(dir, "plan.yaml"), "-q"], { env: { TARGET: "gopher://127.0.0.1:1" } });
    expect(await counter()).toBe(before + 1);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toEqual([`error: scenarios.s.flow[1].request: no protocol handler serves \`gopher://\` URLs in this build (${BUILT_INS})`]);
  });
});

describe("the programmatic API keeps the same rule", () => {
  test("run() rejects before any load with file:line and the handlers; validate() warns", async () => {
    const dir = scratch({ "plan.yaml": plan(`url: "gopher://127.0.0.1:1"`) });
    const file = join(dir, "plan.yaml");
    const before = await counter();
    const err = await run(file).then(() => undefined, (e: unknown) => e);
    expect(await counter()).toBe(before + 1);
    expect(err).toBeInstanceOf(LoadrError);
    expect((err as Error).message).toBe(`${file}:9:16 (scenarios.s.flow[1].request.url): no protocol handler serves \`gopher://\` URLs in this build (${BUILT_INS})`);
    const v = await validate(file);
    expect(v.valid).toBe(true);
    expect(v.diagnostics.map((d) => [d.severity, d.line, d.path])).toEqual([["warning", 9, "scenarios.s.flow[1].request.url"]]);
  });
});

describe("protocol plugins and the built-in handlers", () => {
  /** echo-proto with a manifest that also claims `https` */
  function greedyPlugin(dir: string): string {
    copyFileSync(join(DIST_PLUGINS, "echo-proto/libecho_proto.so"), join(dir, "libecho_proto.so"));
    const manifest = readFileSync(join(DIST_PLUGINS, "echo-proto/plugin.toml"), "utf8").replace('schemes = ["echo-proto"]', 'schemes = ["echo-proto", "https"]');
    writeFileSync(join(dir, "plugin.toml"), manifest);
    return join(dir, "libecho_proto.so");
  }

  test("a plugin declaring a built-in scheme: one warning naming both, the built-in keeps it", async () => {
    const dir = scratch();
    const lib = greedyPlugin(dir);
    writeFileSync(
      join(dir, "plan.yaml"),
      `plugins: [{ name: greedy, path: ${lib} }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 1
    flow:
      - request: { url: "${echo.url}/" }
      - request: { url: "echo-proto://h/", body: "ab" }
`,
    );
    const r = await loadr(["run", join(dir, "plan.yaml"), "--workers", "2", "--summary-export", join(dir, "s.json")]);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual(["warning: protocol plugin `echo-proto` declares the scheme `https`, which the built-in `http` handler serves: the built-in keeps it"]);
    const s = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as { metrics: { metric: string; agg: { sum: number } }[] };
    const sum = (m: string) => s.metrics.find((x) => x.metric === m)?.agg.sum;
    expect([sum("http_reqs"), sum("echo_proto_reqs")]).toEqual([2, 2]);
  });

  test("with a plugin loaded, the refusal names every handler; validate leaves plugin schemes to run", async () => {
    const dir = scratch({
      "plan.yaml": `plugins: [{ name: echo-proto, path: ${join(DIST_PLUGINS, "echo-proto/libecho_proto.so")} }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "gopher://127.0.0.1:1/" }
`,
    });
    const r = await loadr(["run", join(dir, "plan.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(
      `error: ${join(dir, "plan.yaml")}:8:25 (scenarios.s.flow[0].request.url): no protocol handler serves \`gopher://\` URLs in this build (${BUILT_INS}, echo-proto (echo-proto://))`,
    );
    const v = await loadr(["validate", join(dir, "plan.yaml")]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
  });
});
