/**
 * The run's report face after the end: the summary JSON (`--summary-export`), the JUnit XML
 * (`--junit`) and the self-contained HTML report (`--report`). Each is written on its own; a file
 * that cannot be written is a failure line, never a lost summary or a lost other file. Each is
 * written whole or not at all (src/util/atomic-write.ts): a full disk leaves no truncated file.
 */
import { writeFileAtomic } from "../util/atomic-write.ts";
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
      else writeFileAtomic(path, text());
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
