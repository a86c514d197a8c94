/**
 * `bun run release` (issue 7): loadr for linux-x64, linux-arm64 and darwin-arm64, the example
 * plugin archives as a mirror folder, and a SHA256SUMS that `sha256sum -c` accepts. The x64
 * binary is run; the arm64 one too when qemu-user is installed (`scripts/setup.sh --test` installs it).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { scratch } from "./support/cli.ts";

setDefaultTimeout(300_000);

const REPO = resolve(import.meta.dir, "..");

describe("bun run release", () => {
  test("builds every binary, the plugin mirror and verifiable checksums", () => {
    const out = join(scratch(), "release");
    // --no-build: reuse this checkout's `bun run build` (the suite's precondition) for the archives
    const r = Bun.spawnSync(["bun", "scripts/release.ts", "--no-build", "--out", out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).not.toContain("failed");
    expect(r.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", "loadr-darwin-arm64", "loadr-linux-arm64", "loadr-linux-x64", "plugins"]);
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums.map((l) => l.split("  ")[1])).toEqual(expect.arrayContaining(["loadr-linux-x64", "loadr-linux-arm64", "loadr-darwin-arm64", "plugins/index.json"]));
    const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: out, stdout: "pipe" });
    expect(check.exitCode).toBe(0);
    expect(check.stdout.toString()).not.toContain("FAILED");

    const head = (f: string) => readFileSync(join(out, f)).subarray(0, 20);
    expect(head("loadr-linux-x64").readUInt16LE(18)).toBe(62); // ELF e_machine x86_64
    expect(head("loadr-linux-arm64").readUInt16LE(18)).toBe(183); // ELF e_machine aarch64
    expect(head("loadr-darwin-arm64").readUInt32LE(0)).toBe(0xfeedfacf); // Mach-O 64
    expect(head("loadr-darwin-arm64").readUInt32LE(4)).toBe(0x0100000c); // CPU_TYPE_ARM64

    const native = process.arch === "x64" ? "loadr-linux-x64" : "loadr-linux-arm64";
    expect(Bun.spawnSync([join(out, native), "--version"]).stdout.toString()).toMatch(/^loadr \d+\.\d+\.\d+\n$/);
    const qemu = ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"].find(existsSync);
    if (process.arch === "x64" && qemu && existsSync("/usr/aarch64-linux-gnu/lib")) {
      const arm = Bun.spawnSync([qemu, "-L", "/usr/aarch64-linux-gnu", join(out, "loadr-linux-arm64"), "plugin", "list", "--plugins-dir", join(out, "none")], { stdout: "pipe", stderr: "pipe" });
      expect(arm.stdout.toString()).toBe(`no plugins installed in ${join(out, "none")}\n`);
    }
  });
});
