/**
 * `loadr plugin info <name|dir>` (reference §6.9 lines) plus, for a native library, an
 * `exports:` line read from the file without loading it — so a plugin can be inspected before
 * it is enabled or even installed (give its directory) — and for a WASM component what it imports
 * and what a plan's entry grants it (src/plugins/host/wasm/wasm-info.ts).
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { inspectLibrary, type LibraryInspection } from "../plugins/host/native/inspect.ts";
import { describeInstalled, discover, type InstalledPlugin, PluginNotFoundError, pluginsDir } from "../plugins/store/plugins-dir.ts";
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";
import { toJson } from "./plugin-list.ts";
import { DIR_FLAG, FORMAT_FLAG, helpOr, out, outputFormat } from "./plugin-flags.ts";
import { colorWanted, makeStyle } from "./style.ts";
import { wasmInfo, type WasmInfo } from "../plugins/host/wasm/wasm-info.ts";

export const HELP = `Usage: loadr plugin info <name|plugin-dir> [--plugins-dir <dir>] [--plan <plan.yaml>] [--format text|json]

Shows an installed plugin (by name, enabled or not) or a plugin directory (a path holding
plugin.toml): name, version, kind, type, entry, enabled, description, schemes, default config,
for native libraries what the library exports (read from the file, not loaded), and for WASM
components the interfaces they import, the metrics they declare and what they are granted:
nothing by default, or what the \`plugins:\` entry of the plan given with --plan grants.`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("plugin info", args, { ...DIR_FLAG, ...FORMAT_FLAG, plan: { type: "string" } });
  if (helpOr(values, HELP)) return 0;
  const format = outputFormat(values.format);
  if (positionals.length !== 1) throw new UsageError("plugin info: give one plugin name or plugin directory (see `loadr plugin info --help`)");
  const p = find(positionals[0]!, pluginsDir(values["plugins-dir"]));
  const lib = p.manifest.type === "native" ? inspect(p.artifact) : undefined;
  const wasm: WasmInfo | undefined = p.manifest.type === "wasm" ? await wasmInfo(p, values.plan) : undefined;
  if (format === "json") {
    out(JSON.stringify({ ...toJson(p), schemes: p.manifest.schemes, abi: p.manifest.abi ?? null, config: p.manifest.config, library: lib ?? null, wasm: wasm ?? null }, null, 2));
    return 0;
  }
  const s = makeStyle(colorWanted(values["no-color"] === true, process.stdout));
  const line = (label: string, value: string) => out(`${s.bold(label + ":")} ${value}`);
  const m = p.manifest;
  line("name", m.name);
  line("version", m.version);
  line("kind", m.kind);
  line("type", m.type);
  line("entry", p.artifact);
  line("enabled", String(p.enabled));
  if (m.description) line("description", m.description);
  if (m.schemes.length > 0) line("schemes", m.schemes.join(", "));
  if (m.abi) line("abi", m.abi);
  if (lib) line("exports", "error" in lib ? `(${lib.error})` : `${lib.exports.join(", ") || "(none)"} [${lib.format}${lib.bits || ""} ${lib.arch}, abi ${lib.abi}]`);
  if (wasm) {
    line("imports", "error" in wasm.imports ? `(${wasm.imports.error})` : wasm.imports.names.join(", ") || "(none)");
    if (m.metrics.length > 0) line("metrics", m.metrics.map((x) => `${x.name} (${x.kind})`).join(", "));
    line(wasm.grants.where ? `grants (${wasm.grants.where})` : "grants", wasm.grants.text);
  }
  if (m.config !== null) line("default config", JSON.stringify(m.config, null, 2));
  return 0;
}

function find(arg: string, dir: string): InstalledPlugin {
  const asPath = resolve(arg);
  if (existsSync(join(asPath, "plugin.toml")) && statSync(asPath).isDirectory()) return describeInstalled(asPath);
  const p = discover(dir).find((x) => x.manifest.name === arg);
  if (!p) throw new PluginNotFoundError(arg, dir);
  return p;
}

function inspect(path: string): LibraryInspection | { error: string } {
  if (!existsSync(path)) return { error: `artifact missing: ${path}` };
  try {
    return inspectLibrary(path);
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as Error).message}` };
  }
}
