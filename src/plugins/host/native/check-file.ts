/**
 * The checks run on a library file before dlopen (dlopen runs its constructors, and glibc
 * reports a wrong-architecture .so as "No such file or directory"): it exists, it is a shared
 * library of this OS's format, for this CPU and word size, and it is not a Rust abi_stable
 * plugin (which only the Rust reference host can load).
 */
import { existsSync, statSync } from "node:fs";
import { NativePluginError, ABI_STABLE_REFUSAL } from "./errors.ts";
import { hostArch, hostFormat, inspectLibrary, type LibraryInspection } from "./inspect.ts";

export function checkLibraryFile(path: string): LibraryInspection {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new NativePluginError(`failed to load plugin from ${path}: no such file (check \`path\`, or build/install the plugin)`);
  }
  const lib = inspectLibrary(path);
  const fmt = hostFormat();
  if (lib.format === "unknown") {
    throw new NativePluginError(`failed to load plugin from ${path}: not a library (no ELF, Mach-O or PE header)`);
  }
  if (lib.format !== fmt) {
    throw new NativePluginError(`failed to load plugin from ${path}: it is a ${lib.format} library; this system loads ${fmt} libraries (build the plugin for this OS)`);
  }
  const arch = hostArch();
  if (lib.arch !== arch || lib.bits !== 64) {
    throw new NativePluginError(
      `failed to load plugin from ${path}: wrong architecture: the library is ${lib.arch} (${lib.bits}-bit), this loadr runs on ${arch} (64-bit); build the plugin for ${arch}`,
    );
  }
  if (!lib.sharedLibrary) {
    throw new NativePluginError(`failed to load plugin from ${path}: not a shared library (build it with -shared / crate-type = ["cdylib"])`);
  }
  if (lib.abi === "abi_stable") throw new NativePluginError(`failed to load plugin from ${path}: ${ABI_STABLE_REFUSAL}`);
  return lib;
}
