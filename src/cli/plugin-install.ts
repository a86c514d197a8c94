/**
 * `loadr plugin install <source>` and `loadr plugin update [names...]` (reference §6.9).
 * Sources: a plugin directory; a local `.tar.gz`/`.tgz`/`.zip` or an http(s) URL to one (both
 * need --allow-untrusted: no pinned sha256); or a name resolved in the index, sha256-verified.
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fetchBytes } from "../plugins/store/download.ts";
import { indexLocation, loadIndex, resolvePlugin } from "../plugins/store/plugin-index.ts";
import { type Installed, InstallError, installByName, installFromArchive, installFromDir } from "../plugins/store/install.ts";
import { discover, pluginsDir } from "../plugins/store/plugins-dir.ts";
import { acceptableTargets } from "../plugins/store/target.ts";
import { checkTrust, classifySource } from "../plugins/store/trust.ts";
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { DIR_FLAG, helpOr, INDEX_FLAG, out } from "./plugin-flags.ts";

export const INSTALL_HELP = `Usage: loadr plugin install <source> [options]

<source> is one of:
  ./path/to/plugin-dir         a directory with plugin.toml and the artifact (development)
  ./name-target.tar.gz | .zip  a local archive                      (needs --allow-untrusted)
  https://host/name.tar.gz     an archive URL                       (needs --allow-untrusted)
  <name>                       a plugin from the index, sha256-verified before unpacking

Options:
  --index <url|path|folder>  the index (else $LOADR_PLUGIN_INDEX); a mirror folder works offline
  --version <v>              index installs: this version instead of the latest
  --target <triple>          index installs: this artifact target instead of the host's
                             (WASM artifacts, keyed wasm32-wasip2, are accepted on every host)
  --allow-untrusted          allow sources whose sha256 is not pinned by an index
  --plugins-dir <dir>        where to install (else $LOADR_PLUGINS_DIR, else ~/.loadr/plugins)`;

export const UPDATE_HELP = `Usage: loadr plugin update [names...] [--index <url|path|folder>] [--target <triple>] [--plugins-dir <dir>]

Updates the named plugins (default: every installed one) to the index's latest version.
Exit code 1 when a plugin could not be updated.`;

const FLAGS = { ...DIR_FLAG, ...INDEX_FLAG, target: { type: "string" }, version: { type: "string" }, "allow-untrusted": { type: "boolean" } } as const;

export async function main(args: string[], sub: string): Promise<number> {
  return sub === "update" ? update(args) : install(args);
}

async function install(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin install", args, FLAGS);
  if (helpOr(values, INSTALL_HELP)) return 0;
  if (positionals.length !== 1) throw new UsageError("plugin install: give one source (see `loadr plugin install --help`)");
  const dir = pluginsDir(values["plugins-dir"]);
  const source = classifySource(positionals[0]!);
  checkTrust(source, values["allow-untrusted"] === true);
  if (source.kind !== "name" && (values.version !== undefined || values.target !== undefined))
    throw new UsageError("--version and --target apply to installs by name from an index");
  let done: Installed;
  switch (source.kind) {
    case "dir":
      done = await installFromDir(source.path, dir).catch((e: Error) => {
        // a bare name that happens to be a directory here is taken as the directory (reference order)
        const bare = !/[\\/]/.test(positionals[0]!);
        throw bare && !existsSync(join(source.path, "plugin.toml"))
          ? new InstallError(`${e.message}; to install \`${positionals[0]}\` by name from an index, run this where no directory has that name, or pass ./${positionals[0]} for a directory`)
          : e;
      });
      break;
    case "archive": {
      const bytes = await fetchBytes(pathToFileURL(resolve(source.path)));
      done = await installFromArchive(bytes, basename(source.path), dir, { label: source.path });
      break;
    }
    case "url": {
      const url = new URL(source.url);
      out(`downloading ${url.href}…`);
      const bytes = await fetchBytes(url);
      done = await installFromArchive(bytes, basename(decodeURIComponent(url.pathname)), dir, { label: url.href });
      break;
    }
    case "github":
      throw new InstallError(
        `github:${source.spec}: this loadr does not call the GitHub API; download the release asset and install the file with --allow-untrusted, or install by name from an index`,
      );
    case "name":
      done = await installByName(source.name, dir, { index: indexLocation(values.index), version: values.version, target: values.target, log: out });
      break;
  }
  printInstalled(done, dir);
  return 0;
}

function printInstalled(done: Installed, dir: string): void {
  const m = done.manifest;
  out(`✓ installed \`${m.name}\` v${m.version} (${m.kind}, ${m.type}) into ${dir}`);
}

async function update(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin update", args, FLAGS);
  if (helpOr(values, UPDATE_HELP)) return 0;
  if (values.version !== undefined) throw new UsageError("plugin update installs the latest version; use `loadr plugin install <name> --version <v>` for another");
  const dir = pluginsDir(values["plugins-dir"]);
  const location = indexLocation(values.index);
  const loaded = await loadIndex(location);
  const installed = discover(dir);
  const names = positionals.length > 0 ? positionals : installed.map((p) => p.manifest.name);
  let updated = 0;
  let failed = 0;
  for (const name of names) {
    const have = installed.find((p) => p.manifest.name === name);
    if (!have) {
      out(`! \`${name}\` is not installed; skipping`);
      continue;
    }
    try {
      const r = resolvePlugin(loaded.index, name, undefined, acceptableTargets(values.target));
      if (r.version === have.manifest.version) {
        out(`\`${name}\` is up to date (v${r.version})`);
        continue;
      }
      out(`updating \`${name}\` v${have.manifest.version} -> v${r.version}…`);
      printInstalled(await installByName(name, dir, { index: location, loaded, target: values.target, log: out }), dir);
      updated++;
    } catch (e) {
      out(`! cannot update \`${name}\`: ${(e as Error).message}`);
      failed++;
    }
  }
  out(`${updated} plugin(s) updated`);
  return failed > 0 ? 1 : 0;
}
