/** `loadr plugin mirror <dir> [names...]`: an index + its artifacts in one folder, for air-gapped installs. */
import { indexLocation } from "../plugins/store/plugin-index.ts";
import { mirrorIndex } from "../plugins/store/mirror.ts";
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { helpOr, INDEX_FLAG, out } from "./plugin-flags.ts";

export const HELP = `Usage: loadr plugin mirror <dir> [names...] [--index <url|path|folder>] [--all-versions] [--target <triple>]...

Copies the named plugins (default: all) from the index into <dir>: every artifact of the latest
version (--all-versions: of every version), sha256-checked, plus <dir>/index.json with URLs
relative to it. Copy <dir> to a machine without network and install from it:
  loadr plugin install <name> --index <dir>
Mirroring into an existing mirror adds to it; artifacts already present are not fetched again.
--target (repeatable) keeps only those targets (e.g. x86_64-unknown-linux-gnu and wasm32-wasip2).`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin mirror", args, { ...INDEX_FLAG, "all-versions": { type: "boolean" }, target: { type: "string", multiple: true } });
  if (helpOr(values, HELP)) return 0;
  const [dest, ...names] = positionals;
  if (!dest) throw new UsageError("plugin mirror: give the folder to mirror into (see `loadr plugin mirror --help`)");
  const r = await mirrorIndex(dest, {
    index: indexLocation(values.index),
    names,
    allVersions: values["all-versions"] === true,
    targets: values.target ?? [],
    log: out,
  });
  out(`✓ mirrored ${r.artifacts} artifact(s) of ${r.plugins.length} plugin(s) into ${r.dir} (${r.fetched} fetched, index: ${r.dir}/index.json)`);
  out(`  install offline with: loadr plugin install <name> --index ${r.dir}`);
  return 0;
}
