/**
 * The HTML report and the live dashboard in a real browser (Debian's Chromium via playwright-core):
 * the charts have data points, thresholds show their state, the control buttons post to /v1/*,
 * and — for a run mixing a fast and a slow endpoint — the p95 and error rate both pages show are
 * the summary's own (the thresholds' observed values), not an average of per-name percentiles.
 * Takes the screenshots docs/outputs.md shows: into a scratch folder, or into docs/img/ with
 * LOADR_UPDATE_SCREENSHOTS=1 (so that a test run leaves the tracked pictures alone).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { readFileSync } from "node:fs";
import { loadr, scratch } from "./support/cli.ts";
import { fmtMs, fmtPercent } from "../src/metrics/format.ts";
import { hasChromium, launchChromium } from "./support/browser.ts";
import { freePort } from "./support/receivers.ts";
import { startLiveRun } from "./support/live-run.ts";
import { UiServer } from "../src/ui/server.ts";

setDefaultTimeout(90_000);

// page.evaluate/waitForFunction bodies run in the browser; the project compiles without the DOM lib.
declare const document: any;

const IMG = process.env.LOADR_UPDATE_SCREENSHOTS === "1" ? resolve(import.meta.dir, "../docs/img") : scratch();

const PLAN = (duration: string) => `
name: checkout flow
plugins: [{ name: echo }]
scenarios:
  browse:
    executor: constant-vus
    vus: 4
    duration: ${duration}
    flow:
      - request:
          name: home
          url: \${services.echo.url}/
          checks: [{ type: status, equals: 200 }]
      - request:
          name: slow
          url: \${services.echo.url}/delay/15
      - request:
          name: missing
          url: \${services.echo.url}/status/404
      - think_time: { type: constant, duration: 20ms }
thresholds:
  http_req_duration: ["p(95)<1000"]
  http_req_failed: ["rate<0.05"]
`;

/** A tile's or card's shown text and its raw `data-value`. */
async function figure(page: Page, selector: string): Promise<{ text: string; value: number }> {
  const el = page.locator(selector);
  return { text: (await el.textContent())!, value: Number(await el.getAttribute("data-value")) };
}

/** The summary's p95 and error rate: what the `p(95)` and `rate` thresholds observed. */
function observed(summary: any): { p95: number; errorRate: number } {
  const t = (m: string) => summary.thresholds.find((x: any) => x.metric === m).observed as number;
  return { p95: t("http_req_duration"), errorRate: t("http_req_failed") };
}

/** data-points of every chart line, by chart. */
function chartPoints(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(() => {
    const out: Record<string, number[]> = {};
    document.querySelectorAll("[data-chart]").forEach((box: any) => {
      out[box.getAttribute("data-chart")!] = [...box.querySelectorAll("polyline")].map((p: any) => Number(p.getAttribute("data-points")));
    });
    return out;
  });
}

