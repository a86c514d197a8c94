/**
 * Thresholds on metrics that cannot exist are errors (k6's rule; the reference only warns:
 * docs/compat.md). The run's metric catalogue (src/metrics/catalogue.ts) is assembled here, where
 * the plan, the protocol handlers and the plugins are all visible:
 *
 * - the engine's own metrics, and every built-in protocol handler's declared `metrics`;
 * - the plan's `metrics:` keys and `observe:` series;
 * - each protocol plugin's family (`<family>_reqs`, `_req_duration`…), from the library's info
 *   name once loaded (run start), from its manifest's name at `loadr validate`;
 * - the WASM plugin host's `plugin_*` metrics when the plan has WASM plugins, and the metrics each
 *   WASM plugin's manifest declares under `[metrics]` (what it records through the host API);
 * - a plugin `loadr validate` cannot place (not installed, no manifest): what it could record is a
 *   warning there, and is judged at run start, when it has loaded.
 *
 * `loadr validate` and the API's validate() run thresholdMetricProblems through loadPlan's
 * `checks`; the run session calls checkThresholdMetrics right after the plugins load.
 */
import { engineCatalogue, isBuiltinMetric, MetricCatalogue, PLUGIN_HOST_METRICS } from "../metrics/catalogue.ts";
import { AGGREGATIONS_BY_KIND } from "../metrics/thresholds.ts";
import type { MetricKind } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";
import type { Segment } from "../plan/locate.ts";
import { normaliseEntries, parseExpression, parseSelector, type ThresholdSpec } from "../plan/thresholds.ts";
import type { SemanticDiagnostic } from "../plan/validate.ts";
import { BUILTIN_HANDLER_METRICS } from "../protocols/builtins.ts";
import { FAMILY_SUFFIXES, familyMetrics, metricFamily } from "../protocols/family-metrics.ts";
import { resolveEntry } from "../plugins/host/resolve.ts";
import { isBuiltInService } from "../services/registry.ts";
import { RunSetupError } from "./errors.ts";
import { validateModule } from "./js-module.ts";
import { planPlace, type PreparedRun } from "./prepare.ts";

/** What is known of the plan's plugins when the catalogue is built. */
export interface PluginMetricSources {
  /** protocol plugins: `name` is the library's info name (loaded) or the manifest's name; `entry` the `plugins:` entry */
  protocols: readonly { name: string; entry: string }[];
  /** the plan has WASM plugins (their calls are timed in `plugin_call_duration`) */
  wasm: boolean;
  /** WASM plugins' `[metrics]`: `entry` the `plugins:` entry */
  declared?: readonly { entry: string; metrics: readonly { name: string; kind: MetricKind }[] }[];
  /** entries whose kind or name is known only once they load (`loadr validate`) */
  unplaced?: readonly string[];
  /** the custom metrics the `js:` module's init code declares (src/run/js-module.ts) */
  jsMetrics?: readonly { name: string; kind: MetricKind }[];
}

export function planCatalogue(plan: Plan, plugins: PluginMetricSources): MetricCatalogue {
  const c = engineCatalogue();
  for (const h of BUILTIN_HANDLER_METRICS) c.declare(`the ${h.handler} handler`, h.metrics);
  c.declare("`metrics:`", Object.entries(plan.metrics).map(([name, m]) => ({ name, kind: m.kind })));
  for (const p of plugins.protocols) c.declare(`protocol plugin \`${p.entry}\``, familyMetrics(metricFamily(p.name)));
  if (plugins.wasm) c.declare("the WASM plugin host", PLUGIN_HOST_METRICS);
  for (const d of plugins.declared ?? []) c.declare(`plugin \`${d.entry}\``, d.metrics);
  if (plugins.jsMetrics) c.declare("the `js:` module", plugins.jsMetrics);
  for (const entry of plugins.unplaced ?? [])
    c.declareOpen(`plugin \`${entry}\``, (n) => PLUGIN_HOST_METRICS.includes(n) || FAMILY_SUFFIXES.some(([s]) => n.endsWith(s)));
  (plan.observe ?? []).forEach((o, i) => {
    // one query may return several series, named <series>_<suffix>
    const series = o.as ?? o.name;
    if (series !== undefined) c.declare("`observe:`", [series]);
    c.declareOpen(`\`observe[${i}]\``, (n) => series === undefined || n.startsWith(`${series}_`));
  });
  return c;
}

const aggName = (agg: string) => (agg === "p" ? "p(N)" : agg);

/** The reference names a plugin's metrics after its `plugins:` entry; they are named after the library: say so. */
function familyHint(metric: string, plugins: PluginMetricSources | undefined): string | undefined {
  for (const p of plugins?.protocols ?? []) {
    const [byEntry, family] = [metricFamily(p.entry), metricFamily(p.name)];
    if (byEntry !== family && metric.startsWith(`${byEntry}_`))
      return `did you mean \`${family}${metric.slice(byEntry.length)}\`? (plugin \`${p.entry}\`'s metrics are named after its library, \`${p.name}\`)`;
  }
  return undefined;
}

