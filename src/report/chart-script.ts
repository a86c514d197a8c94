/**
 * The charts of the HTML report and of the live dashboard: one small dependency-free browser
 * script (inlined into both pages, so neither needs the network) that draws line charts as SVG.
 * `loadrChart(el, spec)` (re)draws; each line is a <polyline> whose `data-points` attribute counts
 * its points (the browser tests read it).
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 4, 8, 10]; // with 4 (or, for 10, 5) gridlines every tick is a round number
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }
  function fmt(v, unit) {
    if (unit === "%") return (v * 100).toFixed(v * 100 >= 10 || v === 0 ? 0 : 1) + "%";
    if (unit === "ms") return v >= 1000 ? (v / 1000).toFixed(1) + "s" : v >= 10 ? v.toFixed(0) + "ms" : v >= 1 || v === 0 ? v.toFixed(1) + "ms" : (v * 1000).toFixed(0) + "µs";
    if (v >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (v >= 1e4) return (v / 1e3).toFixed(0) + "k";
    return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1);
  }
  function fmtTime(s, span) {
    if (span < 10) return s.toFixed(1) + "s";
    s = Math.round(s);
    return s >= 60 ? Math.floor(s / 60) + "m" + (s % 60 ? String(s % 60).padStart(2, "0") + "s" : "") : s + "s";
  }
  // spec: {title, unit, lines: [{name, color, points: [[x, y], ...]}]}
  window.loadrChart = function (host, spec) {
    var W = 560, H = 220, L = 56, R = 12, T = 28, B = 30;
    var xs = [], ymax = 0;
    spec.lines.forEach(function (l) { l.points.forEach(function (p) { xs.push(p[0]); if (p[1] > ymax) ymax = p[1]; }); });
    var x0 = xs.length ? Math.min.apply(null, xs) : 0, x1 = xs.length ? Math.max.apply(null, xs) : 1;
    if (x1 <= x0) x1 = x0 + 1;
    ymax = spec.unit === "%" ? Math.max(niceMax(ymax), 0.01) : niceMax(ymax);
    if (spec.unit === "%" && ymax > 1) ymax = 1;
    var sx = function (x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
    var sy = function (y) { return T + (1 - y / ymax) * (H - T - B); };
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-label": spec.title });
    svg.appendChild(el("text", { x: L, y: 16, class: "chart-title" }, spec.title));
    var m = ymax / Math.pow(10, Math.floor(Math.log10(ymax)));
    var rows = Math.abs(m - 1) < 1e-9 || Math.abs(m - 10) < 1e-9 ? 5 : 4;
    for (var i = 0; i <= rows; i++) {
      var y = ymax * i / rows;
      svg.appendChild(el("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), class: "grid" }));
      svg.appendChild(el("text", { x: L - 6, y: sy(y) + 4, class: "tick", "text-anchor": "end" }, fmt(y, spec.unit)));
    }
    for (var j = 0; j <= 5; j++) {
      var x = x0 + (x1 - x0) * j / 5;
      svg.appendChild(el("text", { x: sx(x), y: H - 10, class: "tick", "text-anchor": "middle" }, fmtTime(x, x1 - x0)));
    }
    var lx = W - R;
    spec.lines.slice().reverse().forEach(function (l) {
      var pts = l.points.filter(function (p) { return isFinite(p[1]); });
      var line = el("polyline", {
        points: pts.map(function (p) { return sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1); }).join(" "),
        fill: "none", stroke: l.color, "stroke-width": 2, "data-points": pts.length, "data-name": l.name, class: "line",
      });
      svg.appendChild(line);
      if (pts.length === 1) svg.appendChild(el("circle", { cx: sx(pts[0][0]), cy: sy(pts[0][1]), r: 3, fill: l.color }));
      if (spec.lines.length > 1) {
        var label = el("text", { x: lx, y: 16, class: "legend", fill: l.color, "text-anchor": "end" }, l.name);
        svg.appendChild(label);
        lx -= l.name.length * 7 + 14;
      }
    });
    if (!xs.length) svg.appendChild(el("text", { x: W / 2, y: H / 2, class: "tick", "text-anchor": "middle" }, "no data yet"));
    host.replaceChildren(svg);
  };
  // The four charts both pages show, from Summary.timeline points. Latency and error rate are
  // each interval's own (schema 2: its histograms merged across names); timelines of schema 1
  // have only the run-so-far values, and are drawn as such.
  window.loadrTimelineCharts = function (host, timeline) {
    var pick = function (k) { return timeline.filter(function (p) { return p[k] !== undefined && p[k] !== null; }).map(function (p) { return [p.elapsed_secs, p[k]]; }); };
    var perInterval = timeline.some(function (p) { return p.requests !== undefined; });
    var lat = perInterval ? "interval_latency_" : "latency_", when = perInterval ? " (per interval)" : " (run so far)";
    var specs = [
      { id: "rps", title: "Requests per second", unit: "", lines: [{ name: "req/s", color: "#2563eb", points: pick("rps") }] },
      { id: "latency", title: "Latency" + when, unit: "ms", lines: [
        { name: "p50", color: "#16a34a", points: pick(lat + "p50") },
        { name: "p95", color: "#d97706", points: pick(lat + "p95") },
        { name: "p99", color: "#dc2626", points: pick(lat + "p99") } ] },
      { id: "vus", title: "Active VUs", unit: "", lines: [{ name: "VUs", color: "#7c3aed", points: pick("active_vus") }] },
      { id: "errors", title: "Error rate" + when, unit: "%", lines: [{ name: "errors", color: "#dc2626", points: pick(perInterval ? "interval_error_rate" : "error_rate") }] },
    ];
    specs.forEach(function (s) {
      var box = host.querySelector('[data-chart="' + s.id + '"]');
      if (!box) { box = document.createElement("div"); box.className = "chart-box"; box.setAttribute("data-chart", s.id); host.appendChild(box); }
      window.loadrChart(box, s);
    });
  };
})();
`;
