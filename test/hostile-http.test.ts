/**
 * The hostile suite, HTTP side: dist/loadr against a server that attacks its client
 * (test/support/hostile-server.ts). Each attack is a named request of a plan, and each test
 * asserts every attack's outcome — its error_kind, and that the run stayed within its time and
 * memory (peak RSS, asserted generously: a loaded 2-core machine runs this suite).
 * docs/reliability.md "A hostile HTTP server" lists these bounds.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { scratch } from "./support/cli.ts";
import { type HostileServer, startHostileServer } from "./support/hostile-server.ts";
import { type MeasuredRun, measuredRun } from "./support/measured-run.ts";

setDefaultTimeout(90_000);

const MiB = 1024 * 1024;
let srv: HostileServer;
beforeAll(async () => {
  srv = await startHostileServer();
});
afterAll(() => srv.stop());

interface Attack {
  name: string;
  path: string;
  /** request options as YAML flow-map entries, e.g. `timeout: 1s` */
  with?: string;
}

/** A plan of one scenario whose `vus` each send every attack once, in order; `http`: the lines of defaults.http (`timeout: 10s`). */
function plan(attacks: Attack[], o: { vus?: number; http?: string } = {}): string {
  const vus = o.vus ?? 1;
  const steps = attacks
    .map((a) => `      - request: { name: ${a.name}, url: "${srv.url}${a.path}"${a.with ? `, ${a.with}` : ""} }`)
    .join("\n");
  return `
defaults:
  http:
${o.http ?? "    timeout: 10s"}
scenarios:
  s:
    executor: per-vu-iterations
    vus: ${vus}
    iterations: 1
    max_duration: 60s
    flow:
${steps}
`;
}

/** The error_kind each request of `name` ended with (`""` for none), counted. */
function kinds(r: MeasuredRun, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of r.series("http_reqs", { name })) {
    const k = s.tags.error_kind ?? "";
    out[k] = (out[k] ?? 0) + (s.agg.sum ?? 0);
  }
  return out;
}

/** The first message recorded for `kind` in the summary's failure table (metrics.md "Failures"). */
function firstMessage(r: MeasuredRun, kind: string): string {
  return r.stdout.split("\n").find((l) => l.includes(` ${kind}: `)) ?? "";
}

function expectCompleted(r: MeasuredRun): void {
  expect(r.stderr).not.toContain("Bun v"); // no crash banner
  expect(r.code).toBe(0);
  expect(r.summary).toBeDefined();
}

describe("bodies larger than max_body_size", () => {
  test("a 2 GiB Content-Length, an endless chunked body and an endless read-until-close body each fail as body_too_large, with 4 VUs in bounded memory", async () => {
    const r = await measuredRun(
      plan(
        [
          { name: "length", path: "/flood/length?gib=2" },
          { name: "chunked", path: "/flood/chunked" },
          { name: "close", path: "/flood/close", with: "max_body_size: 8MB" },
        ],
        // a timeout no loaded machine reaches before 64 MiB have arrived
        { vus: 4, http: "    timeout: 40s" },
      ),
    );
    expectCompleted(r);
    expect(kinds(r, "length")).toEqual({ body_too_large: 4 });
    expect(kinds(r, "chunked")).toEqual({ body_too_large: 4 });
    expect(kinds(r, "close")).toEqual({ body_too_large: 4 });
    expect(firstMessage(r, "body_too_large")).toContain("max_body_size");
    // the 2 GiB body is refused from its head: the connection is closed, not read to the end
    expect(r.sum("data_received", { name: "length" })).toBeLessThan(4 * 64 * MiB);
    // each VU keeps at most 64 MiB (8 MiB for `close`) before its request fails: 4 × 64 MiB and the
    // process itself (~150 MB); before the bound the chunked body alone grew by GBs until the timeout
    expect(r.maxRss).toBeLessThan(1024 * MiB);
  });

  test("with discard_response_bodies a 1 GiB body is read to its end and counted, not kept: no cap applies", async () => {
    const r = await measuredRun(plan([{ name: "big", path: "/flood/length?gib=1", with: "timeout: 60s, max_body_size: 1MB" }], { http: "    discard_response_bodies: true" }));
    expectCompleted(r);
    expect(kinds(r, "big")).toEqual({ "": 1 });
    expect(r.sum("http_reqs", { name: "big", status: "200" })).toBe(1);
    expect(r.sum("data_received", { name: "big" })).toBeGreaterThan(1024 * MiB);
    // keeping the body would take more than 1 GiB; reading it to the end peaks at ~100 MB
    // (every socket read is a buffer the GC frees later)
    expect(r.maxRss).toBeLessThan(400 * MiB);
  });
});

