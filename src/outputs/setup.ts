/** The run's OutputSet from the plan's `outputs:` and the `--output` flags; bad specs are one clear line. */
import type { OutputSpec } from "./spec.ts";
import { expandEnv, OutputSpecError, parseOutputFlag } from "./spec.ts";
import { OutputRegistry } from "./registry.ts";
import { OutputSet } from "./output-set.ts";
import type { Output } from "./types.ts";

export async function buildOutputs(o: {
  planOutputs: readonly OutputSpec[];
  flags: readonly string[];
  env: Record<string, string | undefined>;
  warn: (line: string) => void;
  /** the run's kinds: the built-ins plus what plugins registered */
  registry?: OutputRegistry;
  /** output plugins that run whether or not `outputs:` names them (as `{type: plugin, name}`) */
  pluginOutputs?: readonly string[];
  /** which outputs this process runs (a scale-out part or aggregator runs some of them); may throw a refusal */
  keep?(output: Output, from: "plan" | "flag"): boolean;
}): Promise<OutputSet> {
  const implied = impliedPluginOutputs(o.planOutputs, o.pluginOutputs ?? []);
  const fromPlan = [...implied, ...o.planOutputs.map((s, i) => expandEnv(s, o.env, `outputs[${i}]`))];
  const specs = [...fromPlan, ...o.flags.map(parseOutputFlag)];
  const registry = o.registry ?? new OutputRegistry();
  const outputs: Output[] = [];
  // set is created first so every output reports its problems through it
  const set = new OutputSet(outputs, o.warn);
  const ctx = { cwd: process.cwd(), problem: (out: string, m: string) => set.problem(out, m), note: (m: string) => set.note(m) };
  for (const [i, spec] of specs.entries()) {
    const out = await registry.create(spec, ctx);
    if (o.keep === undefined || o.keep(out, i < fromPlan.length ? "plan" : "flag")) outputs.push(out);
  }
  return set;
}

/** Output plugins run whether or not `outputs:` names them: those it does not name, as `{type: plugin, name}`. */
export function impliedPluginOutputs(planOutputs: readonly OutputSpec[], pluginOutputs: readonly string[]): OutputSpec[] {
  const named = new Set(planOutputs.flatMap((s) => (s.type === "plugin" ? [s.name] : [])));
  return pluginOutputs.filter((n) => !named.has(n)).map((name): OutputSpec => ({ type: "plugin", name, config: {} }));
}

export { OutputSpecError };
