/**
 * A worker's death in one line. Bun hands a worker's uncaught exception (or unhandled rejection)
 * to the main thread as an ErrorEvent whose message is the whole formatted report: a source
 * excerpt with a caret, `TypeError: message` (`error: message` for a plain Error), then `at ...`
 * lines. The run says why in one line; the whole report is a log line at -v.
 */
export function whyLine(report: string): string {
  const lines = report.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^\d+ \|/.test(l) && !/^\^+$/.test(l));
  const named = lines.find((l) => /^[A-Za-z]*(Error|Exception|error)( \[\w+\])?: /.test(l)) ?? lines[0] ?? "unknown error";
  const line = named.replace(/^error: /, "");
  return line.length > 300 ? line.slice(0, 297) + "..." : line;
}
