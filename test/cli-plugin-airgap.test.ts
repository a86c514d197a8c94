/**
 * The air-gapped round trip (issue 7): pack → index → mirror → copy the folder → install by
 * name inside a network namespace with no network at all (`unshare -n`; only a loopback we
 * bring up for the plan's own echo target) → list/info → run a plan that uses the plugin.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LOADR, requireBinary, scratch } from "./support/cli.ts";
import { manifestText, writePluginDir } from "./support/plugin-fixtures.ts";

setDefaultTimeout(60_000);

const REPO = resolve(import.meta.dir, "..");

/** dist/loadr with no network: a fresh network namespace, loopback up only when asked. */
async function offline(args: string[], o: { cwd?: string; loopback?: boolean } = {}) {
  requireBinary();
  const cmd = o.loopback ? ["sh", "-c", `ip link set lo up && exec "$0" "$@"`, LOADR, ...args] : [LOADR, ...args];
  const proc = Bun.spawn(["unshare", "--net", ...cmd], {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function online(args: string[], cwd?: string) {
  const proc = Bun.spawn([LOADR, ...args], { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("air-gapped", () => {
  test("pack → index → mirror → copy → install by name with no network", async () => {
    const root = scratch();
    // a WASM-kind fixture and a real native library
    const wasmDir = writePluginDir(root, { name: "gap-extractor", version: "0.4.0", description: "fixture extractor for the mirror" });
    const nativeDir = join(root, "gap-proto");
    mkdirSync(nativeDir);
    writeFileSync(join(nativeDir, "p.c"), "int loadr_plugin_abi_version(void){return 1;}\n");
    expect(Bun.spawnSync(["gcc", "-shared", "-fPIC", "-o", join(nativeDir, "libgap.so"), join(nativeDir, "p.c")]).exitCode).toBe(0);
    rmSync(join(nativeDir, "p.c"));
    writeFileSync(join(nativeDir, "plugin.toml"), manifestText({ name: "gap-proto", kind: "protocol", type: "native", entry: "libgap.so", version: "1.1.0" }));

    // pack: archives + their entries merged into a release index
    const release = join(root, "release");
    for (const d of [wasmDir, nativeDir]) {
      const p = await online(["plugin", "pack", d, "--out", release, "--index", join(release, "index.json")]);
      expect(p.code).toBe(0);
      expect(p.stderr).toContain("✓ packed");
    }
    const packedAgain = await online(["plugin", "pack", wasmDir, "--out", join(root, "again")]);
    const sha = (s: string) => /"sha256": "([0-9a-f]{64})"/.exec(s)![1];
    expect(sha(packedAgain.stdout)).toBe(sha(readFileSync(join(release, "index.json"), "utf8"))); // reproducible

    // mirror, then carry only the mirror folder to the "offline machine"
    const mirror = join(root, "mirror");
    const m = await online(["plugin", "mirror", mirror, "--index", join(release, "index.json")]);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain("✓ mirrored 2 artifact(s) of 2 plugin(s)");
    const carried = join(root, "usb-stick", "loadr-mirror");
    cpSync(mirror, carried, { recursive: true });
    rmSync(release, { recursive: true });
    rmSync(mirror, { recursive: true });
    const index = JSON.parse(readFileSync(join(carried, "index.json"), "utf8"));
    for (const p of Object.values(index.plugins) as { versions: Record<string, { artifacts: Record<string, { url: string }> }> }[])
      for (const v of Object.values(p.versions)) for (const a of Object.values(v.artifacts)) expect(a.url).not.toContain("/");

    // no network at all in here: even an http index on loopback is unreachable
    const plugins = join(root, "offline-plugins");
    const net = await offline(["plugin", "search", "gap", "--index", "http://127.0.0.1:9/index.json"]);
    expect(net.code).toBe(1);
    expect(net.stderr).toStartWith("error: GET http://127.0.0.1:9/index.json failed:");

    for (const name of ["gap-extractor", "gap-proto"]) {
      const r = await offline(["plugin", "install", name, "--index", carried, "--plugins-dir", plugins]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`✓ installed \`${name}\``);
    }
    const list = await offline(["plugin", "list", "--plugins-dir", plugins, "--format", "json"]);
    expect(JSON.parse(list.stdout).map((p: { name: string; version: string; enabled: boolean }) => [p.name, p.version, p.enabled])).toEqual([
      ["gap-extractor", "0.4.0", true],
      ["gap-proto", "1.1.0", true],
    ]);
    const info = await offline(["plugin", "info", "gap-proto", "--plugins-dir", plugins]);
    expect(info.stdout).toContain("exports: loadr_plugin_abi_version [elf64");
  });

  test("the repository's plugins/index.json lists every built example plugin and installs each offline", async () => {
    const built = existsSync(join(REPO, "dist/plugins")) ? readdirSync(join(REPO, "dist/plugins")).filter((n) => existsSync(join(REPO, "dist/plugins", n, "plugin.toml"))) : [];
    const index = JSON.parse(readFileSync(join(REPO, "plugins/index.json"), "utf8"));
    expect(index.schema).toBe(1);
    expect(Object.keys(index.plugins).sort()).toEqual(expect.arrayContaining(built.sort()));
    const plugins = scratch();
    for (const name of built) {
      const r = await offline(["plugin", "install", name, "--index", "plugins/index.json", "--plugins-dir", plugins], { cwd: REPO });
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`✓ installed \`${name}\``);
    }
  });

  // `bun run build` builds the WASM example plugin into dist/plugins and dist/archives.
  test("a plan uses upper-boundary installed by name from a copied mirror, offline", async () => {
    const root = scratch();
    const mirror = join(root, "mirror");
    expect((await online(["plugin", "mirror", mirror, "upper-boundary", "--index", join(REPO, "dist/archives")])).code).toBe(0);
    const plugins = join(root, "plugins");
    const inst = await offline(["plugin", "install", "upper-boundary", "--index", mirror, "--plugins-dir", plugins]);
    expect(inst.stdout).toContain("✓ installed `upper-boundary`");
    writeFileSync(
      join(root, "plan.yaml"),
      `
plugins:
  - name: echo
  - name: upper-boundary
scenarios:
  airgap:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          method: POST
          url: "\${services.echo.url}/echo"
          body: "prefix <<csrf-token-99>> suffix"
          extract:
            - { type: plugin, name: token, plugin: upper-boundary }
      - request:
          url: "\${services.echo.url}/echo?token=\${token}"
          checks:
            - { type: body_contains, name: upper-cased token, value: "CSRF-TOKEN-99" }
`,
    );
    const run = await offline(["run", "plan.yaml", "--plugins-dir", plugins, "--summary-export", "s.json"], { cwd: root, loopback: true });
    expect(run.code).toBe(0);
    const s = JSON.parse(readFileSync(join(root, "s.json"), "utf8")) as { checks: { name: string; passes: number; fails: number }[] };
    expect(s.checks.find((c) => c.name === "upper-cased token")).toMatchObject({ passes: 1, fails: 0 });
  });
});
