/** `loadr schema`: the plan's JSON Schema (draft-07), generated from the zod schema. */
import { z } from "zod";
import { DurInput, SizeInput } from "./schema/common.ts";
import { PlanSchema } from "./schema/plan.ts";

/** The reference's pattern for the string form of a duration (§1.2). */
export const DURATION_PATTERN = "^\\s*([0-9]+(\\.[0-9]+)?\\s*(ns|us|µs|ms|s|m|h|d|w)?\\s*)+$";

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlanSchema, {
    target: "draft-07",
    // Describe what a user writes (`30s`), not what loading produces (30000).
    io: "input",
    unrepresentable: "any",
    cycles: "ref",
    override: (ctx) => {
      const js = ctx.jsonSchema as Record<string, unknown>;
      if (ctx.zodSchema === DurInput) {
        for (const k of Object.keys(js)) delete js[k];
        Object.assign(js, {
          description: "Duration: a number of seconds, or a string like `500ms`, `30s`, `1m30s`",
          anyOf: [{ type: "number", minimum: 0 }, { type: "string", pattern: DURATION_PATTERN }],
        });
      } else if (ctx.zodSchema === SizeInput) {
        for (const k of Object.keys(js)) delete js[k];
        Object.assign(js, {
          description: "Memory size: bytes, or a string like `16MB` (binary units)",
          anyOf: [{ type: "integer", minimum: 1 }, { type: "string", pattern: "^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgG]i?[bB]?|[bB])?\\s*$" }],
        });
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema: $schema ?? "http://json-schema.org/draft-07/schema#",
    $id: "https://loadr.io/schemas/loadr-test.schema.json",
    title: "loadr test definition",
    ...rest,
  };
}