describe.skipIf(!hasChromium)("in Chromium", () => {
  let ctx: BrowserContext;
  beforeAll(async () => {
    mkdirSync(IMG, { recursive: true });
    ctx = await launchChromium();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  test("the HTML report: four charts with data points, thresholds and checks, the summary's p95 and error rate, sortable tables; no network requests", async () => {
    const dir = scratch({ "plan.yaml": PLAN("4s") });
    const r = await loadr(["run", "plan.yaml", "-q", "--report", "report.html", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(99); // the 404s fail http_req_failed
    const summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    const want = observed(summary);
    const page = await ctx.newPage();
    const requests: string[] = [];
    page.on("request", (req) => requests.push(req.url()));
    await page.goto("file://" + join(dir, "report.html"));
    const pts = await chartPoints(page);
    expect(Object.keys(pts).sort()).toEqual(["errors", "latency", "rps", "vus"]);
    for (const [chart, lines] of Object.entries(pts)) {
      expect(lines.length).toBeGreaterThan(0);
      for (const n of lines) expect(n, chart).toBeGreaterThanOrEqual(3);
    }
    expect(pts.latency!.length).toBe(3); // p50, p95, p99
    expect(await page.locator("#status").textContent()).toBe("THRESHOLDS FAILED");
    expect(await page.locator('#thresholds tr[data-passed="false"]').count()).toBe(1);
    expect(await page.locator('#thresholds tr[data-passed="true"]').count()).toBe(1);
    expect(await page.locator("#checks").textContent()).toContain("status is 200");
    // one p95 everywhere: the card, the threshold row and the summary agree (mixed 15 ms / sub-ms requests)
    const p95 = await figure(page, "#card-p95");
    expect(p95.value).toBe(want.p95);
    expect(p95.text).toBe(fmtMs(want.p95));
    expect(await page.locator('#thresholds tr:has-text("p(95)") td.num').textContent()).toBe(fmtMs(want.p95));
    const err = await figure(page, "#card-error-rate");
    expect(err.value).toBe(want.errorRate);
    expect(err.text).toBe(fmtPercent(want.errorRate));
    // the request tables: sort by p95, largest first, then back
    const names = () => page.locator("#by-name tbody tr td:first-child").allTextContents();
    expect((await names()).sort()).toEqual(["home", "missing", "slow"]);
    await page.click('#by-name th:has-text("p95")');
    expect((await names())[0]).toBe("slow");
    await page.click('#by-name th:has-text("p95")');
    expect((await names())[2]).toBe("slow");
    expect(await page.locator("#failures").textContent()).toContain("status 404");
    expect(await page.locator("#checks-by-request").textContent()).toContain("home");
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.screenshot({ path: join(IMG, "report.png"), fullPage: true });
    await page.close();
  });

  test("the live dashboard: charts and tables fill while the run goes; its tiles end on the summary's p95 and error rate, as the report's", async () => {
    const dir = scratch({ "plan.yaml": PLAN("6s") });
    const live = await startLiveRun(["run", "plan.yaml", "--ui-linger", "--ui-bind", `127.0.0.1:${freePort()}`, "--report", "report.html"], dir);
    const page = await ctx.newPage();
    try {
      await page.goto(live.url);
      await page.waitForFunction(() => Number(document.querySelector('[data-chart="rps"] polyline')?.getAttribute("data-points")) >= 3, null, { timeout: 30_000 });
      const during = await chartPoints(page);
      for (const n of during.vus!) expect(n).toBeGreaterThanOrEqual(3);
      expect(await page.locator("#status").textContent()).toBe("RUNNING");
      // the buttons speak the run's own control API
      expect(await page.locator("#controls").isVisible()).toBe(true);
      await page.click("#pause");
      await page.waitForFunction(() => document.querySelector("#control-result")?.textContent === "pause: ok");
      expect(((await (await fetch(live.url + "v1/status")).json()) as { paused: boolean }).paused).toBe(true);
      await page.click("#resume");
      await page.waitForFunction(() => document.querySelector("#control-result")?.textContent === "resume: ok");
      expect(((await (await fetch(live.url + "v1/status")).json()) as { paused: boolean }).paused).toBe(false);
      expect(Number(await page.locator("#c-reqs").textContent())).toBeGreaterThan(0);
      expect(await page.locator('#scenarios tr[data-scenario="browse"] td.num').textContent()).toBe("4");
      // a tick's tiles and threshold rows come from the same merge: the p95 tile is the p(95) row's value
      const tileVsRow = await page.evaluate(() => [
        document.querySelector("#c-p95").textContent,
        [...document.querySelectorAll("#thresholds tr")].find((tr: any) => tr.textContent.includes("p(95)"))?.querySelector("td.num")?.textContent,
      ]);
      expect(tileVsRow[0]).toBe(tileVsRow[1]);
      expect(await page.locator("#by-name tbody tr").count()).toBe(3);
      await page.screenshot({ path: join(IMG, "dashboard.png"), fullPage: true });
      await page.waitForFunction(() => document.querySelector("#status")?.textContent !== "RUNNING", null, { timeout: 40_000 });
      expect(await page.locator("#status").textContent()).toBe("THRESHOLDS FAILED");
      expect(await page.locator('#thresholds tr[data-passed="false"] td.fail').count()).toBe(1);
      const after = await chartPoints(page);
      expect(after.rps![0]).toBeGreaterThanOrEqual(during.rps![0]!);
      // the end: the tiles show the summary's own p95 and error rate, and so does the report
      const want = observed(await (await fetch(live.url + "summary.json")).json());
      const p95 = await figure(page, "#c-p95");
      const err = await figure(page, "#c-err");
      expect([p95.value, p95.text]).toEqual([want.p95, fmtMs(want.p95)]);
      expect([err.value, err.text]).toEqual([want.errorRate, fmtPercent(want.errorRate)]);
      await live.waitFor("HTML report written to");
      const report = await ctx.newPage();
      await report.goto("file://" + join(dir, "report.html"));
      expect((await figure(report, "#card-p95")).value).toBe(want.p95);
      expect((await figure(report, "#card-error-rate")).value).toBe(want.errorRate);
      await report.close();
    } finally {
      await page.close();
      live.proc.kill("SIGINT");
    }
    expect(await live.proc.exited).toBe(99);
  });

  test("with a control handler the buttons show and POST /v1/pause|resume|stop to their own origin", async () => {
    const seen: string[] = [];
    const ui = new UiServer({
      bind: "127.0.0.1:0", name: "controlled", scenarios: ["s"],
      control: async (req) => {
        seen.push(`${req.method} ${new URL(req.url).pathname}`);
        return Response.json({ ok: true });
      },
    });
    const page = await ctx.newPage();
    try {
      await page.goto(ui.url);
      for (const b of ["pause", "resume", "stop"]) {
        await page.click(`#${b}`);
        await page.waitForFunction((a) => document.querySelector("#control-result")?.textContent === `${a}: ok`, b);
      }
      expect(seen).toEqual(["POST /v1/pause", "POST /v1/resume", "POST /v1/stop"]);
    } finally {
      await page.close();
      ui.stop();
    }
  });
});
