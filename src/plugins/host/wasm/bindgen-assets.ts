/**
 * The bindgen's two core wasm files, embedded in dist/loadr: by build.ts's asset naming they land
 * at /$bunfs/root/<name>.wasm, which is where the bindgen's own `new URL('./….wasm',
 * import.meta.url)` looks for them. Imported only inside the binary (transpile.ts): from sources
 * the bindgen finds them beside itself, and this repository-relative path would not exist in a
 * package install, whose dependencies sit beside loadr, not inside it.
 */
import core from "../../../../node_modules/@bytecodealliance/jco-transpile/vendor/js-component-bindgen-component.core.wasm" with { type: "file" };
import core2 from "../../../../node_modules/@bytecodealliance/jco-transpile/vendor/js-component-bindgen-component.core2.wasm" with { type: "file" };

export default [core, core2] as const;
