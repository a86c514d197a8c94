/** bun componentize.ts <out.wasm>: regex_extract.js → component (world loadr-plugin) with componentize-qjs. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { componentize } from "componentize-qjs";

const out = process.argv[2]!;
const result = await componentize({
  witPath: join(import.meta.dir, "../../../wit/loadr.wit"),
  world: "loadr-plugin",
  jsSource: readFileSync(join(import.meta.dir, "regex_extract.js"), "utf8"),
  sync: true,
  stubWasi: true,
});
writeFileSync(out, (result as any).component ?? (result as any).wasm ?? result);