describe("compression bombs", () => {
  test("2 GiB of zeros in 2 MB of gzip (deflate, br): body_too_large at 64 MiB decoded, with 2 VUs in bounded time and memory", async () => {
    const r = await measuredRun(
      plan(
        [
          { name: "gzip", path: "/bomb/gzip?mib=2048" },
          { name: "deflate", path: "/bomb/deflate?mib=2048" },
          { name: "br", path: "/bomb/br?mib=2048" },
        ],
        { vus: 2, http: "    timeout: 30s" },
      ),
    );
    expectCompleted(r);
    for (const name of ["gzip", "deflate", "br"]) expect(kinds(r, name)).toEqual({ body_too_large: 2 });
    expect(firstMessage(r, "body_too_large")).toMatch(/decod/);
    // one 2 GiB gzip bomb decoded in full took 4.2 GB and 18 s (89 s on a loaded machine) before
    expect(r.elapsedMs).toBeLessThan(50_000);
    expect(r.maxRss).toBeLessThan(800 * MiB);
  });

  test("a bomb still decoding at the request timeout fails as a timeout then, and its time is the request's", async () => {
    // 8 GiB of zeros in ~100 KB of br: it arrives at once, and decoding it takes far longer than 1 s
    const r = await measuredRun(plan([{ name: "slow-bomb", path: "/bomb/br?mib=8192", with: "timeout: 1s, max_body_size: 16GB" }]));
    expectCompleted(r);
    expect(kinds(r, "slow-bomb")).toEqual({ timeout: 1 });
    // the decoding's time is counted (before, an 18 s decoding was recorded as a 200 in ~15 ms);
    // the connect is outside http_req_duration but inside the timeout
    const d = r.series("http_req_duration", { name: "slow-bomb" })[0]!;
    expect(d.agg.max!).toBeGreaterThanOrEqual(500);
    expect(d.agg.max!).toBeLessThan(4000);
    expect(r.series("http_req_receiving", { name: "slow-bomb" })[0]!.agg.max!).toBeGreaterThanOrEqual(300);
    expect(r.elapsedMs).toBeLessThan(30_000);
  });

  test("a bomb under the cap decodes whole: its decoding time counts in http_req_receiving", async () => {
    const r = await measuredRun(plan([{ name: "small-bomb", path: "/bomb/gzip?mib=8", with: "checks: [{ type: size, min: 8388608 }]" }]));
    expectCompleted(r);
    expect(kinds(r, "small-bomb")).toEqual({ "": 1 });
    expect(r.sum("checks", { name: "small-bomb" })).toBe(1);
    expect(r.series("http_req_receiving", { name: "small-bomb" })[0]!.agg.max!).toBeGreaterThan(0);
  });
});

describe("heads and framing", () => {
  test("a 100 KiB head in one write, endless header lines, endless 100 Continue heads, an endless chunk extension and endless trailers: a transport error each, well before the timeout", async () => {
    const r = await measuredRun(
      plan([
        { name: "huge-head", path: "/head/huge?kib=100" },
        { name: "header-flood", path: "/flood/headers" },
        { name: "interim-flood", path: "/flood/interim" },
        { name: "ext-flood", path: "/flood/chunk-ext" },
        { name: "trailer-flood", path: "/flood/trailers" },
        { name: "fine-head", path: "/head/huge?kib=60" },
      ]),
    );
    expectCompleted(r);
    for (const name of ["huge-head", "header-flood", "interim-flood", "ext-flood", "trailer-flood"]) expect(kinds(r, name)).toEqual({ transport: 1 });
    expect(kinds(r, "fine-head")).toEqual({ "": 1 });
    expect(r.stdout).toContain("header section too large");
    // each fails at 64 KiB of head or framing, not at the 10 s timeout
    expect(r.elapsedMs).toBeLessThan(25_000);
    for (const name of ["interim-flood", "ext-flood", "trailer-flood"]) expect(r.series("http_req_duration", { name })[0]!.agg.max!).toBeLessThan(5000);
    expect(r.maxRss).toBeLessThan(600 * MiB);
  });
});

