/**
 * `loadr plugin install` from a directory and from local archives (.tar.gz, .tgz, .zip), the
 * trust gate, every archive refusal, and list/info/enable/disable/remove — all through
 * dist/loadr on real files.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { artifactText, manifestText, pluginTarGz, tarGz, writePluginDir, zip } from "./support/plugin-fixtures.ts";

setDefaultTimeout(30_000);

const UNTRUSTED = (what: string) =>
  `error: installing from ${what} is not an official-index source; re-run with --allow-untrusted to proceed (sha256 is not pinned for this source)\n`;

function setup() {
  const root = scratch();
  const plugins = join(root, "plugins");
  const run = (...args: string[]) => loadr([...args, "--plugins-dir", plugins], { cwd: root });
  return { root, plugins, run };
}

/** yazl will not write a `..` name, so write a same-length name and patch its bytes (names are outside the CRC). */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const b = Buffer.from(bytes);
  for (let i = b.indexOf(from); i !== -1; i = b.indexOf(from, i + 1)) b.write(to, i);
  return b;
}

/** Nothing but the committed plugins: no staging dirs, no locks, no half-copies. */
function entries(plugins: string): string[] {
  return existsSync(plugins) ? readdirSync(plugins).sort() : [];
}

describe("install from a directory", () => {
  test("installs, lists, shows info, disables, enables, removes", async () => {
    const { root, plugins, run } = setup();
    const src = writePluginDir(root, { name: "demo", version: "1.2.3", config: 'left = "<<"\nright = ">>"' });
    const inst = await run("plugin", "install", src);
    expect(inst.stderr).toBe("");
    expect(inst.stdout).toBe(`✓ installed \`demo\` v1.2.3 (extractor, wasm) into ${plugins}\n`);
    expect(readFileSync(join(plugins, "demo", "demo.wasm"), "utf8")).toBe(artifactText({ name: "demo", version: "1.2.3" }));

    const list = await run("plugin", "list");
    expect(list.stdout).toBe(`${"NAME".padEnd(24)}${"KIND".padEnd(10)}${"TYPE".padEnd(10)}${"STATE".padEnd(8)}VERSION\n${"demo".padEnd(24)}${"extractor".padEnd(10)}${"wasm".padEnd(10)}enabled 1.2.3\n`);

    const info = await run("plugin", "info", "demo");
    expect(info.stdout).toBe(
      [
        "name: demo",
        "version: 1.2.3",
        "kind: extractor",
        "type: wasm",
        `entry: ${join(plugins, "demo", "demo.wasm")}`,
        "enabled: true",
        "description: fixture plugin demo",
        // the fixture's artifact is a placeholder, not a component: info says so and goes on
        `imports: (cannot read ${join(plugins, "demo", "demo.wasm")}: not a WebAssembly component)`,
        "grants: none (deny by default; give `--plan` to see a plan's)",
        'default config: {\n  "left": "<<",\n  "right": ">>"\n}',
      ].join("\n") + "\n",
    );

    expect((await run("plugin", "disable", "demo")).stdout).toBe("✓ `demo` disabled\n");
    expect((await run("plugin", "list")).stdout).toContain("disabled1.2.3");
    const json = JSON.parse((await run("plugin", "list", "--format", "json")).stdout);
    expect(json).toEqual([
      { name: "demo", version: "1.2.3", kind: "extractor", type: "wasm", enabled: false, description: "fixture plugin demo", dir: join(plugins, "demo"), entry: join(plugins, "demo", "demo.wasm") },
    ]);
    expect((await run("plugin", "enable", "demo")).stdout).toBe("✓ `demo` enabled\n");
    const infoJson = JSON.parse((await run("plugin", "info", "demo", "--format", "json")).stdout);
    expect(infoJson).toMatchObject({ name: "demo", enabled: true, config: { left: "<<", right: ">>" }, library: null });

    expect((await run("plugin", "remove", "demo")).stdout).toBe("✓ removed `demo`\n");
    const again = await run("plugin", "remove", "demo");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: plugin \`demo\` is not installed in ${plugins}\n`);
    expect((await run("plugin", "list")).stdout).toBe(`no plugins installed in ${plugins}\n`);
    expect(entries(plugins)).toEqual([]);
  });

  test("reinstalling replaces the files and keeps the disabled choice", async () => {
    const { root, plugins, run } = setup();
    await run("plugin", "install", writePluginDir(root, { name: "demo", version: "1.0.0" }));
    await run("plugin", "disable", "demo");
    const r = await run("plugin", "install", writePluginDir(root, { name: "demo", version: "2.0.0" }));
    expect(r.stdout).toContain("v2.0.0");
    expect(readFileSync(join(plugins, "demo", "demo.wasm"), "utf8")).toBe(artifactText({ name: "demo", version: "2.0.0" }));
    expect((await run("plugin", "list")).stdout).toContain("disabled2.0.0");
    expect(entries(plugins)).toEqual(["demo"]);
  });

  test("a native library's exports are shown before it is enabled, from its directory", async () => {
    const { root, run } = setup();
    const dir = join(root, "native");
    mkdirSync(dir);
    writeFileSync(join(dir, "p.c"), 'int loadr_plugin_abi_version(void){return 1;}\nconst char* loadr_plugin_info(void){return "{}";}\nstatic int hidden(void){return 0;}\n');
    const cc = Bun.spawnSync(["gcc", "-shared", "-fPIC", "-o", join(dir, "libp.so"), join(dir, "p.c")]);
    expect(cc.exitCode).toBe(0);
    writeFileSync(join(dir, "plugin.toml"), manifestText({ name: "cproto", kind: "protocol", type: "native", entry: "libp.so" }));
    const info = await run("plugin", "info", dir);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(`exports: loadr_plugin_abi_version, loadr_plugin_info [elf64 ${process.arch === "x64" ? "x86_64" : "aarch64"}, abi c]\n`);
    const json = JSON.parse((await run("plugin", "info", dir, "--format", "json")).stdout);
    expect(json.library.exports).toEqual(["loadr_plugin_abi_version", "loadr_plugin_info"]);
  });

  test("refusals: no plugin.toml, invalid manifest, missing artifact, unsafe name, unknown plugin", async () => {
    const { root, plugins, run } = setup();
    const empty = join(root, "empty");
    mkdirSync(empty);
    expect((await run("plugin", "install", empty)).stderr).toBe(`error: ${empty} has no plugin.toml (a plugin directory holds plugin.toml and its artifact)\n`);

    const bad = writePluginDir(root, { name: "bad", kind: "teleporter" });
    const r1 = await run("plugin", "install", bad);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toStartWith(`error: invalid plugin manifest at ${bad}/plugin.toml: plugin.kind:`);

    const noArt = join(root, "noart");
    mkdirSync(noArt);
    writeFileSync(join(noArt, "plugin.toml"), manifestText({ name: "noart" }));
    expect((await run("plugin", "install", noArt)).stderr).toBe(`error: ${noArt} is missing the plugin artifact \`noart.wasm\` named by plugin.toml's entry\n`);

    const evil = join(root, "evil");
    mkdirSync(evil);
    writeFileSync(join(evil, "plugin.toml"), manifestText({ name: "../escape", entry: "x.wasm" }));
    writeFileSync(join(evil, "x.wasm"), "x");
    expect((await run("plugin", "install", evil)).stderr).toContain("plugin name `../escape` cannot be a directory name");

    // a bare name that is also a directory here is the directory (reference order), with a hint
    expect((await run("plugin", "install", "empty")).stderr).toBe(
      `error: ${empty} has no plugin.toml (a plugin directory holds plugin.toml and its artifact); to install \`empty\` by name from an index, run this where no directory has that name, or pass ./empty for a directory\n`,
    );

    const missing = await run("plugin", "install", "./does-not-exist");
    expect(missing.stderr).toBe(`error: plugin directory ${join(root, "does-not-exist")} does not exist\n`);
    expect((await run("plugin", "info", "nope")).stderr).toBe(`error: plugin \`nope\` not found in ${plugins}\n`);
    expect((await run("plugin", "enable", "nope")).stderr).toBe(`error: plugin \`nope\` not found in ${plugins}\n`);
    expect(entries(plugins)).toEqual([]);
  });
});

