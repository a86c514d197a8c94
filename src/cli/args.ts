/** Flag parsing shared by the commands (node:util parseArgs, strict), with errors that say what to do. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command accepts (reference §3: global flags, any position). */
export const GLOBAL_OPTIONS = {
  quiet: { type: "boolean", short: "q", multiple: true },
  verbose: { type: "boolean", short: "v", multiple: true },
  "no-color": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

export function parse<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${command}: ${msg} (see \`loadr ${command} --help\`)`);
  }
}

export function intFlag(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got \`${v}\``);
  return n;
}
