/** `loadr plugin pack` and `loadr plugin mirror` details, and the plugin command's own help/usage errors. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { indexJson, pluginTarGz, sha256, writePluginDir } from "./support/plugin-fixtures.ts";

setDefaultTimeout(30_000);

const HOST = process.arch === "x64" ? "x86_64-unknown-linux-gnu" : "aarch64-unknown-linux-gnu";

describe("pack", () => {
  test("targets, url base, and an index that accumulates versions and targets", async () => {
    const root = scratch();
    const idx = join(root, "out", "index.json");
    const v1 = writePluginDir(root, { name: "np", version: "1.0.0", kind: "output", type: "native", entry: "libnp.so" });
    const v2 = writePluginDir(root, { name: "np", version: "1.10.0", kind: "output", type: "native", entry: "libnp.so" });
    expect((await loadr(["plugin", "pack", v2, "--out", "out", "--index", idx], { cwd: root })).code).toBe(0);
    expect((await loadr(["plugin", "pack", v1, "--out", "out", "--index", idx], { cwd: root })).code).toBe(0);
    const arm = await loadr(["plugin", "pack", v1, "--out", "out", "--index", idx, "--target", "aarch64-apple-darwin", "--url-base", "https://dl.example/np"], { cwd: root });
    expect(arm.code).toBe(0);
    const index = JSON.parse(readFileSync(idx, "utf8"));
    expect(index.schema).toBe(1);
    expect(index.plugins.np.latest).toBe("1.10.0"); // semver order, not string order
    expect(Object.keys(index.plugins.np.versions)).toEqual(["1.0.0", "1.10.0"]);
    expect(index.plugins.np.versions["1.0.0"].artifacts).toEqual({
      "aarch64-apple-darwin": { url: "https://dl.example/np/np-aarch64-apple-darwin.tar.gz", sha256: sha256(readFileSync(join(root, "out", "np-aarch64-apple-darwin.tar.gz"))), entry: "libnp.so" },
      [HOST]: { url: `np-${HOST}.tar.gz`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), entry: "libnp.so" },
    });
    const printed = JSON.parse(arm.stdout);
    expect(printed.np.versions["1.0.0"].min_loadr_abi).toBe("1.0");
  });

  test("refuses a WASM plugin packed for a native target, a missing artifact, a malformed --min-abi", async () => {
    const root = scratch();
    const w = writePluginDir(root, { name: "w" });
    expect((await loadr(["plugin", "pack", w, "--target", HOST], { cwd: root })).stderr).toBe(`error: \`w\` is a WASM plugin: its target is wasm32-wasip2, not \`${HOST}\`\n`);
    expect((await loadr(["plugin", "pack", w, "--min-abi", "one"], { cwd: root })).stderr).toContain("malformed min_loadr_abi `one`");
    writeFileSync(join(w, "plugin.toml"), readFileSync(join(w, "plugin.toml"), "utf8").replace("w.wasm", "gone.wasm"));
    expect((await loadr(["plugin", "pack", w], { cwd: root })).stderr).toContain("is missing the plugin artifact `gone.wasm` named by plugin.toml's entry (build it first)");
    expect(readdirSync(root).filter((f) => f.endsWith(".tar.gz"))).toEqual([]);
  });
});

describe("mirror", () => {
  const a1 = pluginTarGz({ name: "m", version: "1.0.0" });
  const a2 = pluginTarGz({ name: "m", version: "2.0.0" });
  const n = pluginTarGz({ name: "n", kind: "protocol", type: "native", entry: "libn.so" });
  let server: ReturnType<typeof Bun.serve>;
  let base: string;
  let gets = 0;
  const index = (shaN = sha256(n)) =>
    indexJson({
      m: { latest: "2.0.0", versions: { "1.0.0": { artifacts: { "wasm32-wasip2": { url: "files/m1.tar.gz", sha256: sha256(a1), entry: "m.wasm" } } }, "2.0.0": { artifacts: { "wasm32-wasip2": { url: "files/m2.tar.gz", sha256: sha256(a2), entry: "m.wasm" } } } } },
      n: { latest: "1.0.0", versions: { "1.0.0": { artifacts: { [HOST]: { url: "files/n.tar.gz", sha256: shaN, entry: "libn.so" }, "x86_64-pc-windows-msvc": { url: "files/n.tar.gz", sha256: shaN, entry: "n.dll" } } } } },
    });
  beforeAll(() => {
    const files: Record<string, Uint8Array | string> = { "files/m1.tar.gz": a1, "files/m2.tar.gz": a2, "files/n.tar.gz": n, "index.json": index(), "bad/index.json": index("cd".repeat(32)).replaceAll('"files/', '"../files/') };
    files["evil/index.json"] = indexJson({ e: { latest: "1", versions: { "1": { artifacts: { "wasm32-wasip2": { url: "file:///etc/hostname", sha256: "0".repeat(64), entry: "e" } } } } } });
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const p = new URL(req.url).pathname.slice(1);
        if (p.endsWith(".tar.gz")) gets++;
        return files[p] === undefined ? new Response("no", { status: 404 }) : new Response(files[p]);
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop(true));

  test("downloads from an http index, rewrites URLs, filters targets, adds to an existing mirror, skips what it has", async () => {
    const dir = join(scratch(), "mirror");
    const r = await loadr(["plugin", "mirror", dir, "m", "--index", `${base}/index.json`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  m v2.0.0 wasm32-wasip2 <- ${base}/files/m2.tar.gz\n`);
    expect(r.stdout).toContain(`✓ mirrored 1 artifact(s) of 1 plugin(s) into ${dir} (1 fetched, index: ${dir}/index.json)`);
    const r2 = await loadr(["plugin", "mirror", dir, "--all-versions", "--target", "wasm32-wasip2", "--target", HOST, "--index", `${base}/index.json`]);
    expect(r2.stdout).toContain("✓ mirrored 3 artifact(s) of 2 plugin(s)");
    expect(r2.stdout).toContain("(2 fetched,"); // m 2.0.0 was already there
    expect(readdirSync(dir).sort()).toEqual(["index.json", `m-1.0.0-wasm32-wasip2.tar.gz`, `m-2.0.0-wasm32-wasip2.tar.gz`, `n-1.0.0-${HOST}.tar.gz`]);
    const idx = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    expect(idx.plugins.m.latest).toBe("2.0.0");
    expect(Object.keys(idx.plugins.n.versions["1.0.0"].artifacts)).toEqual([HOST]);
    expect(idx.plugins.m.versions["1.0.0"].artifacts["wasm32-wasip2"].url).toBe("m-1.0.0-wasm32-wasip2.tar.gz");
    const plugins = join(dir, "..", "p");
    const inst = await loadr(["plugin", "install", "m", "--version", "1.0.0", "--index", dir, "--plugins-dir", plugins]);
    expect(inst.stdout).toContain("✓ installed `m` v1.0.0");
  });

  test("refuses an unknown name and a sha256 mismatch; a remote index may not point at local files", async () => {
    const dir = join(scratch(), "mirror");
    expect((await loadr(["plugin", "mirror", dir, "zz", "--index", `${base}/index.json`])).stderr).toBe("error: plugin `zz` is not in the index (try `loadr plugin search zz`)\n");
    const bad = await loadr(["plugin", "mirror", dir, "n", "--index", `${base}/bad/index.json`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toStartWith(`error: sha256 mismatch: expected ${"cd".repeat(32)}, downloaded artifact hashed to ${sha256(n)}`);
    expect(existsSync(join(dir, "index.json"))).toBe(false);
    const evil = await loadr(["plugin", "install", "e", "--index", `${base}/evil/index.json`, "--plugins-dir", join(dir, "p")]);
    expect(evil.stderr).toBe(`error: index ${base}/evil/index.json points an artifact at a local file (file:///etc/hostname); only a local index may do that\n`);
  });
});

describe("the plugin command", () => {
  test("help, subcommand help, unknown subcommand with a suggestion, usage errors", async () => {
    const h = await loadr(["plugin", "--help"]);
    expect(h.code).toBe(0);
    for (const s of ["list", "info", "install", "update", "remove", "enable", "disable", "search", "mirror", "pack"]) expect(h.stdout).toContain(`  ${s.padEnd(9)} `);
    expect((await loadr(["plugin", "install", "--help"])).stdout).toContain("--allow-untrusted");
    expect((await loadr(["--help"])).stdout).toContain("  plugin ");
    expect((await loadr(["plugin", "instal", "x"])).stderr).toBe("error: unknown plugin subcommand `instal` (did you mean `install`?); run `loadr plugin --help` for the list\n");
    expect((await loadr(["plugin", "list", "--format", "yaml"])).stderr).toBe("error: --format must be text or json, got `yaml`\n");
    expect((await loadr(["plugin", "install"])).stderr).toBe("error: plugin install: give one source (see `loadr plugin install --help`)\n");
    const tgz = join(scratch(), "a.tar.gz");
    writeFileSync(tgz, pluginTarGz({ name: "a" }));
    expect((await loadr(["plugin", "install", tgz, "--version", "1", "--allow-untrusted"])).stderr).toBe("error: --version and --target apply to installs by name from an index\n");
  });
});
