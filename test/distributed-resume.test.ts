/**
 * A part whose connection drops reconnects, resumes where the aggregator's merge stands and
 * resends only what was not merged; a batch that arrives twice is merged once
 * (docs/distributed.md "Guarantees"). A relay between the parts and the aggregator sends every
 * batch twice and cuts each part's first connection after its first batch.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { summaryQueries } from "./support/run-plan.ts";
import { scaleOut, startRelay } from "./support/scale-out.ts";

setDefaultTimeout(60_000);

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
scenarios:
  s:
    executor: per-vu-iterations
    vus: 4
    iterations: 30
    flow:
      - request: { url: /x, name: req }
      - think_time: { type: constant, duration: 80ms }
`;

describe("scale-out: reconnects never double-count and never lose a second", () => {
  test("batches sent twice and a cut connection per part: the counts are exact", async () => {
    let upstream = 0;
    const relay = startRelay(() => upstream, { duplicate: true, cutAfter: 1 });
    const r = await scaleOut({ plan: PLAN, parts: 2, joinPort: (agg) => ((upstream = agg), relay.port) });
    relay.stop();
    expect(relay.cuts).toBe(2);
    expect(r.agg.code).toBe(0);
    expect(r.agg.stderr).toContain("part 1/2 disconnected; waiting up to 10 s for it to resume");
    for (const p of r.parts) {
      expect(p.code).toBe(0);
      expect(p.stderr).toContain("reconnected to the aggregator; resending what it had not merged");
    }
    const q = summaryQueries(r.agg.summary);
    expect(q.sum("iterations")).toBe(120);
    expect(q.sum("http_reqs")).toBe(120);
    expect(q.sum("http_reqs", { instance: "1/2" })).toBe(60);
    // the parts' own exports agree with what the aggregator merged
    expect(r.parts.map((p) => summaryQueries(p.summary).sum("http_reqs"))).toEqual([60, 60]);
  });
});
