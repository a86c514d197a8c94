/**
 * `loadr report` / `loadr run --report`: one self-contained HTML file from a Summary (reference
 * §3.3) — status pill, thresholds, checks, latency percentiles, counters/rates/gauges and charts
 * over time from `timeline`. No network and no external assets: CSS and the chart script are inline.
 */
import type { MetricSummary, Summary } from "../metrics/summary.ts";
import { xmlEscape as esc } from "../metrics/junit.ts";
import { fixed, fmtMs, fmtNum } from "../metrics/format.ts";
import { metricLine } from "../metrics/console.ts";
import { CHART_SCRIPT } from "./chart-script.ts";
import { PAGE_CSS } from "./page-style.ts";

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
<h2>Checks</h2>
${checks(s)}
<h2>Latency</h2>
${trendTable(trends)}
<h2>Counters, rates and gauges</h2>
${otherTable(others)}
</main>
<script>${CHART_SCRIPT}</script>
<script>loadrTimelineCharts(document.getElementById("charts"), ${jsonForScript(s.timeline)});</script>
</body></html>
`;
}

function cards(s: Summary): string {
  const m = (name: string) => s.metrics.find((x) => x.metric === name)?.agg;
  const reqs = s.metrics.filter((x) => x.metric.endsWith("_reqs")).reduce((n, x) => n + x.agg.sum, 0);
  const failed = m("http_req_failed");
  const dur = m("http_req_duration");
  const items: [string, string][] = [
    ["requests", fmtNum(reqs)],
    ["requests/s", fmtNum(s.duration_secs > 0 ? reqs / s.duration_secs : 0)],
    ["failed", failed ? `${fixed((failed.rate ?? 0) * 100, 2)}%` : "-"],
    ["p95 latency", fmtMs(dur?.p95)],
    ["max VUs", fmtNum(m("vus_max")?.max ?? m("vus_max")?.last ?? 0)],
  ];
  return `<div class="cards">${items.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${k}</div></div>`).join("")}</div>`;
}

function thresholds(s: Summary): string {
  if (s.thresholds.length === 0) return `<p class="empty">No thresholds.</p>`;
  const rows = s.thresholds
    .map(
      (t) =>
        `<tr data-passed="${t.passed}"><td class="${t.passed ? "pass" : "fail"}">${t.passed ? "✓ passed" : "✗ failed"}</td><td>${esc(t.metric)}</td><td><code>${esc(t.expression)}</code></td>` +
        `<td class="num">${t.observed === null ? "no samples" : fixed(t.observed, 2)}</td><td>${t.abort_on_fail ? "abort on fail" : ""}</td></tr>`,
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
