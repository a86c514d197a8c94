/** `loadr plugin pack <plugin-dir>`: `<name>-<target>.tar.gz` + its index entry (what a release job needs). */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { mergeIntoIndexFile, packPlugin } from "../plugins/store/pack.ts";
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { helpOr, out } from "./plugin-flags.ts";

export const HELP = `Usage: loadr plugin pack <plugin-dir> [--out <dir>] [--target <triple>] [--url-base <url>] [--min-abi <x.y>] [--index <index.json>]

Packs a built plugin directory (plugin.toml + artifact) into <out>/<name>-<target>.tar.gz and
prints its index entry (url, sha256, entry) as JSON. The archive is reproducible: packing the
same files again gives the same sha256.
  --out <dir>          where to write the archive (default: the current directory)
  --target <triple>    the artifact's target (default: wasm32-wasip2 for WASM, the host triple for native)
  --url-base <url>     prefix of the entry's url (default: none — the archive sits beside the index)
  --min-abi <x.y>      min_loadr_abi of the entry (default: this loadr's plugin ABI, 1.0)
  --index <file>       also merge the entry into this index file (created when missing)`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin pack", args, {
    out: { type: "string" },
    target: { type: "string" },
    "url-base": { type: "string" },
    "min-abi": { type: "string" },
    index: { type: "string" },
  });
  if (helpOr(values, HELP)) return 0;
  if (positionals.length !== 1) throw new UsageError("plugin pack: give one plugin directory (see `loadr plugin pack --help`)");
  const outDir = resolve(values.out ?? ".");
  mkdirSync(outDir, { recursive: true });
  const p = packPlugin(positionals[0]!, { outDir, target: values.target, urlBase: values["url-base"], minAbi: values["min-abi"] });
  if (values.index) mergeIntoIndexFile(resolve(values.index), p.entry);
  process.stderr.write(`✓ packed \`${p.manifest.name}\` v${p.manifest.version} for ${p.target} into ${p.file} (sha256 ${p.sha256})${values.index ? `; merged into ${resolve(values.index)}` : ""}\n`);
  out(JSON.stringify(p.entry, null, 2));
  return 0;
}
