/**
 * `bun run build`: compiles dist/loadr, one standalone executable (no Bun, Node or node_modules
 * needed beside it). The worker thread is a second entrypoint so `new Worker(new URL(...))`
 * resolves inside the binary's embedded file system.
 */
import { mkdirSync } from "node:fs";

const outfile = process.argv[2] ?? "dist/loadr";
mkdirSync("dist", { recursive: true });
const t0 = performance.now();
const result = await Bun.build({
  entrypoints: ["src/cli/main.ts", "src/engine/worker.ts"],
  compile: { outfile },
  minify: true,
  sourcemap: "none",
  // precompiled bytecode: startup (e.g. `loadr --version`) without parsing the bundle each time
  bytecode: true,
  target: "bun",
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile} in ${Math.round(performance.now() - t0)} ms`);
