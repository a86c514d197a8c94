/** The run's OutputSet from the plan's `outputs:` and the `--output` flags; bad specs are one clear line. */
import type { OutputSpec } from "./spec.ts";
import { expandEnv, OutputSpecError, parseOutputFlag } from "./spec.ts";
import { createOutput } from "./registry.ts";
import { OutputSet } from "./output-set.ts";
import type { Output } from "./types.ts";

export function buildOutputs(
  planOutputs: OutputSpec[],
  flags: string[],
  env: Record<string, string | undefined>,
  warn: (line: string) => void,
  /** outputs built elsewhere: output plugins (src/plugins/host/plan-plugins.ts), which also own `type: plugin` specs */
  pluginOutputs: Output[] = [],
): OutputSet {
  const specs = [...planOutputs.map((o, i) => expandEnv(o, env, `outputs[${i}]`)), ...flags.map(parseOutputFlag)].filter((s) => s.type !== "plugin");
  const outputs: Output[] = [...pluginOutputs];
  // set is created first so every output reports its problems through it
  const set = new OutputSet(outputs, warn);
  const ctx = { cwd: process.cwd(), problem: (o: string, m: string) => set.problem(o, m), note: (m: string) => set.note(m) };
  for (const spec of specs) outputs.push(createOutput(spec, ctx));
  return set;
}

export { OutputSpecError };
