/** Flags several `loadr plugin` subcommands share. */
import { type Options } from "./args.ts";
import { UsageError } from "./errors.ts";

export const DIR_FLAG = { "plugins-dir": { type: "string" } } as const satisfies Options;
export const FORMAT_FLAG = { format: { type: "string" } } as const satisfies Options;
export const INDEX_FLAG = { index: { type: "string" } } as const satisfies Options;

export function outputFormat(v: string | undefined): "text" | "json" {
  const f = v ?? "text";
  if (f !== "text" && f !== "json") throw new UsageError(`--format must be text or json, got \`${f}\``);
  return f;
}

export function out(line: string): void {
  process.stdout.write(line + "\n");
}

export function helpOr(values: { help?: boolean }, help: string): boolean {
  if (values.help) out(help);
  return values.help === true;
}
