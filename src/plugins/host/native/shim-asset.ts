/**
 * The executor shim as an embedded file (build.ts compiles shim.c to libloadr_shim.so before
 * bundling). Imported only on demand by shim-lib.ts, so code that never loads a native plugin
 * does not need the built library.
 */
// @ts-ignore -- a build product (gitignored); `with { type: "file" }` makes it a path string
import shimPath from "./libloadr_shim.so" with { type: "file" };
export default shimPath as unknown as string;
