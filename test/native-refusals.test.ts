/**
 * A bad native library is a clean, one-line refusal — never undefined behaviour, never a stack
 * trace (issue 6 "Safety"). Every broken library here is built from source in the test.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { buildC, DIST_PLUGINS, EXAMPLES, ROOT } from "./support/native.ts";
import { inspectLibrary } from "../src/plugins/host/native/inspect.ts";

setDefaultTimeout(60_000);

const BROKEN = join(ROOT, "test/fixtures/native/broken.c");
const BAD_DESCRIPTOR = join(ROOT, "test/fixtures/native/bad_descriptor.c");
let dir: string;
const lib = (name: string) => join(dir, `lib${name}.so`);

beforeAll(() => {
  dir = scratch();
  for (const flag of ["ABI_2", "BAD_INFO", "KIND_OUTPUT", "NO_EXECUTE", "ABI_STABLE", "NONE"]) buildC(BROKEN, lib(flag), [`-D${flag}`]);
  for (const flag of ["BAD_MAGIC", "ABI_MAJOR_2", "SMALL_SIZE", "NULL_FN", "ROLE_SERVICE", "RETURNS_NULL"]) buildC(BAD_DESCRIPTOR, lib(flag), [`-D${flag}`]);
  if (Bun.which("aarch64-linux-gnu-gcc")) buildC(BROKEN, lib("aarch64"), [], "aarch64-linux-gnu-gcc");
  else {
    // no cross compiler here: the same refusal from a good library with e_machine = EM_AARCH64
    const a = new Uint8Array(readFileSync(join(DIST_PLUGINS, "echo-proto/libecho_proto.so")));
    new DataView(a.buffer).setUint16(18, 183, true);
    writeFileSync(lib("aarch64"), a);
  }
  // the 32-bit case: a good library with EI_CLASS patched to ELFCLASS32
  const b = new Uint8Array(readFileSync(join(DIST_PLUGINS, "echo-proto/libecho_proto.so")));
  b[4] = 1;
  writeFileSync(lib("class32"), b);
  writeFileSync(lib("text"), "this is not a library\n");
  copyFileSync(join(DIST_PLUGINS, "file-report/libfile_report.so"), lib("output"));
});

async function runWith(path: string, kindHint = "") {
  const d = scratch({
    "plan.yaml": `
plugins:
  - { name: p, path: ${path} }
${kindHint}
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "http://127.0.0.1:9/" }
`,
  });
  return loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json"], { cwd: d });
}

const cases: [string, () => string, string][] = [
  ["missing symbol", () => lib("NO_EXECUTE"), "missing `loadr_plugin_execute`"],
  ["ABI version mismatch", () => lib("ABI_2"), "plugin ABI version mismatch: host expects 1, plugin built against 2"],
  ["invalid info JSON", () => lib("BAD_INFO"), "invalid plugin info JSON from"],
  ["kind mismatch (C ABI reports output)", () => lib("KIND_OUTPUT"), "reports kind `output`; the C ABI only supports `protocol` plugins"],
  ["abi_stable (Rust-only) library", () => lib("ABI_STABLE"), "this is a Rust abi_stable plugin; rebuild it against the loadr C ABI"],
  ["no loadr symbols at all", () => lib("NONE"), "not a loadr plugin"],
  ["wrong architecture", () => lib("aarch64"), "wrong architecture: the library is aarch64 (64-bit), this loadr runs on x86_64"],
  ["32-bit library", () => lib("class32"), "wrong architecture: the library is x86_64 (32-bit)"],
  ["not a library", () => lib("text"), "not a library"],
  ["missing file", () => join(dir, "nope.so"), "no such file"],
];

describe("refusals before and after dlopen", () => {
  for (const [what, path, message] of cases) {
    test(what, async () => {
      const r = await runWith(path());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: .*plugin `p`/);
    });
  }

  const descriptorCases: [string, string, string][] = [
    ["bad magic", "BAD_MAGIC", "descriptor magic 0xdeadbeef is not 0x504c444c"],
    ["descriptor ABI major 2", "ABI_MAJOR_2", "plugin ABI version mismatch: host expects 1, plugin built against 2"],
    ["struct_size too small", "SMALL_SIZE", "descriptor struct_size 40 < 64 required by ABI 1.0 output"],
    ["NULL function pointer", "NULL_FN", "required function pointer(s) NULL: finish"],
    ["role mismatch", "ROLE_SERVICE", "is `service`, expected `output`"],
    ["no descriptor for this ABI", "RETURNS_NULL", "returned NULL: the plugin does not support descriptor ABI 1.x"],
  ];
  for (const [what, flag, message] of descriptorCases) {
    test(`descriptor: ${what}`, async () => {
      const r = await runWith(lib(flag), "outputs: [{ type: plugin, name: p }]");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  test("an output plugin whose start() fails (no config.path) aborts before any load", async () => {
    const r = await runWith(lib("output"), "outputs: [{ type: plugin, name: p }]");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config.path is required");
  });
});

describe("inspectLibrary (loadr plugin info's exports line)", () => {
  test("C protocol, descriptor and abi_stable libraries", () => {
    const c = inspectLibrary(join(DIST_PLUGINS, "echo-proto/libecho_proto.so"));
    expect(c).toMatchObject({ format: "elf", arch: "x86_64", bits: 64, sharedLibrary: true, abi: "c" });
    expect(c.exports).toEqual(["loadr_plugin_abi_version", "loadr_plugin_execute", "loadr_plugin_free", "loadr_plugin_info"]);
    expect(inspectLibrary(join(DIST_PLUGINS, "file-report/libfile_report.so"))).toMatchObject({ abi: "descriptor", exports: ["loadr_plugin_descriptor"] });
    expect(inspectLibrary(lib("ABI_STABLE")).abi).toBe("abi_stable");
    expect(inspectLibrary(lib("aarch64")).arch).toBe("aarch64");
    expect(inspectLibrary(lib("text")).format).toBe("unknown");
    // the redis plugin links hiredis statically and hides it: only the ABI is exported
    expect(inspectLibrary(join(DIST_PLUGINS, "redis/libloadr_redis.so")).exports).toEqual(c.exports);
  });
});

void EXAMPLES;
