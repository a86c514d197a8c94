/**
 * The Dockerfile builds an image that runs dist/loadr (docs/distributed.md, "The image"). No
 * registry can be reached here, so the base is a root file system made on this machine from its
 * own files (the C library loadr and /bin/sh need, and /bin/sh), imported with podman; buildah
 * builds the Dockerfile on it (`--build-arg BASE=`), and podman runs `loadr --version` and the
 * parts' `/bin/sh -c` form in it. podman runs with runc (crun refuses this machine's hybrid
 * cgroups) and with lowered rlimits (its defaults are above what this sandbox may set).
 * buildah, podman and runc come from scripts/setup.sh --test.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LOADR, requireBinary, scratch } from "./support/cli.ts";
import pkg from "../package.json" with { type: "json" };

setDefaultTimeout(120_000);

const ROOT = resolve(import.meta.dir, "..");
const tag = `${process.pid}-${Date.now()}`;
const BASE = `localhost/loadr-test-base:${tag}`;
const IMAGE = `localhost/loadr-test:${tag}`;
const RUN = ["podman", "run", "--rm", "--runtime", "runc", "--network", "none", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"];

function sh(argv: string[], stdin?: Uint8Array): { code: number; out: string; err: string } {
  const r = Bun.spawnSync(argv, { stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe", timeout: 110_000 });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString() };
}

function must(argv: string[], stdin?: Uint8Array): string {
  const r = sh(argv, stdin);
  if (r.code !== 0) throw new Error(`${argv.slice(0, 3).join(" ")} exited ${r.code}: ${r.err.trim().split("\n").slice(-3).join(" | ")}`);
  return r.out;
}

afterAll(() => {
  sh(["podman", "rmi", "-f", IMAGE, BASE]);
});

describe("the container image", () => {
  test("buildah builds the Dockerfile on a locally made base; podman runs loadr in it", () => {
    requireBinary();
    for (const tool of ["buildah", "podman", "runc"])
      if (Bun.which(tool) === null) throw new Error(`${tool} is not installed: run \`bash scripts/setup.sh --test\``);

    // the base: the host's C library and loader as loadr and /bin/sh link them, and /bin/sh
    const rootfs = join(scratch(), "rootfs");
    const libs = new Set(must(["ldd", LOADR, "/bin/sh"]).match(/\/lib[^\s)]*/g) ?? []);
    for (const f of [...libs, "/bin/sh"]) {
      mkdirSync(join(rootfs, dirname(f)), { recursive: true });
      copyFileSync(f, join(rootfs, f));
    }
    mkdirSync(join(rootfs, "tmp"), { mode: 0o1777 });
    mkdirSync(join(rootfs, "etc"));
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n");
    writeFileSync(join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    const archive = Bun.spawnSync(["tar", "-C", rootfs, "-c", "."], { stdout: "pipe" }).stdout;
    must(["podman", "import", "-", BASE], archive);

    // the build context: the Dockerfile and dist/loadr, nothing else
    const ctx = scratch();
    copyFileSync(join(ROOT, "Dockerfile"), join(ctx, "Dockerfile"));
    mkdirSync(join(ctx, "dist"));
    copyFileSync(LOADR, join(ctx, "dist/loadr"));
    must(["chmod", "755", join(ctx, "dist/loadr")]);
    must(["buildah", "bud", "--build-arg", `BASE=${BASE}`, "-t", IMAGE, ctx]);

    expect(must([...RUN, IMAGE, "--version"]).trim()).toStartWith(`loadr ${pkg.version}`);
    // as the rendered parts run it: through /bin/sh, loadr on PATH, the unprivileged user
    const out = must([...RUN, "--entrypoint", "/bin/sh", "-e", "JOB_COMPLETION_INDEX=2", IMAGE, "-c", 'echo "segment $((JOB_COMPLETION_INDEX + 1))/4"; loadr --version']);
    expect(out).toContain("segment 3/4");
    expect(out).toContain(`loadr ${pkg.version}`);
    const config = JSON.parse(must(["podman", "image", "inspect", IMAGE]))[0].Config;
    expect(config.Entrypoint).toEqual(["loadr"]);
    expect(config.User).toBe("65534:65534");
  });
});
