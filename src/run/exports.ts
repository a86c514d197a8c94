/**
 * The run's report face after the end: the summary JSON (`--summary-export`), the JUnit XML
 * (`--junit`) and the self-contained HTML report (`--report`). Each is written on its own; a file
 * that cannot be written is a failure line, never a lost summary or a lost other file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Summary } from "../metrics/summary.ts";
import { renderJunit } from "../metrics/junit.ts";
import { renderReport } from "../report/html.ts";

export interface ExportPaths {
  /** `-`: stdout */
  summaryExport?: string;
  junit?: string;
  report?: string;
}

export interface ExportOutcome {
  written: { what: "summary" | "junit" | "report" | "handleSummary"; path: string }[];
  /** one line per file that could not be written */
  failures: string[];
}

export function writeExports(summary: Summary, paths: ExportPaths): ExportOutcome {
  const out: ExportOutcome = { written: [], failures: [] };
  const write = (what: ExportOutcome["written"][number]["what"], path: string | undefined, text: () => string) => {
    if (!path) return;
    try {
      // `--summary-export -`: the summary JSON goes to stdout (the CLI moved its console summary to stderr)
      if (path === "-" && what === "summary") process.stdout.write(text());
      else writeFileCreatingDir(path, text());
      out.written.push({ what, path });
    } catch (e) {
      out.failures.push(`cannot write ${path}: ${(e as Error).message}`);
    }
  };
  write("summary", paths.summaryExport, () => JSON.stringify(summary, null, 2) + "\n");
  write("junit", paths.junit, () => renderJunit(summary));
  write("report", paths.report, () => renderReport(summary));
  return out;
}

/** Write a file, creating its folder first (also `loadr report`'s output). */
export function writeFileCreatingDir(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
