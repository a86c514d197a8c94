/** Diagnostics: what every plan problem becomes, and the reference's one-line text form (§1.13). */

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Dotted path like `scenarios.browse.flow[0].request.url` ("" for the document itself). */
  path: string;
  message: string;
  /** 1-based, relative to the plan file; null when the path cannot be found in the source. */
  line: number | null;
  column: number | null;
  suggestion: string | null;
}

/** One segment list → the reference's dotted path (`a.b[0].c`). */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/**
 * `<error|warning>[ at line L[, column C]][ (<path>)]: <message>[ — <suggestion>]`, prefixed with
 * `<file>: ` when a file is given (the CLI validates several files at once).
 */
export function formatDiagnostic(d: Diagnostic, file?: string): string {
  let s = d.severity;
  if (d.line != null) {
    s += ` at line ${d.line}`;
    if (d.column != null) s += `, column ${d.column}`;
  }
  if (d.path) s += ` (${d.path})`;
  s += `: ${d.message}`;
  if (d.suggestion) s += ` — ${d.suggestion}`;
  return file ? `${file}: ${s}` : s;
}

export function countErrors(ds: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of ds) if (d.severity === "error") n++;
  return n;
}
