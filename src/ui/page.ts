/**
 * The live dashboard page: inline CSS and scripts only, fed by /events (server.ts). Numbers and
 * tables arrive formatted (live-state.ts); the page places them, draws the charts and sorts tables.
 */
import { xmlEscape as esc } from "../metrics/junit.ts";
import { CHART_SCRIPT } from "../report/chart-script.ts";
import { PAGE_CSS } from "../report/page-style.ts";
import { SORT_SCRIPT } from "../report/tables.ts";

export function dashboardPage(name: string, control: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>loadr live — ${esc(name)}</title>
<style>${PAGE_CSS}</style></head>
<body><main>
<h1>${esc(name)} <span class="pill run" id="status">CONNECTING</span></h1>
<div class="meta" id="meta"></div>
<div id="controls" style="margin-top:12px;${control ? "" : "display:none"}">
  <button id="pause" data-action="pause">Pause</button> <button id="resume" data-action="resume">Resume</button>
  <button id="stop" class="stop" data-action="stop">Stop</button> <span id="control-result" class="meta"></span>
</div>
<div class="cards">
  <div class="card"><div class="v" id="c-elapsed">-</div><div class="k">elapsed</div></div>
  <div class="card"><div class="v" id="c-vus">-</div><div class="k">VUs (max)</div></div>
  <div class="card"><div class="v" id="c-rps">-</div><div class="k">requests/s</div></div>
  <div class="card"><div class="v" id="c-p95" data-value="">-</div><div class="k">p95 latency</div></div>
  <div class="card"><div class="v" id="c-err" data-value="">-</div><div class="k">error rate</div></div>
  <div class="card"><div class="v" id="c-reqs">-</div><div class="k">requests</div></div>
</div>
<h2>Scenarios</h2>
<div id="scenarios"></div>
<h2>Over time</h2>
<div class="charts" id="charts"></div>
<h2>Thresholds</h2>
<div id="thresholds"><p class="empty">No thresholds.</p></div>
<h2>Failures</h2>
<div id="failures-box"><p class="empty">No request failed.</p></div>
<h2>Requests</h2>
<p class="meta">So far; click a column to sort.</p>
<h3>By scenario</h3><div id="by-scenario-box"><p class="empty">None yet.</p></div>
<h3>By group</h3><div id="by-group-box"><p class="empty">None yet.</p></div>
<h3>By request name</h3><div id="by-name-box"><p class="empty">None yet.</p></div>
</main>
<script>${CHART_SCRIPT}</script>
<script>${SORT_SCRIPT}</script>
<script>
(function () {
  var timeline = [], $ = function (id) { return document.getElementById(id); };
  function text(id, v) { $(id).textContent = v; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function status(s) { var p = $("status"); p.textContent = s.text; p.className = "pill " + s.cls; if (s.state === "finished") $("controls").style.display = "none"; }
  function thresholds(list) {
    if (!list.length) { $("thresholds").innerHTML = '<p class="empty">No thresholds.</p>'; return; }
    $("thresholds").innerHTML = '<table><tr><th>status</th><th>metric</th><th>expression</th><th class="num">observed</th></tr>' +
      list.map(function (t) {
        return '<tr data-passed="' + t.passed + '"><td class="' + (t.passed ? "pass" : "fail") + '">' + (t.passed ? "✓ passing" : "✗ failing") + "</td><td>" +
          esc(t.metric) + "</td><td><code>" + esc(t.expression) + '</code></td><td class="num">' + esc(t.observed_text) + "</td></tr>";
      }).join("") + "</table>";
  }
  function scenarios(names, byName) {
    $("scenarios").innerHTML = '<table><tr><th>scenario</th><th class="num">active VUs</th></tr>' +
      names.map(function (n) { return '<tr data-scenario="' + esc(n) + '"><td>' + esc(n) + '</td><td class="num">' + (byName[n] || 0) + "</td></tr>"; }).join("") + "</table>";
  }
  function tile(id, shown, value) { text(id, shown); $(id).setAttribute("data-value", value === null ? "" : String(value)); }
  // tiles and tables: every request so far, as the summary will count them (live-state.ts)
  function figures(f) {
    tile("c-p95", f.text.p95, f.total.p95);
    tile("c-err", f.text.error_rate, f.total.error_rate);
    tile("c-reqs", f.text.requests, f.total.requests);
    if (!f.tables) return;
    $("failures-box").innerHTML = f.tables.failures;
    $("by-scenario-box").innerHTML = f.tables.scenarios;
    $("by-group-box").innerHTML = f.tables.groups;
    $("by-name-box").innerHTML = f.tables.names;
    loadrSortAll(document);
  }
  var names = [];
  function tick(t) {
    scenarios(names, t.scenario_vus || {});
    var p = t.point || timeline[timeline.length - 1] || {};
    text("c-elapsed", Math.round(t.elapsed_secs) + "s");
    text("c-vus", t.vus + " (" + t.vus_max + ")");
    text("c-rps", p.rps === undefined ? "-" : p.rps.toFixed(1));
    figures(t);
    thresholds(t.thresholds);
  }
  function draw() { loadrTimelineCharts($("charts"), timeline); }
  var es = new EventSource("events");
  es.addEventListener("init", function (e) {
    var s = JSON.parse(e.data);
    timeline = s.timeline;
    text("meta", s.scenarios.length + " scenario(s): " + s.scenarios.join(", "));
    names = s.scenarios;
    scenarios(names, {});
    status(s.status);
    if (s.last) tick(s.last);
    draw();
  });
  es.addEventListener("tick", function (e) { var t = JSON.parse(e.data); if (t.point) timeline.push(t.point); tick(t); draw(); });
  es.addEventListener("done", function (e) { var d = JSON.parse(e.data); timeline = d.timeline; status(d.status); thresholds(d.thresholds); figures(d.final); text("c-vus", "0"); scenarios(names, {}); draw(); });
  document.querySelectorAll("#controls button").forEach(function (b) {
    b.addEventListener("click", function () {
      fetch("v1/" + b.dataset.action, { method: "POST" }).then(function (r) { text("control-result", b.dataset.action + ": " + (r.ok ? "ok" : "HTTP " + r.status)); },
        function (err) { text("control-result", b.dataset.action + " failed: " + err); });
    });
  });
})();
</script>
</body></html>
`;
}
