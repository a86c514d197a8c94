/**
 * Loading one native plugin: which ABI it speaks (manifest `abi`, else what the file exports),
 * the checks before dlopen, kind agreement between the manifest, the entry and the library,
 * and the role object (protocol library, output or service descriptor). src/plugins/host/resolve.ts
 * calls `loadNativePlugin` for `type = "native"` entries.
 */
import type { Manifest } from "../../store/manifest.ts";
import { openCAbiLibrary, type CAbiLibrary } from "./c-abi.ts";
import { checkLibraryFile } from "./check-file.ts";
import { readDescriptor, type Descriptor } from "./descriptor.ts";
import { ABI_STABLE_REFUSAL, NativePluginError } from "./errors.ts";
import type { PluginInfo } from "./plugin-info.ts";

export interface NativeEntry {
  name: string;
  config?: unknown;
  isolation?: "in-process" | "process";
}

export type LoadedNative =
  | { kind: "protocol"; entry: NativeEntry; info: PluginInfo; lib: CAbiLibrary; schemes: string[]; config: unknown; path: string }
  | { kind: "output"; entry: NativeEntry; info: PluginInfo; descriptor: Descriptor; config: unknown; path: string }
  | { kind: "service"; entry: NativeEntry; info: PluginInfo; descriptor: Descriptor; config: unknown; path: string };

/**
 * `config` is already merged (manifest [config] + entry config). `expected` is the kind the plan
 * needs here (e.g. `output` for `outputs: [{type: plugin}]`), checked against what loads.
 */
export function loadNativePlugin(entry: NativeEntry, manifest: Manifest | undefined, path: string, config: unknown, expected?: string): LoadedNative {
  const abi = manifest?.abi ?? detectAbi(path);
  if (abi === "native" || abi === "abi_stable") throw new NativePluginError(`plugin \`${entry.name}\`: ${ABI_STABLE_REFUSAL}`);
  const declared = manifest?.kind;
  let loaded: LoadedNative;
  if (abi === "c") {
    const lib = openCAbiLibrary(path);
    if (lib.info.kind !== "protocol") {
      throw new NativePluginError(`C-ABI plugin \`${entry.name}\` reports kind \`${lib.info.kind}\`; the C ABI only supports \`protocol\` plugins`);
    }
    const schemes = manifest && manifest.schemes.length > 0 ? manifest.schemes : lib.info.schemes;
    loaded = { kind: "protocol", entry, info: lib.info, lib, schemes, config, path };
  } else {
    const role = declared ?? expected;
    if (role !== undefined && role !== "output" && role !== "service") {
      throw new NativePluginError(`plugin \`${entry.name}\` is \`${role}\`: descriptor plugins provide \`output\` or \`service\` (protocols use the C ABI)`);
    }
    const descriptor = readDescriptor(path, role);
    loaded = descriptor.role === "output"
      ? { kind: "output", entry, info: descriptor.info, descriptor, config, path }
      : { kind: "service", entry, info: descriptor.info, descriptor, config, path };
  }
  if (declared !== undefined && declared !== loaded.kind) throw new NativePluginError(`plugin \`${entry.name}\` is \`${loaded.kind}\`, expected \`${declared}\` (its plugin.toml says ${declared})`);
  if (expected !== undefined && expected !== loaded.kind) throw new NativePluginError(`plugin \`${entry.name}\` is \`${loaded.kind}\`, expected \`${expected}\``);
  return loaded;
}

function detectAbi(path: string): "c" | "descriptor" | "abi_stable" {
  const lib = checkLibraryFile(path);
  if (lib.abi === "unknown") {
    throw new NativePluginError(
      `failed to load plugin from ${path}: missing \`loadr_plugin_abi_version\` and \`loadr_plugin_descriptor\`: not a loadr plugin (see plugins/include/loadr_plugin.h)`,
    );
  }
  return lib.abi;
}
