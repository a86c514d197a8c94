/** `loadr report <summary.json>` (reference §3.3): the self-contained HTML report, or JUnit XML. */
import { readPlanText } from "../util/plan-file.ts";
import { parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { NotASummaryError, parseSummary } from "../report/summary-file.ts";
import { renderReport } from "../report/html.ts";
import { renderJunit } from "../metrics/junit.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";

export const HELP = `Usage: loadr report <summary.json> [-o <path>] [--format html|junit]

Renders a summary written by \`loadr run --summary-export\` (or the NDJSON of the json output)
as one self-contained HTML file (no network needed to view it) or as JUnit XML.

Options:
  -o, --output <path>   where to write (default: loadr-report.html, or loadr-junit.xml)
  --format <f>          html (default) or junit`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("report", args, {
    output: { type: "string", short: "o" },
    format: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("report: give exactly one summary file, e.g. `loadr report summary.json`");
  const format = values.format ?? "html";
  if (format !== "html" && format !== "junit") throw new UsageError(`report: --format must be html or junit, got \`${format}\``);
  const file = positionals[0]!;
  let text: string;
  try {
    text = readPlanText(file, "results");
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as Error).message}): give the path of a summary export`);
  }
  let summary;
  try {
    summary = parseSummary(text, file);
  } catch (e) {
    if (e instanceof NotASummaryError) throw new CliError(e.message);
    throw e;
  }
  const out = values.output ?? (format === "html" ? "loadr-report.html" : "loadr-junit.xml");
  try {
    writeFileAtomic(out, format === "html" ? renderReport(summary) : renderJunit(summary));
  } catch (e) {
    throw new CliError(`cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose a writable path`);
  }
  const quiet = (values.quiet?.length ?? 0) > 0;
  if (!quiet) process.stderr.write(makeStyle(colorWanted(values["no-color"] === true, process.stderr)).green(`✓ wrote ${out}`) + "\n");
  return 0;
}
