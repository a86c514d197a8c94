/** The look shared by the HTML report and the live dashboard (inlined: no external assets). */
export const PAGE_CSS = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f9fafb; --ok:#15803d; --bad:#b91c1c; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.meta { color: var(--muted); }
.pill { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; color: #fff; vertical-align: middle; margin-left: 8px; }
.pill.ok { background: var(--ok); } .pill.bad { background: var(--bad); } .pill.run { background: #2563eb; } .pill.warn { background: var(--warn); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.chart-box { background: #fff; border: 1px solid var(--line); padding: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid { stroke: var(--line); } svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .chart-title { font-weight: 600; font-size: 13px; fill: var(--fg); } svg.chart .legend { font-size: 12px; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); padding: 10px 14px; min-width: 140px; }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; } .card .k { color: var(--muted); font-size: 12px; }
button { font: inherit; padding: 6px 14px; border: 1px solid var(--line); background: #fff; cursor: pointer; border-radius: 6px; }
button:hover { background: #f3f4f6; } button.stop { color: var(--bad); }
.empty { color: var(--muted); }
h3 { font-size: 14px; margin: 18px 0 8px; color: var(--muted); }
.muted { color: var(--muted); }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
`;
