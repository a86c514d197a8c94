/** bun componentize.ts <out.wasm>: token_hook.js → component (world request-hook-plugin of wit/0.2/loadr.wit) with componentize-qjs. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { componentize } from "componentize-qjs";

const out = process.argv[2]!;
const result = await componentize({
  witPath: join(import.meta.dir, "../../../wit/0.2/loadr.wit"),
  world: "request-hook-plugin",
  jsSource: readFileSync(join(import.meta.dir, "token_hook.js"), "utf8"),
  sync: true,
});
writeFileSync(out, (result as any).component ?? (result as any).wasm ?? result);
