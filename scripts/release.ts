/**
 * `bun run release`: dist/release/, everything an air-gapped machine needs.
 *   loadr-linux-x64, loadr-linux-arm64, loadr-darwin-arm64   (Bun cross-compiles: it fetches
 *       the target's Bun runtime from the npm registry once, then caches it)
 *   plugins/            the example plugin archives + index.json: a mirror folder
 *   SHA256SUMS          `sha256sum -c SHA256SUMS` format, every file above
 * The full `bun run build` runs first (example plugins, their archives, the host binary);
 * `--no-build` reuses what the last build made (the release test uses it), `--out <dir>`
 * writes elsewhere. docs/install.md says how to verify and install it offline.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({ options: { out: { type: "string" }, "no-build": { type: "boolean" } } });
const OUT = flags.out ?? "dist/release";
const BINARIES: [target: string, file: string][] = [
  ["bun-linux-x64", "loadr-linux-x64"],
  ["bun-linux-arm64", "loadr-linux-arm64"],
  ["bun-darwin-arm64", "loadr-darwin-arm64"],
];

function run(cmd: string[], env: Record<string, string> = {}): void {
  const p = Bun.spawnSync(cmd, { stdout: "inherit", stderr: "inherit", env: { ...process.env, ...env } });
  if (p.exitCode !== 0) {
    console.error(`release: \`${cmd.join(" ")}\` failed (exit ${p.exitCode})`);
    process.exit(1);
  }
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
if (!flags["no-build"]) run(["bun", "build.ts"]);
for (const [target, file] of BINARIES) {
  run(["bun", "build.ts", join(OUT, file)], { LOADR_BUILD_ONLY: "binary", LOADR_BUILD_TARGET: target });
}
if (existsSync("dist/archives")) cpSync("dist/archives", join(OUT, "plugins"), { recursive: true });

const files = walk(OUT).filter((f) => !f.endsWith("SHA256SUMS")).sort();
const sums = files.map((f) => `${createHash("sha256").update(readFileSync(f)).digest("hex")}  ${relative(OUT, f)}`);
writeFileSync(join(OUT, "SHA256SUMS"), sums.join("\n") + "\n");
console.log(`release: ${files.length} file(s) in ${OUT}, checksums in ${OUT}/SHA256SUMS`);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
