/**
 * Installing by name from a schema-1 index (local path, file://, folder, LOADR_PLUGIN_INDEX,
 * and http on a loopback Bun.serve), every index refusal, the http(s) archive source, search
 * and update — through dist/loadr.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadr, scratch } from "./support/cli.ts";
import { artifactText, indexJson, manifestText, pluginTarGz, sha256, tarGz } from "./support/plugin-fixtures.ts";

setDefaultTimeout(30_000);

const HOST = process.arch === "x64" ? "x86_64-unknown-linux-gnu" : "aarch64-unknown-linux-gnu";
const OTHER = "x86_64-apple-darwin";

/** An index folder: archives beside index.json, URLs relative. */
function indexFolder(files: Record<string, Uint8Array>, index: string) {
  const dir = scratch();
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
  writeFileSync(join(dir, "index.json"), index);
  const plugins = join(dir, "installed");
  // search reads only the index: it takes no --plugins-dir
  const run = (args: string[], env: Record<string, string> = {}) => loadr(args[1] === "search" ? args : [...args, "--plugins-dir", plugins], { cwd: dir, env });
  return { dir, plugins, run };
}

const nativeV1 = pluginTarGz({ name: "proto", version: "1.0.0", kind: "protocol", type: "native", entry: "libproto.so" });
const nativeV2 = pluginTarGz({ name: "proto", version: "2.0.0", kind: "protocol", type: "native", entry: "libproto.so" });
const wasm = pluginTarGz({ name: "upper", version: "0.3.0" });

function standardIndex(over: { sha?: string; abi?: string } = {}) {
  return indexJson({
    proto: {
      kind: "protocol",
      description: "A fixture wire protocol",
      latest: "2.0.0",
      versions: {
        "1.0.0": { artifacts: { [HOST]: { url: "proto-1.tar.gz", sha256: sha256(nativeV1), entry: "libproto.so" } } },
        "2.0.0": { min_loadr_abi: over.abi, artifacts: { [HOST]: { url: "proto-2.tar.gz", sha256: over.sha ?? sha256(nativeV2).toUpperCase(), entry: "libproto.so" } } },
      },
    },
    upper: { latest: "0.3.0", description: "Upper-cases a BOUNDARY match", versions: { "0.3.0": { artifacts: { "wasm32-wasip2": { url: "upper-wasm.tar.gz", sha256: sha256(wasm), entry: "upper.wasm" } } } } },
    darwin_only: { latest: "1.0.0", versions: { "1.0.0": { artifacts: { [OTHER]: { url: "x.tar.gz", sha256: "0".repeat(64), entry: "x" } } } } },
  });
}

const FILES = { "proto-1.tar.gz": nativeV1, "proto-2.tar.gz": nativeV2, "upper-wasm.tar.gz": wasm };

