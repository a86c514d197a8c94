/** `loadr plugin list` (reference §6.9): a table of the plugins directory, or `--format json`. */
import { existsSync, readdirSync } from "node:fs";
import { discover, type InstalledPlugin, pluginsDir } from "../plugins/store/plugins-dir.ts";
import { parse } from "./args.ts";
import { DIR_FLAG, FORMAT_FLAG, helpOr, out, outputFormat } from "./plugin-flags.ts";
import { colorWanted, makeStyle } from "./style.ts";

export const HELP = `Usage: loadr plugin list [--plugins-dir <dir>] [--format text|json]

Lists the installed plugins (enabled and disabled), sorted by name.
--format json prints an array of {name, version, kind, type, enabled, description, dir, entry}.`;

export async function main(args: string[]): Promise<number> {
  const { values } = parse("plugin list", args, { ...DIR_FLAG, ...FORMAT_FLAG });
  if (helpOr(values, HELP)) return 0;
  const format = outputFormat(values.format);
  const dir = pluginsDir(values["plugins-dir"]);
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  if (existsSync(dir)) {
    try {
      readdirSync(dir);
    } catch (e) {
      process.stderr.write(`no plugins found in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return 0;
    }
  }
  const plugins = discover(dir, warn);
  if (format === "json") {
    out(JSON.stringify(plugins.map(toJson), null, 2));
    return 0;
  }
  if (plugins.length === 0) {
    out(`no plugins installed in ${dir}`);
    return 0;
  }
  const s = makeStyle(colorWanted(values["no-color"] === true, process.stdout));
  out(s.bold(`${"NAME".padEnd(24)}${"KIND".padEnd(10)}${"TYPE".padEnd(10)}${"STATE".padEnd(8)}VERSION`));
  for (const p of plugins) {
    const state = (p.enabled ? "enabled" : "disabled").padEnd(8);
    out(`${p.manifest.name.padEnd(24)}${p.manifest.kind.padEnd(10)}${p.manifest.type.padEnd(10)}${p.enabled ? s.green(state) : s.red(state)}${p.manifest.version}`);
  }
  return 0;
}

export function toJson(p: InstalledPlugin) {
  const m = p.manifest;
  return { name: m.name, version: m.version, kind: m.kind, type: m.type, enabled: p.enabled, description: m.description, dir: p.dir, entry: p.artifact };
}
