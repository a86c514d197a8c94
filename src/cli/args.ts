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

/** `from`: how the user gave it, for the message (`--vus`, or `LOADR_VUS` when it came from the environment). */
export function intFlag(name: string, v: string | undefined, min = 1, from = `--${name}`): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${from} must be a whole number ≥ ${min}, got \`${v}\``);
  return n;
}

/**
 * `-e/--env` names an environment of the plan (its `env.<name>` overlay). `-e KEY=VALUE` is a k6
 * habit (k6's `-e` sets a variable): say what loadr's means and which flag does that.
 */
export function overlayFlag(v: string | undefined): string | undefined {
  if (v === undefined || !v.includes("=")) return v;
  throw new UsageError(
    `\`-e ${v}\`: loadr's -e/--env selects an environment of the plan (its \`env.<name>\` overlay), it does not set a variable; to set \`\${env.${v.slice(0, v.indexOf("="))}}\` use --env-var ${v}`,
  );
}

/** `--env-var KEY=VALUE` (repeatable): what `\${env.KEY}` reads, over the process environment. */
export function envVarFlags(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--env-var must be KEY=VALUE with KEY a variable name (letters, digits, _), got \`${item}\``);
    out[key] = item.slice(eq + 1);
  }
  return out;
}