describe("install by name", () => {
  test("without an index configured, says how to give one", async () => {
    const { run } = indexFolder({}, "{}");
    const r = await run(["plugin", "install", "proto"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: no plugin index configured: pass --index <url|path> or set LOADR_PLUGIN_INDEX (a mirror folder's index.json works offline; this repository ships plugins/index.json)\n",
    );
  });

  test("latest for the host triple from a path; sha256 compared case-insensitively", async () => {
    const { dir, plugins, run } = indexFolder(FILES, standardIndex());
    const r = await run(["plugin", "install", "proto", "--index", join(dir, "index.json")]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`resolving \`proto\` v2.0.0 for ${HOST} from the index…\n✓ installed \`proto\` v2.0.0 (protocol, native) into ${plugins}\n`);
    expect(readFileSync(join(plugins, "proto", "libproto.so"), "utf8")).toBe(artifactText({ name: "proto", version: "2.0.0" }));
  });

  test("--version, a file:// URL, a folder and LOADR_PLUGIN_INDEX all work", async () => {
    const { dir, run } = indexFolder(FILES, standardIndex());
    expect((await run(["plugin", "install", "proto", "--version", "1.0.0", "--index", pathToFileURL(join(dir, "index.json")).href])).stdout).toContain("v1.0.0 (protocol, native)");
    expect((await run(["plugin", "install", "proto", "--index", dir])).stdout).toContain("v2.0.0");
    const env = await run(["plugin", "install", "upper"], { LOADR_PLUGIN_INDEX: join(dir, "index.json") });
    expect(env.stdout).toContain("resolving `upper` v0.3.0 for wasm32-wasip2 from the index…");
  });

  test("a WASM artifact (wasm32-wasip2) is accepted on every host; --target picks another artifact", async () => {
    const { dir, run } = indexFolder(FILES, standardIndex());
    expect((await run(["plugin", "install", "upper", "--index", dir])).code).toBe(0);
    const r = await run(["plugin", "install", "darwin_only", "--index", dir, "--target", OTHER]);
    // resolved for the asked target, then refused because the file is not there
    expect(r.stdout).toContain(`resolving \`darwin_only\` v1.0.0 for ${OTHER} from the index…`);
    expect(r.stderr).toContain("cannot read archive");
  });

  const refusals: [string, () => { files: Record<string, Uint8Array>; index: string }, string[], string][] = [
    ["schema ≠ 1", () => ({ files: FILES, index: JSON.stringify({ schema: 2, plugins: {} }) }), ["proto"], "error: unsupported plugin index schema 2 (this loadr understands schema 1)\n"],
    ["not in the index", () => ({ files: FILES, index: standardIndex() }), ["nope"], "error: plugin `nope` is not in the index (try `loadr plugin search nope`)\n"],
    ["no such version", () => ({ files: FILES, index: standardIndex() }), ["proto", "--version", "9.9.9"], "error: plugin `proto` has no version `9.9.9` (available: 1.0.0, 2.0.0)\n"],
    ["ABI too new", () => ({ files: FILES, index: standardIndex({ abi: "2.0" }) }), ["proto"], "error: plugin `proto` v2.0.0 needs loadr plugin ABI >= 2.0 but this loadr provides 1.0; upgrade loadr or pick another version\n"],
    ["malformed ABI", () => ({ files: FILES, index: standardIndex({ abi: "one" }) }), ["proto"], "error: plugin `proto` v2.0.0 has a malformed min_loadr_abi `one` (expected <major>.<minor>, e.g. 1.0)\n"],
    ["no artifact for the target", () => ({ files: FILES, index: standardIndex() }), ["darwin_only"], `error: plugin \`darwin_only\` v1.0.0 has no artifact for target \`${HOST}\` (available: ${OTHER})\n`],
    ["sha256 mismatch", () => ({ files: FILES, index: standardIndex({ sha: "ab".repeat(32) }) }), ["proto"], `error: sha256 mismatch: expected ${"ab".repeat(32)}, downloaded artifact hashed to ${sha256(nativeV2)}`],
    [
      "an archive whose plugin differs from the index name",
      () => ({ files: { "w.tar.gz": wasm }, index: indexJson({ other: { latest: "1", versions: { "1": { artifacts: { "wasm32-wasip2": { url: "w.tar.gz", sha256: sha256(wasm), entry: "upper.wasm" } } } } } }) }),
      ["other"],
      "error: w.tar.gz holds plugin `upper`, but the index lists it as `other`; nothing was installed\n",
    ],
    [
      "an archive missing the artifact",
      () => {
        const noArt = tarGz([{ path: "hollow-1.0.0/plugin.toml", data: manifestText({ name: "hollow" }) }]);
        return { files: { "h.tar.gz": noArt }, index: indexJson({ hollow: { latest: "1.0.0", versions: { "1.0.0": { artifacts: { "wasm32-wasip2": { url: "h.tar.gz", sha256: sha256(noArt), entry: "hollow.wasm" } } } } } }) };
      },
      ["hollow"],
      "error: unpacked archive is missing the plugin artifact `hollow.wasm`\n",
    ],
  ];
  for (const [what, make, args, message] of refusals) {
    test(`refuses: ${what}, installing nothing`, async () => {
      const { files, index } = make();
      const { dir, plugins, run } = indexFolder(files, index);
      const r = await run(["plugin", "install", ...args, "--index", dir]);
      expect(r.code).toBe(1);
      expect(r.stderr.startsWith(message) || r.stderr === message).toBe(true);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(plugins) ? readdirSync(plugins) : []).toEqual([]);
    });
  }

  test("the index's entry name is reconciled with the manifest's", async () => {
    // the archive holds the file under the index's per-target name; the manifest wants another
    const a = pluginTarGz({ name: "recon", entry: "librecon.so", type: "native", kind: "protocol" });
    const raw = Buffer.from(Bun.gunzipSync(a as Uint8Array<ArrayBuffer>));
    const i = raw.indexOf("recon-1.0.0/librecon.so");
    raw.write("recon-1.0.0/libRECON.so", i);
    const renamed = Bun.gzipSync(fixChecksum(raw, i) as Uint8Array<ArrayBuffer>);
    const { dir, plugins, run } = indexFolder(
      { "r.tar.gz": renamed },
      indexJson({ recon: { latest: "1.0.0", versions: { "1.0.0": { artifacts: { [HOST]: { url: "r.tar.gz", sha256: sha256(renamed), entry: "libRECON.so" } } } } } }),
    );
    const r = await run(["plugin", "install", "recon", "--index", dir]);
    expect(r.stderr).toBe("");
    expect(readdirSync(join(plugins, "recon")).sort()).toEqual(["librecon.so", "plugin.toml"]);
  });
});

/** Recomputes the ustar header checksum of the header starting at `at`. */
function fixChecksum(b: Buffer, at: number): Buffer {
  b.write("        ", at + 148);
  let sum = 0;
  for (let k = at; k < at + 512; k++) sum += b[k]!;
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", at + 148);
  return b;
}

describe("over http on loopback", () => {
  let server: ReturnType<typeof Bun.serve>;
  let base: string;
  const hits: string[] = [];
  beforeAll(() => {
    const files: Record<string, Uint8Array | string> = { ...FILES, "index.json": standardIndex(), "sub/index.json": standardIndex().replaceAll('"url": "', '"url": "../') };
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname.slice(1);
        hits.push(`${req.headers.get("user-agent")} ${path}`);
        if (path === "moved.tar.gz") return Response.redirect("/proto-1.tar.gz", 302);
        const body = files[path];
        return body === undefined ? new Response("no", { status: 404 }) : new Response(body);
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop(true));

  test("install by name from an http index: relative URLs resolve beside it", async () => {
    const { plugins, run } = indexFolder({}, "{}");
    const r = await run(["plugin", "install", "proto", "--index", `${base}/sub/index.json`]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      `resolving \`proto\` v2.0.0 for ${HOST} from the index…\ndownloading ${base}/proto-2.tar.gz…\n✓ installed \`proto\` v2.0.0 (protocol, native) into ${plugins}\n`,
    );
    expect(hits).toContain("loadr-plugin-installer proto-2.tar.gz");
  });

  test("an archive URL needs --allow-untrusted, follows redirects, reports HTTP errors", async () => {
    const { plugins, run } = indexFolder({}, "{}");
    expect((await run(["plugin", "install", `${base}/proto-1.tar.gz`])).stderr).toBe(
      "error: installing from a URL is not an official-index source; re-run with --allow-untrusted to proceed (sha256 is not pinned for this source)\n",
    );
    const ok = await run(["plugin", "install", `${base}/moved.tar.gz`, "--allow-untrusted"]);
    expect(ok.stdout).toBe(`downloading ${base}/moved.tar.gz…\n✓ installed \`proto\` v1.0.0 (protocol, native) into ${plugins}\n`);
    const missing = await run(["plugin", "install", `${base}/gone.tar.gz`, "--allow-untrusted"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: GET ${base}/gone.tar.gz returned 404\n`);
  });

  test("an unreachable index says so in one line", async () => {
    const { run } = indexFolder({}, "{}");
    const port = server.port;
    const r = await run(["plugin", "search", "x", "--index", `http://127.0.0.1:1/index.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("error: GET http://127.0.0.1:1/index.json failed:");
    expect(r.stderr).toContain("use a mirrored index");
    expect(port).toBeGreaterThan(0);
  });
});

describe("search and update", () => {
  test("search matches name or description, case-insensitively; json too", async () => {
    const { dir, run } = indexFolder(FILES, standardIndex());
    const r = await run(["plugin", "search", "boundary", "--index", dir]);
    expect(r.stdout).toBe(`${"NAME".padEnd(20)}${"KIND".padEnd(10)}${"LATEST".padEnd(10)}DESCRIPTION\n${"upper".padEnd(20)}${"extractor".padEnd(10)}${"0.3.0".padEnd(10)}Upper-cases a BOUNDARY match\n`);
    const j = JSON.parse((await run(["plugin", "search", "PRO", "--index", dir, "--format", "json"])).stdout);
    expect(j).toEqual([{ name: "proto", kind: "protocol", latest: "2.0.0", description: "A fixture wire protocol", versions: ["1.0.0", "2.0.0"] }]);
    expect((await run(["plugin", "search", "zzz", "--index", dir])).stdout).toBe("no plugins matching `zzz`\n");
  });

  test("update moves to latest, says up to date, skips what is not installed", async () => {
    const { dir, plugins, run } = indexFolder(FILES, standardIndex());
    await run(["plugin", "install", "proto", "--version", "1.0.0", "--index", dir]);
    await run(["plugin", "install", "upper", "--index", dir]);
    const r = await run(["plugin", "update", "--index", dir]);
    expect(r.stdout).toBe(
      [
        "updating `proto` v1.0.0 -> v2.0.0…",
        `resolving \`proto\` v2.0.0 for ${HOST} from the index…`,
        `✓ installed \`proto\` v2.0.0 (protocol, native) into ${plugins}`,
        "`upper` is up to date (v0.3.0)",
        "1 plugin(s) updated",
      ].join("\n") + "\n",
    );
    expect(r.code).toBe(0);
    const skip = await run(["plugin", "update", "ghost", "--index", dir]);
    expect(skip.stdout).toBe("! `ghost` is not installed; skipping\n0 plugin(s) updated\n");
  });
});
