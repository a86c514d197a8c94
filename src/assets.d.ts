/** Files embedded with `import x from "./f.wasm" with { type: "file" }`: the import is a path (inside dist/loadr, under /$bunfs). */
declare module "*.wasm" {
  const path: string;
  export default path;
}
