/**
 * YAML in, a typed, validated, normalised Plan out (§1.1), with every problem as a Diagnostic
 * carrying file-relative line/column, a dotted path and a did-you-mean where one exists.
 */
import { dirname } from "node:path";
import { LineCounter, parseDocument, type Node } from "yaml";
import { countErrors, formatPath, type Diagnostic } from "./diagnostics.ts";
import { locate, type Position, type Segment } from "./locate.ts";
import { normalisePlan } from "./normalise.ts";
import { applyEnvOverlay, UnknownEnvironmentError } from "./overlay.ts";
import type { Plan, PluginEntry } from "./schema.ts";
import type { ProtocolCatalogue } from "./protocol-check.ts";
import { PlanSchema } from "./schema/plan.ts";
import { validatePlan, type SemanticDiagnostic } from "./validate.ts";
import { PlanFileError, readPlanText } from "../util/plan-file.ts";
import { aliasCycle, aliasProblem, nonJsonValue } from "./yaml-problems.ts";
import { issuesToDiagnostics } from "./zod-issues.ts";
import { salvage, type Attempt } from "./salvage.ts";

export { formatDiagnostic, type Diagnostic } from "./diagnostics.ts";

export interface LoadOptions {
  /** Apply the `env.<name>` overlay before parsing (`-e/--env`). */
  env?: string | undefined;
  /** Check that referenced files exist (body/multipart files, TLS files, secret files, data files). */
  checkFiles?: boolean | undefined;
  /**
   * The protocol handlers of this build, given the plan's `plugins:` (src/protocols/builtins.ts
   * validationCatalogue): requests none of them serves are warned about. `loadr run` leaves it
   * out and refuses such a plan once its plugins are loaded (src/plan/protocol-check.ts).
   */
  protocols?: ((plugins: readonly PluginEntry[]) => ProtocolCatalogue) | undefined;
  /**
   * Checks that need more than the plan, run on it after its own (`loadr validate` gives the
   * threshold metrics' check against the run's metric catalogue: src/run/metric-check.ts).
   */
  checks?: ((plan: Plan) => SemanticDiagnostic[]) | undefined;
  /**
   * The share of the plan's load this process sends (a scale-out part: its segment's width; the
   * aggregator: 0), for the checks of what one process can run (rate, open files). Default 1.
   */
  share?: number | undefined;
}

export interface LoadResult {
  /** Undefined when any diagnostic is an error. */
  plan?: Plan;
  diagnostics: Diagnostic[];
  /** Directory that relative paths in the plan resolve against. */
  baseDir: string;
  text: string;
  /** Where a plan path is in the source (null outside a parsed document). */
  locate(path: readonly Segment[]): Position | undefined;
}

/** Alias uses a plan may expand to (the yaml package's count): far past any real plan, far below a "billion laughs" bomb. */
const MAX_ALIAS_COUNT = 10_000;

export async function loadPlan(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const baseDir = dirname(file) || ".";
  let text: string;
  try {
    text = readPlanText(file, "plan");
  } catch (e) {
    if (!(e instanceof PlanFileError)) throw e;
    return {
      diagnostics: [{ severity: "error", path: "", message: `cannot read \`${file}\`: ${e.message}`, line: null, column: null, suggestion: null }],
      baseDir,
      text: "",
      locate: () => undefined,
    };
  }
  return loadPlanText(text, file, baseDir, opts);
}