describe("resets, drips and lies", () => {
  test("each ends with its error kind, within its timeout, and the requests after it are served", async () => {
    const r = await measuredRun(
      plan([
        { name: "reset", path: "/reset" },
        { name: "reset-mid", path: "/reset-mid" },
        { name: "drip", path: "/drip?ms=50", with: "timeout: 1s" },
        { name: "longer", path: "/lie/longer" },
        { name: "longer-hang", path: "/lie/longer-hang", with: "timeout: 1s" },
        { name: "shorter", path: "/lie/shorter", with: "checks: [{ type: body_contains, value: ok }]" },
        { name: "after", path: "/ok", with: "checks: [{ type: body_contains, value: ok }]" },
      ]),
    );
    expectCompleted(r);
    expect(kinds(r, "reset")).toEqual({ connection_reset: 1 });
    expect(kinds(r, "reset-mid")).toEqual({ connection_reset: 1 });
    expect(kinds(r, "drip")).toEqual({ timeout: 1 });
    expect(kinds(r, "longer")).toEqual({ connection_reset: 1 });
    expect(kinds(r, "longer-hang")).toEqual({ timeout: 1 });
    // the body is what Content-Length says; the bytes after it end that connection, not the next response
    expect(kinds(r, "shorter")).toEqual({ "": 1 });
    expect(r.sum("checks", { name: "shorter" })).toBe(1);
    expect(kinds(r, "after")).toEqual({ "": 1 });
    expect(r.sum("checks", { name: "after" })).toBe(1);
    expect(r.series("http_req_duration", { name: "drip" })[0]!.agg.max!).toBeLessThan(3000);
    expect(r.elapsedMs).toBeLessThan(30_000);
  });
});

describe("cookie storms", () => {
  test("a server adding 500 cookies per response: the jar stops at 180 per domain, so the Cookie header stops growing", async () => {
    const r = await measuredRun(`
defaults: { http: { timeout: 10s } }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 40
    flow: [{ request: { name: storm, url: "${srv.url}/cookies/storm?n=500" } }]
`);
    expectCompleted(r);
    expect(kinds(r, "storm")).toEqual({ "": 40 });
    // 180 cookies of `cN=vvvvvvvvvvvvvvvv` are under 5 KB of Cookie header; before the bound the
    // 40th request carried 20,000 cookies (500 KB) and the run sent ~10 MB
    expect(r.sum("data_sent", { name: "storm" })).toBeLessThan(40 * 6000);
  });
});

describe("open files", () => {
  test("sockets past the open-file limit fail as too_many_open_files; the run goes on and writes its summary", async () => {
    // 3 VUs × 80 parallel branches, each holding a connection for 1.5 s, under a limit of 200
    const branches = Array.from({ length: 80 }, () => `[{ request: { name: slow, url: "${srv.url}/slow?ms=1500" } }]`).join(", ");
    const r = await measuredRun(
      `
defaults: { http: { timeout: 10s } }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 3
    iterations: 1
    flow:
      - parallel: { branches: [${branches}] }
      - request: { name: after, url: "${srv.url}/ok" }
`,
      { shellPrefix: "ulimit -n 200" },
    );
    expectCompleted(r);
    const k = kinds(r, "slow");
    expect(k.too_many_open_files).toBeGreaterThan(0);
    expect(k[""]).toBeGreaterThan(0);
    expect((k.too_many_open_files ?? 0) + (k[""] ?? 0)).toBe(240);
    expect(kinds(r, "after")).toEqual({ "": 3 });
    expect(firstMessage(r, "too_many_open_files")).toContain("ulimit -n");
  });
});

describe("DNS", () => {
  test("a resolver that never answers is bounded by the request timeout", async () => {
    // In a user, mount and network namespace of its own, loadr's /etc/resolv.conf names a
    // nameserver on its loopback that reads queries and never answers (retrying for minutes).
    const dir = scratch();
    writeFileSync(join(dir, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n");
    const silent = join(dir, "silent-dns.ts");
    writeFileSync(
      silent,
      `const ppid = process.ppid;
await Bun.udpSocket({ hostname: "127.0.0.1", port: 53, socket: { data() {} } });
setInterval(() => { if (process.ppid !== ppid) process.exit(0); }, 200);
`,
    );
    const r = await measuredRun(
      `
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 4
    flow: [{ request: { name: hang, url: "http://never.answers.test/", timeout: 1s } }]
`,
      {
        wrap: ["unshare", "-rmn"],
        shellPrefix: `ip link set lo up && mount --bind ${join(dir, "resolv.conf")} /etc/resolv.conf && { ${process.execPath} ${silent} >/dev/null 2>&1 & } && sleep 0.5`,
      },
    );
    expectCompleted(r);
    expect(kinds(r, "hang")).toEqual({ timeout: 4 });
    // the whole second went by before a connection was opened: it is the request's blocked time
    expect(r.series("http_req_blocked", { name: "hang" })[0]!.agg.max!).toBeLessThan(3000);
    expect(r.elapsedMs).toBeLessThan(20_000);
  });
});
