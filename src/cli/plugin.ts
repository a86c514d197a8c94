/**
 * `loadr plugin <subcommand>` (reference §3.5/§6.9): one small module per subcommand, loaded
 * on demand. Errors the plugin code raises for a user's input (bad archive, untrusted source,
 * index refusals, sha256 mismatch...) become one `error:` line here.
 */
import { ArchiveError } from "../plugins/store/archive.ts";
import { DownloadError } from "../plugins/store/download.ts";
import { IndexError } from "../plugins/store/plugin-index.ts";
import { InstallError } from "../plugins/store/install.ts";
import { ManifestError } from "../plugins/store/manifest.ts";
import { PackError } from "../plugins/store/pack.ts";
import { PluginNotFoundError } from "../plugins/store/plugins-dir.ts";
import { UntrustedSourceError } from "../plugins/store/trust.ts";
import { closest } from "../plan/suggest.ts";
import { CliError } from "./errors.ts";

type Sub = { summary: string; load: () => Promise<{ main(args: string[], sub: string): Promise<number> }> };

const SUBS: Record<string, Sub> = {
  list: { summary: "list installed plugins", load: () => import("./plugin-list.ts") },
  info: { summary: "show one plugin (installed name, or a plugin directory)", load: () => import("./plugin-info.ts") },
  install: { summary: "install from a directory, an archive, a URL or by name from an index", load: () => import("./plugin-install.ts") },
  update: { summary: "update installed plugins to the index's latest version", load: () => import("./plugin-install.ts") },
  remove: { summary: "remove an installed plugin", load: () => import("./plugin-manage.ts") },
  enable: { summary: "enable an installed plugin", load: () => import("./plugin-manage.ts") },
  disable: { summary: "disable an installed plugin (kept, but plans cannot load it)", load: () => import("./plugin-manage.ts") },
  search: { summary: "search the plugin index by name or description", load: () => import("./plugin-search.ts") },
  mirror: { summary: "copy an index and its artifacts into a folder for air-gapped installs", load: () => import("./plugin-mirror.ts") },
  pack: { summary: "pack a built plugin directory into an archive + its index entry", load: () => import("./plugin-pack.ts") },
};

export const HELP = `Usage: loadr plugin <subcommand> [options]

Subcommands:
${Object.entries(SUBS)
  .map(([n, s]) => `  ${n.padEnd(9)} ${s.summary}`)
  .join("\n")}

Plugins directory: --plugins-dir <dir>, else $LOADR_PLUGINS_DIR, else ~/.loadr/plugins.
Index: --index <url|path|folder>, else $LOADR_PLUGIN_INDEX (no default network index).
Run \`loadr plugin <subcommand> --help\` for its options. Docs: docs/install.md, docs/plugins/publishing.md.`;

const USER_ERRORS = [ArchiveError, DownloadError, IndexError, InstallError, ManifestError, PackError, PluginNotFoundError, UntrustedSourceError];

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    process.stdout.write(HELP + "\n");
    return sub === undefined ? 1 : 0;
  }
  const entry = SUBS[sub];
  if (!entry) {
    const near = closest(sub, Object.keys(SUBS));
    throw new CliError(`unknown plugin subcommand \`${sub}\`${near ? ` (did you mean \`${near}\`?)` : ""}; run \`loadr plugin --help\` for the list`);
  }
  try {
    return await (await entry.load()).main(rest, sub);
  } catch (e) {
    if (USER_ERRORS.some((c) => e instanceof c)) throw new CliError((e as Error).message);
    throw e;
  }
}
