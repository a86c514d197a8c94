/** Bad input gets one clear line (where, what, what to do) and exit 1 — never a stack trace. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { loadr, scratch } from "./support/cli.ts";

// These tests start the binary, servers and whole runs: a loaded 2-core CI box needs more than 5 s.
setDefaultTimeout(30_000);

const noTrace = (s: string) => {
  expect(s).not.toMatch(/^\s+at /m);
  expect(s).not.toContain("internal error");
};

const cases: [string, string, RegExp][] = [
  ["malformed YAML", "scenarios: [unclosed\n", /YAML syntax error/],
  [
    "an unknown key, with its line, column and a did-you-mean",
    "scenarios:\n  s:\n    executor: constant-vus\n    vus: 1\n    duratoin: 1s\n    flow: [{ request: { url: 'http://127.0.0.1:1/' } }]\n",
    /line 5, column 5.*duratoin.*did you mean `duration`/,
  ],
  [
    "a wrong type",
    "scenarios:\n  s:\n    executor: constant-vus\n    vus: many\n    duration: 1s\n    flow: [{ request: { url: 'http://127.0.0.1:1/' } }]\n",
    /line 4.*scenarios\.s\.vus/,
  ],
  [
    "a bad duration",
    "scenarios:\n  s:\n    executor: constant-vus\n    vus: 1\n    duration: 5 parsecs\n    flow: [{ request: { url: 'http://127.0.0.1:1/' } }]\n",
    /invalid duration `5 parsecs`/,
  ],
  [
    "a bad threshold",
    "scenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow: [{ request: { url: 'http://127.0.0.1:1/' } }]\nthresholds:\n  http_req_duration: ['p95 < 1']\n",
    /unknown aggregation `p95`/,
  ],
  [
    "an executor missing a required key",
    "scenarios:\n  s:\n    executor: constant-vus\n    duration: 1s\n    flow: [{ request: { url: 'http://127.0.0.1:1/' } }]\n",
    /`constant-vus` requires `vus`/,
  ],
];

describe("bad plans", () => {
  for (const [what, yaml, expected] of cases) {
    test(`${what}: exit 1 with a located diagnostic`, async () => {
      const dir = scratch({ "plan.yaml": yaml });
      const r = await loadr(["run", "plan.yaml"], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).toContain("error: test definition is invalid");
      noTrace(r.stderr);
    });
  }

  test("a missing plan file", async () => {
    const r = await loadr(["run", "/nonexistent/plan.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/nonexistent/plan.yaml");
    noTrace(r.stderr);
  });

  test("a plan with 10 errors reports all 10", async () => {
    const scenarios = Array.from({ length: 10 }, (_, i) => `  s${i}:\n    executor: constant-vus\n    duration: 1s\n    flow: [{ request: { url: '/x' } }]\n`).join("");
    const dir = scratch({ "plan.yaml": `scenarios:\n${scenarios}` });
    const r = await loadr(["validate", "plan.yaml", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    const diags = JSON.parse(r.stdout) as { severity: string; line: number; path: string }[];
    const errors = diags.filter((d) => d.severity === "error");
    expect(errors.length).toBe(10);
    expect(new Set(errors.map((d) => d.line)).size).toBe(10);
  });

  test("unknown flags and commands are one line with what to do", async () => {
    const a = await loadr(["run", "--vuz", "3", "x.yaml"]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^error: .*--vuz.*loadr run --help/m);
    const b = await loadr(["valdate"]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("did you mean `validate`");
  });

  test("--duration that no scenario can take is refused (a multi-scenario plan takes --vus on each)", async () => {
    const dir = scratch({
      "plan.yaml": "scenarios:\n  a: { executor: per-vu-iterations, vus: 1, iterations: 1, flow: [{ request: { url: 'http://127.0.0.1:1/' } }] }\n  b: { executor: per-vu-iterations, vus: 1, iterations: 1, flow: [{ request: { url: 'http://127.0.0.1:1/' } }] }\n",
    });
    const r = await loadr(["run", "plan.yaml", "--duration", "3s"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: --duration applies to no scenario of this plan (`a` is per-vu-iterations, `b` is per-vu-iterations; only constant-vus, constant-arrival-rate, externally-controlled have `duration`)");
  });
});

describe("requests that fail before any I/O", () => {
  // An invalid URL (port out of range) fails at once, without touching the network: the VU loop
  // then only runs microtasks, and before the fix no timer (the scenario's deadline) could ever fire.
  test("a 1 s run against an invalid URL ends on time and counts every failure", async () => {
    const dir = scratch({
      "plan.yaml": "scenarios:\n  s:\n    executor: constant-vus\n    vus: 2\n    duration: 1s\n    flow: [{ request: { url: 'http://127.0.0.1:99999/' } }]\n",
    });
    const t0 = performance.now();
    const r = await loadr(["run", `${dir}/plan.yaml`, "--workers", "1", "--summary-export", `${dir}/s.json`], { timeoutMs: 20_000 });
    expect(performance.now() - t0).toBeLessThan(15_000);
    noTrace(r.stderr);
    const s = JSON.parse(await Bun.file(`${dir}/s.json`).text());
    const metric = (name: string) => s.metrics.find((m: { metric: string }) => m.metric === name).agg;
    expect(metric("http_req_failed").rate).toBe(1);
    expect(metric("iterations").count).toBeGreaterThan(100);
  });
});
