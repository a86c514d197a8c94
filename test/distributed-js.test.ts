/**
 * The `js:` module in a scale-out test (docs/distributed.md): the parts run its scenario
 * functions, the aggregator's handleSummary() gets the whole test's summary (a part's share gets
 * none), and a module exporting setup() or teardown() — which must run once for the whole test —
 * is refused with one line on both sides before any load, until they run on the aggregator.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { scaleOut } from "./support/scale-out.ts";
import { summaryQueries } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
js:
  file: lib.js
scenarios:
  s:
    executor: per-vu-iterations
    vus: 4
    iterations: 3
    exec: run
`;

describe("the js module across parts", () => {
  test("exec runs on the parts; handleSummary runs once, on the aggregator, over the whole test", async () => {
    const r = await scaleOut({
      plan: PLAN,
      parts: 2,
      files: {
        "lib.js": `import http from "k6/http";
export function run() { http.get("/echo"); }
export function handleSummary(data) {
  const reqs = data.metrics.find((m) => m.metric === "http_reqs");
  return { "whole.txt": "requests=" + reqs.agg.count };
}
`,
      },
    });
    expect(r.agg.code).toBe(0);
    for (const p of r.parts) expect(p.code).toBe(0);
    expect(summaryQueries(r.agg.summary).sum("http_reqs")).toBe(12);
    expect(readFileSync(join(r.dir, "whole.txt"), "utf8")).toBe("requests=12");
    expect(r.agg.stderr).toContain("handleSummary() wrote whole.txt");
    for (const p of r.parts) expect(p.stderr).not.toContain("handleSummary()");
  });

  test("a module exporting setup() or teardown() is refused on the aggregator and on the parts: one line, no load", async () => {
    const r = await scaleOut({
      plan: PLAN,
      parts: 2,
      aggArgs: ["--barrier-timeout", "5s"],
      files: { "lib.js": `import http from "k6/http";\nexport function setup() { return {}; }\nexport function teardown() {}\nexport function run() { http.get("/echo"); }\n` },
      partArgs: () => ["--join-timeout", "3s"],
    });
    const line = "error: the js module exports setup() and teardown(), which must run once for the whole test: a scale-out test cannot run it yet";
    for (const x of [r.agg, ...r.parts]) {
      expect(x.code).toBe(1);
      expect(x.stderr.trim().split("\n").at(-1)).toStartWith(line);
      expect(x.summary).toBeUndefined();
    }
    expect(existsSync(join(r.dir, "whole.txt"))).toBe(false);
  });
});
