/**
 * `foreach` (§1.7): an inline array is iterated; a string is rendered (it may use `${js: ...}`)
 * and parsed as JSON — an array is iterated, other JSON is one item, invalid JSON is zero passes
 * (with a warning); anything else is one pass. Sets the VU variables `var` and `index`.
 */
import { Outcome } from "../outcome.ts";
import type { ForeachStep } from "../../../plan/schema.ts";
import { compileTemplate } from "../../../plan/template.ts";
import { compileRender } from "../render.ts";
import { DataExhaustedError } from "../data/feed.ts";
import type { Vu } from "../vu.ts";
import { runSteps, type CompiledStep } from "./step.ts";
import { endPass } from "./loop-pass.ts";

export function compileForeach(spec: ForeachStep, steps: CompiledStep[]): CompiledStep {
  const { var: itemVar, index: indexVar } = spec;
  const raw = spec.items;
  const template = typeof raw === "string" ? compileRender(compileTemplate(raw)) : undefined;
  const fixed = template === undefined ? (Array.isArray(raw) ? raw : [raw]) : undefined;

  const items = (vu: Vu): unknown[] | Outcome => {
    if (fixed !== undefined) return fixed;
    let text: string;
    try {
      text = template!(vu);
    } catch (e) {
      if (e instanceof DataExhaustedError) return Outcome.StopVu;
      vu.rt.run.log.warn(`foreach items \`${raw}\` could not be rendered (${(e as Error).message}); no passes`);
      return [];
    }
    try {
      const v: unknown = JSON.parse(text);
      return Array.isArray(v) ? v : [v];
    } catch {
      vu.rt.run.log.warn(`foreach items \`${raw}\` rendered to text that is not JSON; no passes`);
      return [];
    }
  };

  return {
    async run(vu) {
      const list = items(vu);
      if (typeof list === "number") return list;
      for (let i = 0; i < list.length; i++) {
        vu.vars.set(itemVar, list[i]);
        vu.vars.set(indexVar, i);
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        const y = endPass(vu, i);
        if (y !== undefined && (await y) !== Outcome.Continue) return Outcome.Cancelled;
      }
      return Outcome.Continue;
    },
  };
}
