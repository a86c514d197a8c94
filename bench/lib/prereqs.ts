/**
 * Prerequisites: the peer tools come from Debian (installed with apt-get when missing and we are
 * root), autocannon from the pinned devDependency, hyperfine is optional.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, which } from "./proc.ts";

const APT_PACKAGES: Record<string, string> = { nginx: "nginx", wrk: "wrk", hey: "hey", hyperfine: "hyperfine", h2load: "nghttp2-client" };

export async function ensureAptTools(install: boolean): Promise<void> {
  const missing = Object.keys(APT_PACKAGES).filter((t) => !findTool(t));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!install || !isRoot || !which("apt-get")) {
    console.log(`missing: ${missing.join(", ")} (not installing: ${!install ? "--no-install" : !isRoot ? "not root" : "no apt-get"})`);
    return;
  }
  const pkgs = missing.map((t) => APT_PACKAGES[t]!);
  console.log(`installing with apt-get: ${pkgs.join(" ")}`);
  const env = ["env", "DEBIAN_FRONTEND=noninteractive"];
  let r = await run([...env, "apt-get", "install", "-y", "-qq", ...pkgs], 600_000);
  if (r.code !== 0) {
    // a fresh machine has no package lists yet
    await run([...env, "apt-get", "update", "-qq"], 600_000);
    r = await run([...env, "apt-get", "install", "-y", "-qq", ...pkgs], 600_000);
  }
  if (r.code !== 0) console.log(`apt-get install failed (carrying on without): ${r.stderr.trim().split("\n").pop()}`);
}

/** nginx lives in /usr/sbin, which a non-login PATH may lack. */
export function findTool(name: string): string | null {
  const onPath = which(name);
  if (onPath) return onPath;
  for (const dir of ["/usr/sbin", "/usr/local/sbin", "/sbin"]) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** How to start autocannon: under node when present (its home runtime), else under bun. */
export function autocannonCommand(root: string): string[] | null {
  const script = join(root, "node_modules", "autocannon", "autocannon.js");
  if (!existsSync(script)) return null;
  const node = which("node");
  return node ? [node, script] : [process.execPath, script];
}

async function firstLine(argv: string[]): Promise<string | null> {
  const r = await run(argv, 10_000).catch(() => null);
  if (!r) return null;
  const text = (r.stdout + r.stderr).trim();
  return text.split("\n")[0]?.trim() || null;
}

async function dpkgVersion(pkg: string): Promise<string | null> {
  if (!which("dpkg-query")) return null;
  const r = await run(["dpkg-query", "-W", "-f", "${Version}", pkg], 10_000);
  return r.code === 0 && r.stdout ? r.stdout.trim() : null;
}

/** Version strings of every tool, for the results file and docs/benchmarks.md. */
export async function toolVersions(root: string, loadr: string): Promise<Record<string, string>> {
  const v: Record<string, string> = { bun: Bun.version };
  const nginx = findTool("nginx");
  if (nginx) v.nginx = (await firstLine([nginx, "-v"]))?.replace(/^nginx version: /, "") ?? "?";
  if (findTool("wrk")) v.wrk = (await dpkgVersion("wrk")) ?? (await firstLine(["wrk", "-v"])) ?? "?";
  if (findTool("hey")) v.hey = (await dpkgVersion("hey")) ?? "?";
  if (findTool("h2load")) v.h2load = (await dpkgVersion("nghttp2-client")) ?? "?";
  if (findTool("hyperfine")) v.hyperfine = (await firstLine(["hyperfine", "--version"]))?.replace(/^hyperfine /, "") ?? "?";
  const ac = autocannonCommand(root);
  if (ac) {
    const pkg = (await Bun.file(join(root, "node_modules", "autocannon", "package.json")).json()) as { version: string };
    v.autocannon = `${pkg.version} (${ac[0]!.endsWith("node") ? "node " + ((await firstLine(["node", "--version"])) ?? "?") : "bun"})`;
  }
  if (existsSync(loadr)) {
    v.loadr = (await firstLine([loadr, "--version"]))?.replace(/^loadr\s+/, "") ?? "?";
    // the version alone does not say which code was measured; the work tree's commit does
    const head = await run(["git", "-C", root, "describe", "--always", "--dirty"], 10_000).catch(() => null);
    if (head?.code === 0) v.loadr += ` (tree ${head.stdout.trim()})`;
  }
  return v;
}

export async function machine(): Promise<{ nproc: number; cpu: string; kernel: string; memGiB: number }> {
  const os = await import("node:os");
  const cpuinfo = existsSync("/proc/cpuinfo") ? await Bun.file("/proc/cpuinfo").text() : "";
  const cpu = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  return { nproc: os.cpus().length, cpu, kernel: `${os.type()} ${os.release()}`, memGiB: Math.round(os.totalmem() / 2 ** 30) };
}
