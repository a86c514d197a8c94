/**
 * What the module's `handleSummary(summary)` returns (k6's contract, with the reference's string
 * form): a string replaces the console summary; a map writes each value — `stdout` instead of the
 * console summary, `stderr` to stderr, any other key to that file (relative to the working
 * directory, folders created, each written whole or not at all); a value that is not a string is written as JSON. Nothing (or
 * null) keeps the console summary. Anything else is one warning line and the console summary.
 */
import type { Summary } from "../metrics/summary.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { ExportOutcome } from "./exports.ts";
import type { Lifecycle } from "./lifecycle.ts";

export interface CustomSummary extends ExportOutcome {
  /** shown instead of the console summary */
  stdout?: string;
}

const asText = (v: unknown): string =>
  typeof v === "string" ? v : v instanceof ArrayBuffer ? new TextDecoder().decode(v) : ArrayBuffer.isView(v) ? new TextDecoder().decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) : JSON.stringify(v, null, 2) + "\n";

export async function customSummary(life: Lifecycle, summary: Summary, warn: (line: string) => void): Promise<CustomSummary | undefined> {
  let r: { called: boolean; value?: unknown };
  try {
    r = await life.handleSummary(summary);
  } catch (e) {
    warn(`js module: ${(e as Error).message} (the console summary is shown instead)`);
    return undefined;
  }
  const v = r.value;
  if (!r.called || v === undefined || v === null) return undefined;
  if (typeof v === "string") return { stdout: v, written: [], failures: [] };
  if (typeof v !== "object" || Array.isArray(v)) {
    const what = Array.isArray(v) ? "an array" : `a ${typeof v}`;
    warn(`js module: handleSummary() returned ${what}, not a map of outputs (\`{ stdout: text, "summary.json": text }\`) or a string: the console summary is shown instead`);
    return undefined;
  }
  const out: CustomSummary = { written: [], failures: [] };
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const text = asText(value);
    if (key === "stdout") out.stdout = text;
    else if (key === "stderr") process.stderr.write(text);
    else
      try {
        writeFileAtomic(key, text); // whole or not at all, as the other exports (folders created)
        out.written.push({ what: "handleSummary", path: key });
      } catch (e) {
        out.failures.push(`handleSummary: cannot write ${key}: ${(e as Error).message}`);
      }
  }
  return out;
}
