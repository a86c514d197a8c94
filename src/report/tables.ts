/**
 * The breakdown tables of the HTML report and of the live dashboard, rendered to HTML here in
 * both cases (the dashboard receives them over SSE), so the numbers are formatted once, by
 * metrics/format.ts. Cells carry their raw value in `data-sort`; SORT_SCRIPT sorts a table by a
 * clicked column and keeps that order when the dashboard redraws it.
 */
import type { Breakdown, BreakdownTable, CheckRow, FailureRow, RequestFigures } from "../metrics/index.ts";
import { failureDetail, failureLabel } from "../metrics/failure-text.ts";
import { fixed, fmtCount, fmtMs, fmtPercent } from "../metrics/format.ts";
import { xmlEscape as esc } from "../metrics/junit.ts";

interface Cell {
  text: string;
  /** the sort key: a number, or the text itself */
  sort?: number | null;
  cls?: string;
}

interface Column {
  label: string;
  num?: boolean;
}

function tableHtml(id: string, columns: Column[], rows: Cell[][], extraCls = ""): string {
  const head = columns.map((c, i) => `<th data-col="${i}"${c.num ? ' class="num"' : ""}>${esc(c.label)}</th>`).join("");
  const body = rows
    .map(
      (r) =>
        "<tr>" +
        r
          .map((c, i) => {
            const cls = [columns[i]!.num ? "num" : "", c.cls ?? ""].filter(Boolean).join(" ");
            const sort = c.sort === undefined ? "" : ` data-sort="${c.sort ?? ""}"`;
            return `<td${cls ? ` class="${cls}"` : ""}${sort}>${esc(c.text)}</td>`;
          })
          .join("") +
        "</tr>",
    )
    .join("");
  return `<table id="${id}" class="sortable${extraCls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const FIGURES: Column[] = ["requests", "failed", "fail %", "req/s", "avg", "p50", "p90", "p95", "p99", "max"].map((label) => ({ label, num: true }));

function figureCells(f: RequestFigures): Cell[] {
  const ms = (v: number | null): Cell => ({ text: fmtMs(v), sort: v });
  return [
    { text: fmtCount(f.requests), sort: f.requests },
    { text: fmtCount(f.failures), sort: f.failures, cls: f.failures > 0 ? "fail" : "" },
    { text: fmtPercent(f.failure_rate), sort: f.failure_rate },
    { text: f.rps === null ? "-" : fixed(f.rps, 2), sort: f.rps },
    ms(f.avg), ms(f.p50), ms(f.p90), ms(f.p95), ms(f.p99), ms(f.max),
  ];
}

/** Requests per scenario, group or name; `other` (past the limit) as a last row. */
export function breakdownTableHtml(id: string, keyLabel: string, t: BreakdownTable): string {
  if (t.rows.length === 0) return `<p class="empty" id="${id}">None.</p>`;
  const rows = t.rows.map((r) => [{ text: r.key }, ...figureCells(r)]);
  if (t.other !== null) rows.push([{ text: `(${t.other.keys} more)`, cls: "muted" }, ...figureCells(t.other)]);
  return tableHtml(id, [{ label: keyLabel }, ...FIGURES], rows);
}

export function failuresTableHtml(id: string, failures: readonly FailureRow[]): string {
  if (failures.length === 0) return `<p class="empty" id="${id}">No request failed.</p>`;
  return tableHtml(
    id,
    [{ label: "failed", num: true }, { label: "kind" }, { label: "first message" }],
    failures.map((r) => [{ text: fmtCount(r.count), sort: r.count, cls: "fail" }, { text: failureLabel(r) }, { text: failureDetail(r) }]),
  );
}

export function checkRowsHtml(id: string, checks: readonly CheckRow[]): string {
  if (checks.length === 0) return `<p class="empty" id="${id}">No checks.</p>`;
  return tableHtml(
    id,
    [{ label: "" }, { label: "group" }, { label: "request" }, { label: "check" }, { label: "passes", num: true }, { label: "fails", num: true }, { label: "pass rate", num: true }],
    checks.map((c) => {
      const total = c.passes + c.fails;
      const rate = total ? c.passes / total : null;
      return [
        { text: c.fails ? "✗" : "✓", cls: c.fails ? "fail" : "pass" },
        { text: c.group || "—" }, { text: c.name || "—" }, { text: c.check },
        { text: fmtCount(c.passes), sort: c.passes }, { text: fmtCount(c.fails), sort: c.fails }, { text: fmtPercent(rate), sort: rate },
      ];
    }),
  );
}

/** The request tables both pages show, from a Breakdown. */
export function requestTablesHtml(b: Breakdown): { scenarios: string; groups: string; names: string } {
  return {
    scenarios: breakdownTableHtml("by-scenario", "scenario", b.scenarios),
    groups: breakdownTableHtml("by-group", "group", b.groups),
    names: breakdownTableHtml("by-name", "request", b.names),
  };
}

/**
 * Click a column head of a `table.sortable` to sort by it (again: reverse). The order is kept
 * per table id in `loadrSorts`, and `loadrSortAll(root)` re-applies it after a redraw.
 */
export const SORT_SCRIPT = String.raw`
(function () {
  var sorts = {};
  function key(td) { var s = td.getAttribute("data-sort"); if (s === null) return td.textContent; return s === "" ? -Infinity : Number(s); }
  function apply(table) {
    var st = sorts[table.id]; if (!st) return;
    var body = table.tBodies[0]; if (!body) return;
    var rows = [].slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[st.col]), y = key(b.cells[st.col]);
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return st.dir * c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    [].forEach.call(table.tHead.rows[0].cells, function (th, i) { th.setAttribute("aria-sort", i === st.col ? (st.dir > 0 ? "ascending" : "descending") : "none"); });
  }
  window.loadrSortAll = function (root) { [].forEach.call(root.querySelectorAll("table.sortable"), apply); };
  document.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table.sortable th");
    if (!th) return;
    var table = th.closest("table"), col = Number(th.getAttribute("data-col"));
    var st = sorts[table.id];
    // numbers sort largest first on the first click, names A→Z
    sorts[table.id] = st && st.col === col ? { col: col, dir: -st.dir } : { col: col, dir: th.classList.contains("num") ? -1 : 1 };
    apply(table);
  });
})();
`;
