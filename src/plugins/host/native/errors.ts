/** Every refusal of a native library is one NativePluginError whose message is the whole user-facing line. */
export class NativePluginError extends Error {}

export const ABI_STABLE_REFUSAL =
  "this is a Rust abi_stable plugin; rebuild it against the loadr C ABI (plugins/include/loadr_plugin.h, docs/plugins/native.md)";
