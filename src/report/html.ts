/**
 * `loadr report` / `loadr run --report`: one self-contained HTML file from a Summary (reference
 * §3.3) — status pill, headline figures, charts over time from `timeline`, thresholds, the
 * failure table, requests per scenario, group and name (sortable), checks, latency percentiles,
 * counters/rates/gauges. No network and no external assets: CSS and scripts are inline. Summaries
 * of schema 1 (no `breakdown`) are rendered without the breakdown sections.
 */
import type { MetricSummary, Summary } from "../metrics/summary.ts";
import { BREAKDOWN_LIMIT } from "../metrics/breakdown.ts";
import { xmlEscape as esc } from "../metrics/junit.ts";
import { fixed, fmtCount, fmtMs, fmtNum, fmtPercent } from "../metrics/format.ts";
import { metricLine, observedText } from "../metrics/console.ts";
import { CHART_SCRIPT } from "./chart-script.ts";
import { PAGE_CSS } from "./page-style.ts";
import { checkRowsHtml, failuresTableHtml, requestTablesHtml, SORT_SCRIPT } from "./tables.ts";

export function statusPill(s: Pick<Summary, "aborted" | "thresholds_passed">): { text: string; cls: string } {
  if (s.aborted) return { text: `ABORTED ${s.aborted}`, cls: "bad" };
  if (!s.thresholds_passed) return { text: "THRESHOLDS FAILED", cls: "bad" };
  return { text: "PASSED", cls: "ok" };
}

