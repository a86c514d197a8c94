/**
 * Loads the plan's `data:` sources (reference §1.9) into plain string tables, once per worker at
 * startup. Every problem is one clear startup error naming the source and the file: a ragged
 * CSV row, a JSON file that is not an array of objects, an empty file.
 */
import { isAbsolute, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import type { DataSource } from "../../../plan/schema.ts";
import { stringifyValue } from "../../../plan/template.ts";
import { PlanFileError, readPlanText } from "../../../util/plan-file.ts";

export type Row = Readonly<Record<string, string>>;

export class DataLoadError extends Error {}

export function loadDataSource(name: string, src: DataSource, baseDir: string): Row[] {
  const where = `data source \`${name}\``;
  if (src.type === "inline") {
    if (src.rows.length === 0) throw new DataLoadError(`${where}: inline data has no rows`);
    return src.rows.map(stringRow);
  }
  const file = isAbsolute(src.path) ? src.path : resolve(baseDir, src.path);
  let text: string;
  try {
    text = readPlanText(file, "data");
  } catch (e) {
    if (!(e instanceof PlanFileError)) throw e;
    throw new DataLoadError(`${where}: cannot read \`${src.path}\` (${e.message}; looked in ${file})`);
  }
  const at = `${where} (${src.path})`;
  return src.type === "csv" ? csvRows(at, text, src.delimiter, src.has_header) : jsonRows(at, text);
}

function csvRows(at: string, text: string, delimiter: string, hasHeader: boolean): Row[] {
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new DataLoadError(`${at}: invalid CSV: ${(e as Error).message}`);
  }
  const header = hasHeader ? records.shift() : undefined;
  if (records.length === 0) throw new DataLoadError(`${at}: CSV has no data rows`);
  const columns = header ?? records[0]!.map((_, i) => `col${i}`);
  if (header) {
    const seen = new Set<string>();
    for (const c of header) {
      if (seen.has(c)) throw new DataLoadError(`${at}: CSV header repeats the column \`${c}\`; column names must be unique`);
      seen.add(c);
    }
  }
  return records.map((r, i) => {
    if (r.length !== columns.length) {
      const line = i + 1 + (header ? 1 : 0);
      throw new DataLoadError(
        `${at}: CSV record ${line} has ${r.length} field(s) but ${header ? "the header has" : "the first record has"} ${columns.length}; every row needs the same columns`,
      );
    }
    const row: Record<string, string> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]!] = r[c]!;
    return row;
  });
}

function jsonRows(at: string, text: string): Row[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataLoadError(`${at}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(v)) throw new DataLoadError(`${at}: JSON data source must be an array of objects`);
  if (v.length === 0) throw new DataLoadError(`${at}: JSON data source has no rows (an empty array)`);
  return v.map((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r))
      throw new DataLoadError(`${at}: each JSON data row must be an object (element ${i} is ${r === null ? "null" : Array.isArray(r) ? "an array" : typeof r})`);
    return stringRow(r as Record<string, unknown>);
  });
}

/** All values are kept as strings; non-strings as their JSON text (reference §1.9). */
function stringRow(r: Record<string, unknown>): Row {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) out[k] = stringifyValue(v);
  return Object.freeze(out);
}
