/** `loadr plugin search <term>` (reference §6.9): name or description, case-insensitive. */
import { indexLocation, loadIndex, searchIndex } from "../plugins/store/plugin-index.ts";
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { FORMAT_FLAG, helpOr, INDEX_FLAG, out, outputFormat } from "./plugin-flags.ts";
import { colorWanted, makeStyle } from "./style.ts";

export const HELP = `Usage: loadr plugin search <term> [--index <url|path|folder>] [--format text|json]

Searches the index (--index, else $LOADR_PLUGIN_INDEX) for plugins whose name or description
contains <term> (case-insensitive). --format json prints an array of
{name, kind, latest, description, versions}.`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin search", args, { ...INDEX_FLAG, ...FORMAT_FLAG });
  if (helpOr(values, HELP)) return 0;
  const format = outputFormat(values.format);
  if (positionals.length !== 1) throw new UsageError("plugin search: give one search term (see `loadr plugin search --help`)");
  const term = positionals[0]!;
  const { index } = await loadIndex(indexLocation(values.index));
  const hits = searchIndex(index, term);
  if (format === "json") {
    out(JSON.stringify(hits.map(({ name, entry: e }) => ({ name, kind: e.kind, latest: e.latest, description: e.description, versions: Object.keys(e.versions) })), null, 2));
    return 0;
  }
  if (hits.length === 0) {
    out(`no plugins matching \`${term}\``);
    return 0;
  }
  const s = makeStyle(colorWanted(values["no-color"] === true, process.stdout));
  out(s.bold(`${"NAME".padEnd(20)}${"KIND".padEnd(10)}${"LATEST".padEnd(10)}DESCRIPTION`));
  for (const { name, entry: e } of hits) out(`${name.padEnd(20)}${e.kind.padEnd(10)}${e.latest.padEnd(10)}${e.description}`);
  return 0;
}
