/**
 * What a run is about to do, for the start banner (the CLI prints it: src/cli/run-lines.ts): the
 * plan, each scenario's executor in words (k6's "10 looping VUs for 30s"), the most VUs and the
 * longest it can take (graceful stops included), and where results go. The session builds it once
 * its outputs are built, so it names what will really run.
 */
import { formatDuration } from "../plan/duration.ts";
import type { Plan } from "../plan/schema.ts";
import type { OutputSpec } from "../outputs/spec.ts";
import { peakVus, scheduleMs } from "../plan/scenario-bounds.ts";
import type { ExportPaths } from "./exports.ts";
import type { PreparedRun } from "./prepare.ts";

export interface RunOutline {
  name?: string;
  /** the plan's file, when it came from one */
  file?: string;
  scenarios: { name: string; executor: string; text: string }[];
  /** the most VUs the scenarios can have at once (the sum of their peaks) */
  maxVus: number;
  /** the longest the run can take, graceful stops included; null: until it is stopped */
  maxDurationMs: number | null;
  /** each output, with its target: `json (out.ndjson)`, `prometheus (127.0.0.1:9090)`, `plugin file-report` */
  outputs: string[];
  /** report files written at the end */
  files: string[];
}

type Scenario = Plan["scenarios"][string];

export function runOutline(run: PreparedRun, outputs: readonly OutputSpec[], exports: ExportPaths = {}): RunOutline {
  const scenarios = run.scenarios.map((name) => ({ name, sc: run.plan.scenarios[name]! }));
  const ends = scenarios.map(({ sc }) => sc.start_time + scenarioSpan(sc));
  const files = [
    exports.summaryExport !== undefined ? `summary ${exports.summaryExport === "-" ? "(stdout)" : exports.summaryExport}` : "",
    exports.junit !== undefined ? `junit ${exports.junit}` : "",
    exports.report !== undefined ? `report ${exports.report}` : "",
  ].filter((f) => f !== "");
  return {
    name: run.plan.name,
    file: run.source?.file,
    scenarios: scenarios.map(({ name, sc }) => ({ name, executor: sc.executor, text: describeScenario(sc) })),
    maxVus: scenarios.reduce((n, { sc }) => n + peakVus(sc), 0),
    maxDurationMs: ends.some((e) => !Number.isFinite(e)) ? null : Math.max(0, ...ends),
    outputs: outputs.map(describeOutput),
    files,
  };
}

/** `30s`, `1m30s`, `3.5s`: a duration as short as it reads. */
export function shortDuration(ms: number): string {
  return ms > 0 && ms < 60_000 && ms % 1000 !== 0 ? `${+(ms / 1000).toFixed(3)}s` : formatDuration(ms).replace(/ /g, "");
}
const dur = shortDuration;
const vus = (n: number | undefined, what = "") => `${n} ${what}VU${n === 1 ? "" : "s"}`;
const sumStages = (sc: Scenario) => (sc.stages ?? []).reduce((n, s) => n + s.duration, 0);
const perUnit = (sc: Scenario) => (sc.time_unit === undefined || sc.time_unit === 1000 ? "s" : dur(sc.time_unit));

/** How long a scenario can go from its start: its schedule plus the graceful stop (k6's full duration). */
function scenarioSpan(sc: Scenario): number {
  return scheduleMs(sc) + sc.graceful_stop;
}

export function describeScenario(sc: Scenario): string {
  const start = sc.start_time > 0 ? `, from ${dur(sc.start_time)}` : "";
  const stages = `${sc.stages?.length ?? 0} stage${sc.stages?.length === 1 ? "" : "s"}`;
  switch (sc.executor) {
    case "constant-vus":
      return `${vus(sc.vus, "looping ")} for ${dur(sc.duration!)}${start}`;
    case "ramping-vus":
      return `up to ${vus(peakVus(sc), "looping ")} for ${dur(sumStages(sc))} over ${stages}${start}`;
    case "per-vu-iterations":
      return `${sc.iterations} iterations for each of ${vus(sc.vus)} (at most ${dur(sc.max_duration!)})${start}`;
    case "shared-iterations":
      return `${sc.iterations} iterations shared among ${vus(sc.vus)} (at most ${dur(sc.max_duration!)})${start}`;
    case "constant-arrival-rate":
      return `${sc.rate} iterations/${perUnit(sc)} for ${dur(sc.duration!)} on up to ${vus(sc.max_vus)}${start}`;
    case "ramping-arrival-rate": {
      const peak = Math.max(sc.start_rate ?? 0, ...(sc.stages ?? []).map((s) => s.target));
      return `up to ${peak} iterations/${perUnit(sc)} for ${dur(sumStages(sc))} over ${stages} on up to ${vus(sc.max_vus)}${start}`;
    }
    case "externally-controlled":
      return `up to ${vus(sc.max_vus)} set through the control API, ${sc.duration === undefined ? "until stopped" : `for ${dur(sc.duration)}`}${start}`;
  }
}

/** An output and its target, never a credential: a URL's user and password are left out, `${env.X}` stays a template. */
export function describeOutput(spec: OutputSpec): string {
  const s = spec as Record<string, unknown>;
  if (spec.type === "plugin") return `plugin ${String(s.name)}`;
  const target = ["path", "listen", "remote_write_url", "url", "address", "endpoint"].map((k) => s[k]).find((v) => typeof v === "string") as string | undefined;
  if (target === undefined) return spec.type;
  return `${spec.type} (${target.replace(/\/\/[^/@]*@/, "//")}${spec.type === "json" && s.format === "k6" ? ", k6 format" : ""})`;
}
