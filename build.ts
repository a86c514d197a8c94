/**
 * `bun run build`: compiles dist/loadr, one standalone executable (no Bun, Node or node_modules
 * needed beside it), and builds every example plugin into dist/plugins/<name>/ (docs/dev/architecture.md
 * "Build outputs").
 *
 * Example plugins: each `plugins/examples/<dir>/` with a `plugin.toml` and a `build.sh` is built
 * by `bash build.sh <out-dir>`; the script writes the artifact into <out-dir> (build.ts copies
 * plugin.toml). A script may exit 3 to say "toolchain missing here": the build then copies the
 * committed prebuilt artifact from the example dir instead, so a machine without clang or
 * wasi-libc still gets every plugin.
 *
 * The worker thread is a second entrypoint so `new Worker(...)` resolves inside the binary's
 * embedded file system.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { readManifest } from "./src/plugins/store/manifest.ts";
import { packExampleArchives } from "./scripts/example-archives.ts";
import { compileShim } from "./src/plugins/host/native/shim-lib.ts";

const outfile = process.argv[2] ?? "dist/loadr";
const only = process.env.LOADR_BUILD_ONLY; // "binary" skips the plugins (quick inner loop)
// cross-compilation for `bun run release` (scripts/release.ts), e.g. bun-linux-arm64
const target = process.env.LOADR_BUILD_TARGET as Bun.Build.CompileTarget | undefined;
mkdirSync("dist", { recursive: true });

// The native executor shim, embedded in the binary by src/plugins/host/native/shim-asset.ts. First:
// packing the example archives inspects native libraries, which imports the shim module. It is
// compiled outside src/ and handed to the bundler by absolute path (embedShim below): a file
// created in a source folder by this same process was, about one fresh clone in two, not seen by
// the bundler's resolver ("Could not resolve: ./libloadr_shim.so").
const shimFile = resolve("dist/.build", target ?? "host", "libloadr_shim.so");
mkdirSync(dirname(shimFile), { recursive: true });
// a cross-built binary embeds a shim for its own target (the arm64 cross gcc is installed by
// `scripts/setup.sh --test`); macOS targets cannot be built here and embed none that loads (docs/install.md)
compileShim("src/plugins/host/native/shim.c", shimFile, target?.startsWith("bun-linux-arm64") ? "aarch64-linux-gnu-gcc" : undefined);

if (only !== "binary") {
  buildExamplePlugins();
  packExampleArchives();
}

const t0 = performance.now();
const result = await Bun.build({
  entrypoints: ["src/cli/main.ts", "src/run/worker-thread.ts"],
  compile: target ? { outfile, target } : { outfile },
  minify: true,
  sourcemap: "none",
  // precompiled bytecode: startup (e.g. `loadr --version`) without parsing the bundle each time
  bytecode: true,
  target: "bun",
  // jco's bindgen finds its two embedded core wasm files by name beside its module, i.e. at
  // /$bunfs/root/<name>.wasm (src/plugins/host/wasm/transpile.ts)
  naming: { asset: "[name].[ext]" },
  plugins: [preview2ShimRedirect(), embedShim(shimFile)],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile} in ${Math.round(performance.now() - t0)} ms`);

/**
 * The bindgen imports preview2-shim, whose node build starts an I/O worker at import (impossible
 * inside the binary) and is no sandbox: point it at our deny-all WASI (src/plugins/host/wasm/bindgen-wasi.ts).
 */
function preview2ShimRedirect(): import("bun").BunPlugin {
  return {
    name: "preview2-shim-redirect",
    setup(b) {
      b.onResolve({ filter: /^@bytecodealliance\/preview2-shim\/(cli|filesystem|io|random|clocks)$/ }, () => ({
        path: resolve("src/plugins/host/wasm/bindgen-wasi.ts"),
      }));
    },
  };
}

/** shim-asset.ts's `./libloadr_shim.so` is the shim compiled above, whatever the resolver has cached. */
function embedShim(path: string): import("bun").BunPlugin {
  return {
    name: "embed-shim",
    setup(b) {
      b.onResolve({ filter: /^\.\/libloadr_shim\.so$/ }, () => ({ path }));
    },
  };
}

function buildExamplePlugins(): void {
  const root = resolve("plugins/examples");
  if (!existsSync(root)) return;
  for (const d of readdirSync(root).sort()) {
    const src = join(root, d);
    if (!existsSync(join(src, "plugin.toml")) || !existsSync(join(src, "build.sh"))) continue;
    const manifest = readManifest(src);
    const out = resolve("dist/plugins", manifest.name);
    mkdirSync(out, { recursive: true });
    const t = performance.now();
    const proc = Bun.spawnSync(["bash", "build.sh", out], { cwd: src, stdout: "inherit", stderr: "inherit" });
    if (proc.exitCode === 3 && existsSync(join(src, manifest.entry))) {
      copyFileSync(join(src, manifest.entry), join(out, manifest.entry));
      console.log(`plugin ${manifest.name}: toolchain missing, using the committed prebuilt ${manifest.entry}`);
    } else if (proc.exitCode !== 0) {
      console.error(`build: plugins/examples/${d}/build.sh failed (exit ${proc.exitCode})`);
      process.exit(1);
    } else {
      console.log(`plugin ${manifest.name} -> dist/plugins/${manifest.name} (${Math.round(performance.now() - t)} ms)`);
    }
    copyFileSync(join(src, "plugin.toml"), join(out, "plugin.toml"));
  }
}