export function renderReport(s: Summary): string {
  const title = s.name ?? "loadr test";
  const pill = statusPill(s);
  const trends = s.metrics.filter((m) => m.kind === "trend");
  const others = s.metrics.filter((m) => m.kind !== "trend" && m.metric !== "checks");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>loadr report — ${esc(title)}</title>
<style>${PAGE_CSS}</style></head>
<body><main>
<h1>${esc(title)} <span class="pill ${pill.cls}" id="status">${esc(pill.text)}</span></h1>
<div class="meta">${s.scenarios.length} scenario(s): ${esc(s.scenarios.join(", "))} · ${fixed(s.duration_secs, 1)}s ·
started ${esc(new Date(s.started_ms).toISOString())} · run ${esc(s.run_id)}</div>
${cards(s)}
<h2>Over time</h2>
<div class="charts" id="charts"></div>
<h2>Thresholds</h2>
${thresholds(s)}
${breakdownSections(s)}
<h2>Checks</h2>
${checks(s)}
${s.breakdown ? `<h3>By group and request</h3>\n${checkRowsHtml("checks-by-request", s.breakdown.checks)}` : ""}
<h2>Latency</h2>
${trendTable(trends)}
<h2>Counters, rates and gauges</h2>
${otherTable(others)}
</main>
<script>${CHART_SCRIPT}</script>
<script>${SORT_SCRIPT}</script>
<script>loadrTimelineCharts(document.getElementById("charts"), ${jsonForScript(s.timeline)});</script>
</body></html>
`;
}

/**
 * The headline figures. Schema 2: every request merged (breakdown.total) — the same merged
 * histogram and counts the summary's metrics and the thresholds read; schema 1: the metrics.
 */
export function headline(s: Summary): { requests: number; rps: number; errorRate: number | null; p95: number | null } {
  const m = (name: string) => s.metrics.find((x) => x.metric === name)?.agg;
  const t = s.breakdown?.total;
  const requests = t?.requests ?? s.metrics.filter((x) => x.metric.endsWith("_reqs")).reduce((n, x) => n + x.agg.sum, 0);
  return {
    requests,
    rps: s.duration_secs > 0 ? requests / s.duration_secs : 0,
    errorRate: t ? t.failure_rate : (m("http_req_failed")?.rate ?? null),
    p95: t ? t.p95 : (m("http_req_duration")?.p95 ?? null),
  };
}

function cards(s: Summary): string {
  const h = headline(s);
  const vusMax = s.metrics.find((x) => x.metric === "vus_max")?.agg;
  const items: [string, string, string, number | null][] = [
    ["requests", "requests", fmtCount(h.requests), h.requests],
    ["rps", "requests/s", fmtNum(h.rps), h.rps],
    ["error-rate", "failed", fmtPercent(h.errorRate), h.errorRate],
    ["p95", "p95 latency", fmtMs(h.p95), h.p95],
    ["vus-max", "max VUs", fmtNum(vusMax?.max ?? vusMax?.last ?? 0), vusMax?.max ?? vusMax?.last ?? 0],
  ];
  return `<div class="cards">${items
    .map(([id, k, v, raw]) => `<div class="card"><div class="v" id="card-${id}" data-value="${raw ?? ""}">${esc(v)}</div><div class="k">${k}</div></div>`)
    .join("")}</div>`;
}

function breakdownSections(s: Summary): string {
  const b = s.breakdown;
  if (b === undefined) return `<h2>Requests</h2>\n<p class="empty" id="no-breakdown">This summary was written by an earlier loadr (schema 1): it has no breakdown by scenario, group and request, and no failure table.</p>`;
  const t = requestTablesHtml(b);
  return `<h2>Failures</h2>
${failuresTableHtml("failures", b.failures)}
<h2>Requests</h2>
<p class="meta">Click a column to sort. Latency and failure rate are over every request of the row (merged histograms); "(N more)" merges the rows past the first ${BREAKDOWN_LIMIT}.</p>
<h3>By scenario</h3>
${t.scenarios}
<h3>By group</h3>
${t.groups}
<h3>By request name</h3>
${t.names}`;
}

function thresholds(s: Summary): string {
  if (s.thresholds.length === 0) return `<p class="empty">No thresholds.</p>`;
  const rows = s.thresholds
    .map(
      (t) =>
        `<tr data-passed="${t.passed}"><td class="${t.passed ? "pass" : "fail"}">${t.passed ? "✓ passed" : "✗ failed"}</td><td>${esc(t.metric)}</td><td><code>${esc(t.expression)}</code></td>` +
        `<td class="num" data-value="${t.observed ?? ""}">${esc(observedText(t))}</td><td>${t.abort_on_fail ? "abort on fail" : ""}</td></tr>`,
    )
    .join("");
  return `<table id="thresholds"><tr><th>status</th><th>metric</th><th>expression</th><th class="num">observed</th><th></th></tr>${rows}</table>`;
}

function checks(s: Summary): string {
  if (s.checks.length === 0) return `<p class="empty">No checks.</p>`;
  const rows = s.checks
    .map((c) => {
      const total = c.passes + c.fails;
      return `<tr><td class="${c.fails ? "fail" : "pass"}">${c.fails ? "✗" : "✓"}</td><td>${esc(c.name)}</td><td class="num">${c.passes}</td><td class="num">${c.fails}</td><td class="num">${total ? fixed((c.passes / total) * 100, 2) : "0.00"}%</td></tr>`;
    })
    .join("");
  return `<table id="checks"><tr><th></th><th>check</th><th class="num">passes</th><th class="num">fails</th><th class="num">pass rate</th></tr>${rows}</table>`;
}

function trendTable(ms: MetricSummary[]): string {
  if (ms.length === 0) return `<p class="empty">No timings recorded.</p>`;
  const cols = ["avg", "min", "med", "p90", "p95", "p99", "max"] as const;
  const rows = ms
    .map((m) => `<tr><td>${esc(m.metric)}</td><td class="num">${m.agg.count}</td>${cols.map((c) => `<td class="num">${fmtMs(m.agg[c])}</td>`).join("")}</tr>`)
    .join("");
  return `<table id="latency"><tr><th>metric</th><th class="num">count</th>${cols.map((c) => `<th class="num">${c}</th>`).join("")}</tr>${rows}</table>`;
}

function otherTable(ms: MetricSummary[]): string {
  if (ms.length === 0) return `<p class="empty">No metrics.</p>`;
  const rows = ms.map((m) => `<tr><td>${esc(m.metric)}</td><td>${m.kind}</td><td>${esc(metricLine(m))}</td></tr>`).join("");
  return `<table id="metrics"><tr><th>metric</th><th>kind</th><th>value</th></tr>${rows}</table>`;
}

/** JSON inside a <script>: `</script>` and friends must not end the element early. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