/** Where a custom metric is declared (a WASM plugin's manifest too, when the plan has WASM plugins). */
function customMetricHomes(plugins?: PluginMetricSources): string {
  return plugins?.wasm
    ? "under `metrics:`, in the `js:` module's init code or in a WASM plugin manifest's `[metrics]`"
    : "under `metrics:` or in the `js:` module's init code";
}

/** Every threshold whose metric the catalogue does not know (error) or only may know (warning), and aggregations that never have a value. */
export function thresholdMetricProblems(plan: Plan, catalogue: MetricCatalogue, plugins?: PluginMetricSources): SemanticDiagnostic[] {
  const out: SemanticDiagnostic[] = [];
  for (const [selector, entries] of Object.entries(plan.thresholds)) {
    let metric: string;
    try {
      metric = parseSelector(selector).metric;
    } catch {
      continue; // the schema reports a bad selector
    }
    const path: Segment[] = ["thresholds", selector];
    const found = catalogue.lookup(metric);
    if (found.status === "unknown") {
      const why = isBuiltinMetric(metric)
        ? "it belongs to a protocol this build has no handler for, so it never gets a sample"
        : `nothing in this run records it (declare a custom metric ${customMetricHomes(plugins)})`;
      const suggestion = familyHint(metric, plugins) ?? (found.near && `did you mean \`${found.near}\`?`);
      out.push({ severity: "error", path, at: "key", message: `unknown metric \`${metric}\` in threshold: ${why}`, suggestion });
    } else if (found.status === "possible") {
      out.push({ severity: "warning", path, at: "key", message: `metric \`${metric}\` is not known before ${found.source} loads; \`loadr run\` checks it then` });
    } else if (found.kind !== undefined) {
      const applies = AGGREGATIONS_BY_KIND[found.kind];
      for (const e of normaliseEntries(entries)) {
        let agg: string;
        try {
          agg = parseExpression(e.threshold).agg;
        } catch {
          continue;
        }
        if (!applies.includes(agg as never))
          out.push({
            severity: "warning",
            path,
            at: "key",
            message: `\`${e.threshold}\`: \`${aggName(agg)}\` has no value for a ${found.kind} metric, so this threshold always passes (use ${applies.map(aggName).join(", ")})`,
          });
      }
    }
  }
  return out;
}

/**
 * `loadr validate`'s view of the plan's plugins, without loading any: a protocol plugin's family
 * comes from its manifest's name; an entry without a manifest, or one not installed, is unplaced.
 */
export function manifestSources(plan: Plan, o: { baseDir: string; pluginsDir: string }): PluginMetricSources {
  const protocols: { name: string; entry: string }[] = [];
  const unplaced: string[] = [];
  const declared: { entry: string; metrics: { name: string; kind: MetricKind }[] }[] = [];
  let wasm = false;
  for (const entry of plan.plugins) {
    if (!entry.enabled || isBuiltInService(entry)) continue;
    try {
      const r = resolveEntry(entry, o);
      if (r.type === "wasm") {
        wasm = true;
        if (r.manifest?.metrics.length) declared.push({ entry: entry.name, metrics: r.manifest.metrics });
      }
      else if (r.manifest === undefined) unplaced.push(entry.name);
      else if (r.manifest.kind === "protocol") protocols.push({ name: r.manifest.name, entry: entry.name });
    } catch {
      unplaced.push(entry.name); // not found here: `loadr run` says so
    }
  }
  return { protocols, wasm, unplaced, declared };
}

/** The check as loadPlan's `checks` option, for `loadr validate` and the API's validate(). */
export function validationMetricCheck(o: { baseDir: string; pluginsDir: string }): (plan: Plan) => SemanticDiagnostic[] {
  return (plan) => {
    const plugins = manifestSources(plan, o);
    // the module's own problems, and the metrics its init code declares
    const js = plan.js ? validateModule(plan, o.baseDir, process.env) : undefined;
    const sources = js ? { ...plugins, jsMetrics: js.metrics } : plugins;
    return [...(js?.diagnostics ?? []), ...thresholdMetricProblems(plan, planCatalogue(plan, sources), sources)];
  };
}

/**
 * Run start, once the plugins are loaded: a threshold on a metric nothing records refuses the run
 * (one line: file:line:column, the metric, did-you-mean); other findings are warnings. Returns the
 * thresholds with each metric's kind, so a counter that counted nothing observes 0.
 */
export function checkThresholdMetrics(run: PreparedRun, plugins: PluginMetricSources, warn: (line: string) => void): ThresholdSpec[] {
  const catalogue = planCatalogue(run.plan, plugins);
  const problems = thresholdMetricProblems(run.plan, catalogue, plugins);
  const line = (p: SemanticDiagnostic) => `${planPlace(run, p.path, p.at)}: ${p.message}${p.suggestion ? ` — ${p.suggestion}` : ""}`;
  for (const p of problems) if (p.severity === "warning") warn(line(p));
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1).map((e) => `\`${String(e.path[1])}\``).join(", ")})` : "";
    throw new RunSetupError(line(errors[0]!) + more);
  }
  return run.thresholds.map((t) => {
    const found = catalogue.lookup(t.metric);
    return found.status === "known" && found.kind !== undefined ? { ...t, kind: found.kind } : t;
  });
}
