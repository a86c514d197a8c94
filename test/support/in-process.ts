/**
 * Runs a plan on the test's own thread through the worker-thread set-up (src/run/worker-setup.ts)
 * — no workers, no built binary — against the echo target started in-process
 * (src/services/echo/server.ts), reachable as `${services.echo.url}`. The thread's metrics become
 * a summary the way the coordinator makes one (MetricsFeed), so tests query it as they query a
 * binary run's summary export (test/support/run-plan.ts).
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { loadPlanText, formatDiagnostic } from "../../src/plan/load.ts";
import { MetricsFeed } from "../../src/engine/coordinator/metrics-feed.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { startEcho } from "../../src/services/echo/server.ts";
import { prepareRun } from "../../src/run/prepare.ts";
import { setUpThread } from "../../src/run/worker-setup.ts";
import { scratch } from "./cli.ts";
import { summaryQueries, type SummaryQueries } from "./run-plan.ts";

export interface InProcessRun extends SummaryQueries {
  summary: Summary;
  /** the thread's log lines (warnings of failed extractions, exceptions...) */
  log: string[];
}

export async function runInProcess(planYaml: string, files: Record<string, string> = {}): Promise<InProcessRun> {
  const dir = scratch(files);
  writeFileSync(join(dir, "plan.yaml"), planYaml);
  const loaded = loadPlanText(planYaml, join(dir, "plan.yaml"), dir, { checkFiles: true });
  if (!loaded.plan) throw new Error(loaded.diagnostics.map((d) => formatDiagnostic(d)).join("\n"));
  const run = prepareRun(loaded.plan, { baseDir: dir, env: {}, controlApi: true });
  const echo = await startEcho({});
  try {
    const log: string[] = [];
    const thread = await setUpThread(
      { ...run, services: { echo: { url: echo.url, port: echo.port } }, logLevel: "warn", segment: { index: 0, count: 1 } },
      { write: (line) => log.push(line) },
    );
    const feed = new MetricsFeed(run.scenarios, run.thresholds);
    feed.start();
    await thread.runAll();
    feed.merge(thread.sink.drain());
    feed.end();
    const summary = feed.summary(loaded.plan.name, undefined);
    return { summary, log, ...summaryQueries(summary) };
  } finally {
    await echo.stop();
  }
}