describe("install from a local archive", () => {
  test("needs --allow-untrusted; then .tar.gz, .tgz and .zip install (top-level folder stripped)", async () => {
    const { root, plugins, run } = setup();
    writeFileSync(join(root, "a.tar.gz"), pluginTarGz({ name: "alpha" }));
    writeFileSync(join(root, "b.tgz"), pluginTarGz({ name: "beta", version: "0.2.0" }));
    writeFileSync(join(root, "c.zip"), await zip([{ path: "plugin.toml", data: manifestText({ name: "gamma" }) }, { path: "gamma.wasm", data: "g" }]));

    const refused = await run("plugin", "install", "a.tar.gz");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(UNTRUSTED("a local archive"));
    expect(entries(plugins)).toEqual([]);

    for (const f of ["a.tar.gz", "b.tgz", "c.zip"]) {
      const r = await run("plugin", "install", f, "--allow-untrusted");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const list = JSON.parse((await run("plugin", "list", "--format", "json")).stdout);
    expect(list.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual(["alpha@1.0.0", "beta@0.2.0", "gamma@1.0.0"]);
    expect(readFileSync(join(plugins, "gamma", "gamma.wasm"), "utf8")).toBe("g");
    expect(entries(plugins)).toEqual(["alpha", "beta", "gamma"]);
  });

  test("a symlink inside the archive is installed as a plain copy", async () => {
    const { root, plugins, run } = setup();
    writeFileSync(join(root, "l.tar.gz"), pluginTarGz({ name: "linky" }, [{ path: "{top}/alias.wasm", type: "2", linkpath: "linky.wasm" }]));
    const r = await run("plugin", "install", "l.tar.gz", "--allow-untrusted");
    expect(r.code).toBe(0);
    const alias = join(plugins, "linky", "alias.wasm");
    expect(lstatSync(alias).isSymbolicLink()).toBe(false);
    expect(readFileSync(alias, "utf8")).toBe(artifactText({ name: "linky" }));
  });

  const refusals: [string, () => Uint8Array | Promise<Uint8Array>, string, string][] = [
    ["`..` traversal", () => pluginTarGz({ name: "t" }, [{ path: "{top}/../../evil.txt", data: "pwned" }]), "t.tar.gz", "climbs out of the plugin directory (`..`); refusing to install"],
    ["an absolute path", () => pluginTarGz({ name: "t" }, [{ path: "/tmp/loadr-evil.txt", data: "pwned" }]), "t.tar.gz", "is an absolute path; refusing to install"],
    ["a symlink escaping", () => pluginTarGz({ name: "t" }, [{ path: "{top}/passwd", type: "2", linkpath: "../../../etc/passwd" }]), "t.tar.gz", "is a symlink to `../../../etc/passwd`, outside the plugin directory"],
    ["an absolute symlink", () => pluginTarGz({ name: "t" }, [{ path: "{top}/passwd", type: "2", linkpath: "/etc/passwd" }]), "t.tar.gz", "is a symlink to `/etc/passwd`, outside the plugin directory"],
    ["a hard link escaping", () => pluginTarGz({ name: "t" }, [{ path: "{top}/h", type: "1", linkpath: "../etc/shadow" }]), "t.tar.gz", "is a hard link to `../etc/shadow`"],
    ["a character device", () => pluginTarGz({ name: "t" }, [{ path: "{top}/null", type: "3" }]), "t.tar.gz", "is a character device; a plugin archive may hold only files and directories"],
    ["a FIFO", () => pluginTarGz({ name: "t" }, [{ path: "{top}/pipe", type: "6" }]), "t.tar.gz", "is a FIFO; a plugin archive may hold only files and directories"],
    ["oversized contents (declared)", () => pluginTarGz({ name: "t" }, [{ path: "{top}/huge.bin", data: "x", declaredSize: 300 * 1024 * 1024 }]), "t.tar.gz", "unpacks to more than 256 MiB (cap); refusing to install"],
    ["a corrupt gzip", () => pluginTarGz({ name: "t" }).slice(0, 60), "t.tar.gz", "is corrupt or not a .tar.gz"],
    ["not an archive at all", () => new TextEncoder().encode("hello ".repeat(200)), "t.tar.gz", "is corrupt or not a .tar.gz"],
    ["a corrupt zip", () => new TextEncoder().encode("PK\x03\x04 nope"), "t.zip", "is corrupt or not a .zip"],
    ["a zip symlink escaping", () => zip([{ path: "plugin.toml", data: manifestText({ name: "t" }) }, { path: "t.wasm", data: "x" }, { path: "link", data: "../../etc/passwd", mode: 0o120777 }]), "t.zip", "is a symlink to `../../etc/passwd`, outside the plugin directory"],
    ["a zip `..` entry", async () => patch(await zip([{ path: "plugin.toml", data: manifestText({ name: "t" }) }, { path: "__/evil.txt", data: "x" }]), "__/evil.txt", "../evil.txt"), "t.zip", "climbs out of the plugin directory"],
    ["no plugin.toml", () => tarGz([{ path: "x/readme.txt", data: "hi" }, { path: "x/t.wasm", data: "x" }]), "t.tar.gz", "has no plugin.toml at its top (or inside one top-level directory)"],
    ["the artifact missing", () => tarGz([{ path: "plugin.toml", data: manifestText({ name: "t" }) }]), "t.tar.gz", "is missing the plugin artifact `t.wasm` named by plugin.toml's entry"],
    ["an unsupported type", () => pluginTarGz({ name: "t" }), "t.rar", "unsupported archive type for `t.rar` (expected .tar.gz, .tgz or .zip)"],
  ];
  for (const [what, make, file, message] of refusals) {
    test(`refuses ${what} and leaves nothing behind`, async () => {
      const { root, plugins, run } = setup();
      writeFileSync(join(root, file), await make());
      const r = await run("plugin", "install", file, "--allow-untrusted");
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toStartWith("error: ");
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(entries(plugins)).toEqual([]);
      expect(existsSync(join(root, "evil.txt"))).toBe(false);
      expect(existsSync("/tmp/loadr-evil.txt")).toBe(false);
    });
  }

  test("a refused archive leaves the installed version working", async () => {
    const { root, plugins, run } = setup();
    await run("plugin", "install", writePluginDir(root, { name: "keep", version: "1.0.0" }));
    writeFileSync(join(root, "bad.tar.gz"), pluginTarGz({ name: "keep", version: "2.0.0" }, [{ path: "{top}/x", type: "2", linkpath: "/etc/passwd" }]));
    expect((await run("plugin", "install", "bad.tar.gz", "--allow-untrusted")).code).toBe(1);
    expect((await run("plugin", "list")).stdout).toContain("enabled 1.0.0");
    expect(readFileSync(join(plugins, "keep", "keep.wasm"), "utf8")).toBe(artifactText({ name: "keep", version: "1.0.0" }));
    expect(entries(plugins)).toEqual(["keep"]);
  });

  test("github: sources are behind the trust gate and then refused with a way forward", async () => {
    const { run } = setup();
    expect((await run("plugin", "install", "github:acme/loadr-plugin-x")).stderr).toBe(UNTRUSTED("github:"));
    const r = await run("plugin", "install", "github:acme/loadr-plugin-x", "--allow-untrusted");
    expect(r.stderr).toContain("does not call the GitHub API; download the release asset");
  });
});
