/** Writing `--summary-export` and `--junit` files; a write failure is one clear line, not a lost run. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Summary } from "../metrics/summary.ts";
import { renderJunit } from "../metrics/junit.ts";
import { renderReport } from "../report/html.ts";
import type { Style } from "./style.ts";
import { CliError } from "./errors.ts";

export async function writeExports(
  summary: Summary,
  paths: { summaryExport?: string; junit?: string; report?: string },
  quiet: boolean,
  style: Style,
): Promise<void> {
  const failures: string[] = [];
  const write = (path: string, text: string, done: string) => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      if (!quiet) process.stderr.write(style.green(`✓ ${done} ${path}`) + "\n");
    } catch (e) {
      failures.push(`cannot write ${path}: ${(e as Error).message}`);
    }
  };
  if (paths.summaryExport) write(paths.summaryExport, JSON.stringify(summary, null, 2) + "\n", "summary exported to");
  if (paths.junit) write(paths.junit, renderJunit(summary), "JUnit report written to");
  if (paths.report) write(paths.report, renderReport(summary), "HTML report written to");
  if (failures.length) throw new CliError(failures.join("; ") + " (the summary above is complete; choose a writable path)");
}

/** Write a file, creating its folder; a failure is one clear line (used by `loadr report`). */
export function writeOutputFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new CliError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose a writable path`);
  }
}
