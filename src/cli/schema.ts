/** `loadr schema`: the plan's JSON Schema (draft-07), generated from the zod schema. */
import { planJsonSchema } from "../plan/json-schema.ts";
import { parse } from "./args.ts";

export const HELP = `Usage: loadr schema

Prints the JSON Schema (draft-07) of the plan format, for editors (e.g. the YAML language server:
# yaml-language-server: $schema=./loadr.schema.json).`;

export async function main(args: string[]): Promise<number> {
  const { values } = parse("schema", args, {});
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  process.stdout.write(JSON.stringify(planJsonSchema(), null, 2) + "\n");
  return 0;
}
