/**
 * Installs never leave a half-installed plugin: a `kill -9` in the middle of an install leaves
 * the previous version listed and intact (and the next install sweeps the dead staging dir);
 * concurrent installs of one plugin each commit a complete tree, the last one wins.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOADR, loadr, requireBinary, scratch } from "./support/cli.ts";
import { artifactText, pluginTarGz, writePluginDir } from "./support/plugin-fixtures.ts";

setDefaultTimeout(120_000);

describe("atomic installs", () => {
  test("kill -9 mid-install: the old version stays listed and working", async () => {
    requireBinary();
    const root = scratch();
    const plugins = join(root, "plugins");
    const v1 = writePluginDir(root, { name: "big", version: "1.0.0" });
    expect((await loadr(["plugin", "install", v1, "--plugins-dir", plugins])).code).toBe(0);

    let killedMidway = false;
    // a larger artifact each attempt, until the kill lands while the install is staging
    for (const mib of [24, 64, 128]) {
      const artifact = Buffer.concat([Buffer.from(artifactText({ name: "big", version: "2.0.0" })), randomBytes(mib * 1024 * 1024)]);
      writeFileSync(join(root, "big-2.tar.gz"), pluginTarGz({ name: "big", version: "2.0.0", artifact }));
      const proc = Bun.spawn([LOADR, "plugin", "install", "big-2.tar.gz", "--allow-untrusted", "--plugins-dir", plugins], { cwd: root, stdout: "pipe", stderr: "pipe" });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && proc.exitCode === null) {
        if (readdirSync(plugins).some((n) => n.startsWith(".staging-"))) {
          proc.kill("SIGKILL");
          killedMidway = true;
          break;
        }
        await Bun.sleep(2);
      }
      await proc.exited;
      if (killedMidway && proc.signalCode === "SIGKILL") break;
      killedMidway = false;
      // it finished first: put v1 back and try with more data
      expect((await loadr(["plugin", "install", v1, "--plugins-dir", plugins])).code).toBe(0);
    }
    expect(killedMidway).toBe(true);
    // the dead install's staging dir is still there, invisible to list
    expect(readdirSync(plugins).filter((n) => n.startsWith(".staging-"))).toHaveLength(1);
    const list = await loadr(["plugin", "list", "--plugins-dir", plugins]);
    expect(list.stdout).toContain(`${"big".padEnd(24)}${"extractor".padEnd(10)}${"wasm".padEnd(10)}enabled 1.0.0`);
    expect(list.stdout.trim().split("\n")).toHaveLength(2);
    expect(readFileSync(join(plugins, "big", "big.wasm"), "utf8")).toBe(artifactText({ name: "big", version: "1.0.0" }));

    // the next install completes and sweeps the dead staging dir
    const again = await loadr(["plugin", "install", "big-2.tar.gz", "--allow-untrusted", "--plugins-dir", plugins], { cwd: root });
    expect(again.stdout).toContain("✓ installed `big` v2.0.0");
    expect(readdirSync(plugins)).toEqual(["big"]);
  });

  test("concurrent installs of one plugin: one complete version wins, nothing else is left", async () => {
    requireBinary();
    const root = scratch();
    const plugins = join(root, "plugins");
    const versions = ["1.0.0", "2.0.0", "3.0.0", "4.0.0"];
    const dirs = versions.map((version) =>
      writePluginDir(root, { name: "conc", version, artifact: Buffer.concat([Buffer.from(artifactText({ name: "conc", version })), randomBytes(4 * 1024 * 1024)]) }),
    );
    const results = await Promise.all(dirs.map((d) => loadr(["plugin", "install", d, "--plugins-dir", plugins])));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const [p] = JSON.parse((await loadr(["plugin", "list", "--format", "json", "--plugins-dir", plugins])).stdout);
    expect(versions).toContain(p.version);
    const art = readFileSync(join(plugins, "conc", "conc.wasm"));
    expect(art.subarray(0, 40).toString()).toStartWith(artifactText({ name: "conc", version: p.version }));
    expect(art.length).toBe(artifactText({ name: "conc", version: p.version }).length + 4 * 1024 * 1024);
    expect(readdirSync(plugins)).toEqual(["conc"]);
  });

  test("an install that died between its two renames: the old version is still listed, the next install finishes cleanly", async () => {
    const root = scratch();
    const plugins = join(root, "plugins");
    expect((await loadr(["plugin", "install", writePluginDir(root, { name: "swap", version: "1.0.0" }), "--plugins-dir", plugins])).code).toBe(0);
    // the state a kill leaves right after `rename(<name>, .old-<name>)`
    renameSync(join(plugins, "swap"), join(plugins, ".old-swap"));
    const list = await loadr(["plugin", "list", "--plugins-dir", plugins]);
    expect(list.stdout).toContain("enabled 1.0.0");
    const r = await loadr(["plugin", "install", writePluginDir(root, { name: "swap", version: "2.0.0" }), "--plugins-dir", plugins]);
    expect(r.stdout).toContain("✓ installed `swap` v2.0.0");
    expect(readdirSync(plugins)).toEqual(["swap"]);
    expect((await loadr(["plugin", "remove", "swap", "--plugins-dir", plugins])).code).toBe(0);
    expect(readdirSync(plugins)).toEqual([]);
  });
});