export function loadPlanText(text: string, _file: string, baseDir: string, opts: LoadOptions = {}): LoadResult {
  const lc = new LineCounter();
  // logLevel error: the package's warnings (a collection as a key) would go to stderr; the schema reports such keys
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, merge: true, uniqueKeys: true, logLevel: "error" });
  // Where to look for a path in the source: inside the overlay first (it wins), then the base.
  const prefixes: Segment[][] = [[]];
  const at = (path: readonly Segment[], mode: "key" | "value" = "value") => locate(doc, lc, path, mode, prefixes);
  const result = (diagnostics: Diagnostic[], plan?: Plan): LoadResult =>
    plan && countErrors(diagnostics) === 0 ? { plan, diagnostics, baseDir, text, locate: at } : { diagnostics, baseDir, text, locate: at };

  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
    const message = err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "");
    return result([{ severity: "error", path: "", message: `YAML syntax error: ${message}`, line: pos.line, column: pos.col, suggestion: null }]);
  }

  // aliases that go wrong and values a plan cannot hold are diagnostics at their line (yaml-problems.ts), never an internal error
  const yamlError = (node: Node | undefined, message: string) => {
    const pos = node?.range ? lc.linePos(node.range[0]) : undefined;
    return result([{ severity: "error", path: "", message, line: pos?.line ?? null, column: pos?.col ?? null, suggestion: null }]);
  };
  const cycle = aliasCycle(doc);
  if (cycle !== undefined) return yamlError(cycle.node, cycle.message);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (e) {
    const problem = aliasProblem(doc, e as Error, MAX_ALIAS_COUNT);
    return yamlError(problem?.node, problem?.message ?? `YAML error: ${(e as Error).message}`);
  }
  const odd = nonJsonValue(raw);
  if (odd !== undefined) {
    const pos = at(odd.path);
    const message = `${odd.what} is not a plan value; write it as a string, a number, a list or a mapping`;
    return result([{ severity: "error", path: formatPath(odd.path), message, line: pos?.line ?? null, column: pos?.column ?? null, suggestion: null }]);
  }
  if (opts.env !== undefined) {
    try {
      raw = applyEnvOverlay(raw, opts.env);
      prefixes.unshift(["env", opts.env]);
    } catch (e) {
      if (!(e instanceof UnknownEnvironmentError)) throw e;
      const pos = locate(doc, lc, ["env"], "key");
      return result([{ severity: "error", path: "env", message: e.message, line: pos?.line ?? null, column: pos?.column ?? null, suggestion: null }]);
    }
  }

  const diag = (severity: Diagnostic["severity"], path: Segment[], message: string, suggestion?: string, mode?: "key" | "value"): Diagnostic => {
    const pos = at(path, mode);
    return { severity, path: formatPath(path), message, line: pos?.line ?? null, column: pos?.column ?? null, suggestion: suggestion ?? null };
  };

  const parse = (doc: unknown): Attempt<Plan> => {
    const r = PlanSchema.safeParse(doc, { reportInput: true });
    return r.success ? { ok: true, value: r.data } : { ok: false, paths: issuesToDiagnostics(r.error.issues, doc).map((d) => d.path) };
  };
  const semanticChecks = (plan: Plan): SemanticDiagnostic[] => [
    ...validatePlan(plan, { baseDir, checkFiles: opts.checkFiles ?? false, protocols: opts.protocols?.(plan.plugins), share: opts.share }),
    ...(opts.checks?.(plan) ?? []),
  ];

  const parsed = PlanSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const raws = issuesToDiagnostics(parsed.error.issues, raw);
    const ds = raws.map((d) => diag("error", d.path, d.message, d.suggestion, d.at));
    // the rest of the plan is still checked: every problem at once (salvage.ts)
    const rest = salvage(raw, raws.map((d) => d.path), parse, repairScenario);
    if (rest !== undefined) {
      const flagged = new Set(ds.map((d) => d.path));
      for (const d of semanticChecks(rest.value)) {
        const path = rest.mapBack(d.path, d.severity, d.message);
        if (path !== undefined && !flagged.has(formatPath(path))) ds.push(diag(d.severity, path, d.message, d.suggestion, d.at));
      }
    }
    return result(sortByPosition(ds));
  }
  const diagnostics = sortByPosition(semanticChecks(parsed.data).map((d) => diag(d.severity, d.path, d.message, d.suggestion, d.at)));
  return result(diagnostics, countErrors(diagnostics) === 0 ? normalisePlan(parsed.data) : undefined);
}

/** Settings of a scenario's executor: a scenario whose executor is set wrong is checked with a stand-in one. */
const EXECUTOR_KEYS = new Set(["executor", "vus", "duration", "stages", "start_vus", "rate", "time_unit", "pre_allocated_vus", "max_vus", "iterations", "max_duration", "start_rate"]);

/** salvage.ts's repair: a scenario at fault keeps its flow (its requests are still checked) under a stand-in executor. */
function repairScenario(path: readonly Segment[], node: unknown): unknown {
  if (path.length !== 2 || path[0] !== "scenarios" || node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
  const kept = Object.entries(node).filter(([k]) => !EXECUTOR_KEYS.has(k));
  return { ...Object.fromEntries(kept), executor: "per-vu-iterations", vus: 1, iterations: 1 };
}

/** Source order reads best; diagnostics without a position keep their relative order at the end. */
function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.line ?? Infinity) - (b.d.line ?? Infinity) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i)
    .map((x) => x.d);
}
