/**
 * JUnit XML (reference §2.10; `--junit`, `loadr report --format junit`): three suites —
 * thresholds, checks, and one `run completed` case that fails when the run was aborted, so an
 * aborted run never reports all green.
 */
import { observedText } from "./console.ts";
import { fixed } from "./format.ts";
import type { Summary } from "./summary.ts";

/** Escape the five XML specials (attribute-safe). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

function testcase(name: string, classname: string, failure: string | null): string {
  const head = `    <testcase name="${xmlEscape(name)}" classname="${classname}"`;
  if (failure === null) return `${head}/>\n`;
  return `${head}>\n      <failure message="${xmlEscape(failure)}"/>\n    </testcase>\n`;
}

export function renderJunit(s: Summary): string {
  const time = fixed(s.duration_secs, 3);

  let thresholdCases = "";
  let thresholdFailures = 0;
  for (const t of s.thresholds) {
    const failure = t.passed ? null : `threshold ${t.expression} failed (observed: ${observedText(t)})`;
    if (failure !== null) thresholdFailures++;
    thresholdCases += testcase(`${t.metric}: ${t.expression}`, "threshold", failure);
  }

  let checkCases = "";
  let checkFailures = 0;
  for (const c of s.checks) {
    const failure = c.fails === 0 ? null : `${c.fails} of ${c.passes + c.fails} checks failed`;
    if (failure !== null) checkFailures++;
    checkCases += testcase(c.name, "check", failure);
  }

  const runFailures = s.aborted === null ? 0 : 1;
  const runCase = testcase("run completed", "run", s.aborted === null ? null : `run aborted: ${s.aborted}`);

  const tests = s.thresholds.length + s.checks.length + 1;
  const failures = thresholdFailures + checkFailures + runFailures;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="loadr: ${xmlEscape(s.name ?? "loadr test")}" tests="${tests}" failures="${failures}" time="${time}">\n` +
    `  <testsuite name="thresholds" tests="${s.thresholds.length}" failures="${thresholdFailures}" time="${time}">\n${thresholdCases}  </testsuite>\n` +
    `  <testsuite name="checks" tests="${s.checks.length}" failures="${checkFailures}" time="${time}">\n${checkCases}  </testsuite>\n` +
    `  <testsuite name="run" tests="1" failures="${runFailures}" time="${time}">\n${runCase}  </testsuite>\n` +
    `</testsuites>\n`
  );
}
