/** `loadr plugin remove|enable|disable <name>` (reference §6.9). */
import { removeInstalled } from "../plugins/store/install.ts";
import { pluginsDir, setEnabled } from "../plugins/store/plugins-dir.ts";
import { parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { DIR_FLAG, helpOr, out } from "./plugin-flags.ts";

const HELP: Record<string, string> = {
  remove: "Usage: loadr plugin remove <name> [--plugins-dir <dir>]\n\nDeletes the plugin's directory from the plugins directory.",
  enable: "Usage: loadr plugin enable <name> [--plugins-dir <dir>]\n\nDeletes the plugin's `disabled` marker so plans can load it.",
  disable: "Usage: loadr plugin disable <name> [--plugins-dir <dir>]\n\nWrites a `disabled` marker: the plugin stays installed, plans cannot load it.",
};

export async function main(args: string[], sub: string): Promise<number> {
  const { values, positionals } = parse(`plugin ${sub}`, args, DIR_FLAG);
  if (helpOr(values, HELP[sub]!)) return 0;
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError(`plugin ${sub}: give exactly one plugin name (see \`loadr plugin ${sub} --help\`)`);
  const dir = pluginsDir(values["plugins-dir"]);
  if (sub === "remove") {
    if (!removeInstalled(dir, name)) throw new CliError(`plugin \`${name}\` is not installed in ${dir}`);
    out(`✓ removed \`${name}\``);
    return 0;
  }
  setEnabled(dir, name, sub === "enable");
  out(`✓ \`${name}\` ${sub}d`);
  return 0;
}
