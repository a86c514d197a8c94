/**
 * The hostile suite, plugin side: plugin archives and native plugins written to hurt the host —
 * each attack with its expected outcome (docs/reliability-bounds.md). Archives are installed
 * through dist/loadr; native plugins are C fixtures built from source here.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { loadr, scratch } from "./support/cli.ts";
import { artifactText, manifestText, pluginTarGz, tar, zip } from "./support/plugin-fixtures.ts";

setDefaultTimeout(60_000);

/** gzip of `head` followed by `zeros` zero bytes, streamed (nothing that size is held). */
async function gzipWithZeros(head: Uint8Array, zeros: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gz.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gz.on("end", r));
  gz.write(head);
  const block = Buffer.alloc(1 << 20);
  for (let left = zeros; left > 0; left -= block.length) gz.write(left >= block.length ? block : block.subarray(0, left));
  gz.end();
  await done;
  return Buffer.concat(chunks);
}

describe("plugin archives", () => {
  const plugin = { name: "t" };
  const attacks: [string, () => Uint8Array | Promise<Uint8Array>, string, string][] = [
    [
      "300 MiB of zeros after the tar's end, inside the gzip stream",
      () => gzipWithZeros(tar([{ path: "t-1.0.0/plugin.toml", data: manifestText(plugin) }, { path: "t-1.0.0/t.wasm", data: artifactText(plugin) }]), 300 * 1024 * 1024),
      "t.tar.gz",
      "archive t.tar.gz unpacks to more than 256 MiB (cap); refusing to install",
    ],
    ["the same file twice", () => pluginTarGz(plugin, [{ path: "{top}/x", data: "a" }, { path: "{top}/x", data: "b" }]), "t.tar.gz", "`x` appears twice (a file, then a file); refusing to install"],
    ["a file where a directory is needed", () => pluginTarGz(plugin, [{ path: "{top}/x", data: "a" }, { path: "{top}/x/y", data: "b" }]), "t.tar.gz", "`x/y` needs `x` to be a directory, but the archive has it as a file"],
    ["a directory, then a file of the same name", () => pluginTarGz(plugin, [{ path: "{top}/x/", type: "5" }, { path: "{top}/x", data: "b" }]), "t.tar.gz", "`x` appears twice (a directory, then a file)"],
    [
      "a name over 255 bytes",
      () => zip([{ path: "plugin.toml", data: manifestText(plugin) }, { path: "t.wasm", data: artifactText(plugin) }, { path: "a".repeat(300), data: "x" }]),
      "t.zip",
      "has a name over 255 bytes; refusing to install",
    ],
    [
      "a path over 1024 bytes",
      () => zip([{ path: "plugin.toml", data: manifestText(plugin) }, { path: "t.wasm", data: artifactText(plugin) }, { path: `${"d/".repeat(600)}x`, data: "x" }]),
      "t.zip",
      "has a path over 1024 bytes; refusing to install",
    ],
  ];
  for (const [what, make, file, message] of attacks) {
    test(`refuses ${what} with one line, leaving nothing behind`, async () => {
      const root = scratch();
      const plugins = join(root, "plugins");
      writeFileSync(join(root, file), await make());
      const t0 = performance.now();
      const r = await loadr(["plugin", "install", file, "--allow-untrusted", "--plugins-dir", plugins], { cwd: root, timeoutMs: 50_000 });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(message)]);
      expect(r.stderr).not.toContain("internal error");
      expect(existsSync(plugins) ? readdirSync(plugins) : []).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(30_000);
    });
  }
});
