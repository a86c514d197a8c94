/** The binary's other commands, and that it stands alone (no Bun, Node or node_modules beside it). */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LOADR, loadr, requireBinary, scratch } from "./support/cli.ts";

// These tests start the binary, servers and whole runs: a loaded 2-core CI box needs more than 5 s.
setDefaultTimeout(30_000);

describe("loadr commands", () => {
  test("--version and version", async () => {
    const a = await loadr(["--version"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^loadr \d+\.\d+\.\d+\n$/);
    const b = await loadr(["version"]);
    expect(b.stdout).toContain("protocols: http/1.1, http/2, grpc");
    expect(b.stdout).toContain(`arch: ${process.arch}`);
  });

  for (const cmd of ["run", "validate", "echo", "schema", "version"]) {
    test(`loadr ${cmd} --help documents the command`, async () => {
      const r = await loadr([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: loadr ${cmd}`);
    });
  }

  test("loadr --help lists every command", async () => {
    const r = await loadr(["--help"]);
    for (const cmd of ["run", "validate", "echo", "schema", "version"]) expect(r.stdout).toContain(`  ${cmd} `);
  });

  test("schema prints the draft-07 JSON Schema of the plan", async () => {
    const r = await loadr(["schema"]);
    const s = JSON.parse(r.stdout);
    expect(s.$schema).toContain("draft-07");
    expect(s.title).toBe("loadr test definition");
    expect(s.$id).toBe("https://loadr.io/schemas/loadr-test.schema.json");
  });

  test("validate: valid file, counts scenarios and requests", async () => {
    const r = await loadr(["validate", resolve(import.meta.dir, "../examples/quickstart.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ .*quickstart\.yaml is valid \(1 scenario\(s\), 3 request\(s\)\)/);
  });

  test("echo serves the echo target until SIGINT", async () => {
    requireBinary();
    const proc = Bun.spawn([LOADR, "echo", "--port", "0"], { stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("\n")) out += new TextDecoder().decode((await reader.read()).value);
    const url = out.match(/(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    const body = await (await fetch(url + "/json")).text();
    expect(body).toBe('{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}');
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
  });

  test("the binary runs alone: copied to an empty directory, empty environment", async () => {
    requireBinary();
    const dir = scratch({});
    copyFileSync(LOADR, join(dir, "loadr"));
    await Bun.write(join(dir, "q.yaml"), readFileSync(resolve(import.meta.dir, "../examples/quickstart.yaml")));
    const proc = Bun.spawn(["env", "-i", join(dir, "loadr"), "run", "q.yaml", "-q", "--duration", "1s"], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("http_reqs");
  });
});

describe("README and CI", () => {
  test("README starts with exactly two set-up commands, and .ci/run runs the second verbatim", () => {
    const readme = readFileSync(resolve(import.meta.dir, "../README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1]!.trim());
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks[0]).toContain("examples/quickstart.yaml");
    expect(blocks[1]).toContain("bun test");
    // trying loadr installs only what building and running need; the tests' tools come with command 2
    expect(blocks[0]).toStartWith("bash scripts/setup.sh &&");
    expect(blocks[1]).toStartWith("bash scripts/setup.sh --test &&");
    expect(blocks[1]).toContain("bun run typecheck");
    const ci = readFileSync(resolve(import.meta.dir, "../.ci/run"), "utf8");
    expect(ci.split("\n").map((l) => l.trim())).toContain(blocks[1]!);
  });
});
