/**
 * `loadr run` in CI, through dist/loadr with stderr not a terminal: the banner, periodic progress
 * lines and the verdict; `--summary-export -`; command-line overrides and LOADR_* variables;
 * `-e KEY=VALUE` explained; `--env-var`; `--http-debug`; `loadr completions`.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { ECHO_HEADER } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

const plan = (scenario: string, extra = "") => `name: ci
${ECHO_HEADER}
${extra}
scenarios:
${scenario}`;

const ITERATIONS = `  s:
    executor: shared-iterations
    vus: 2
    iterations: 6
    flow:
      - request: {url: /json}
`;

describe("a run's log without a terminal", () => {
  test("the banner, a progress line per --progress-interval, the summary, then the verdict last", async () => {
    const dir = scratch({
      "plan.yaml": plan(`  s:
    executor: constant-vus
    vus: 2
    duration: 3500ms
    flow:
      - request: {url: /json}
      - think_time: {type: constant, duration: 20ms}
`, `thresholds:\n  http_req_failed: ["rate < 0.01"]`),
    });
    const r = await loadr(["run", "plan.yaml", "--progress-interval", "1s", "-o", "json=out.ndjson"], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      expect.stringMatching(/^loadr \d+\.\d+\.\d+ — ci \(plan\.yaml\)$/),
      "  scenarios: 1 scenario, up to 2 VUs, at most 33.5s (graceful stops included)",
      "    * s: 2 looping VUs for 3.5s (constant-vus)",
      "  outputs:   json (out.ndjson)",
    ]);
    const progress = lines.filter((l) => l.startsWith("  running "));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(4);
    for (const l of progress) expect(l).toMatch(/^ {2}running 00:00:0\d {2}vus +\d {2}rps +[\d.]+ {2}p95 +\S+ {2}failed 0$/);
    expect(r.stderr).not.toContain("\r");
    expect(lines.at(-1)).toMatch(/^✓ PASSED — 1 of 1 thresholds passed; [\d,]+ requests, 0 failed, 3\.\ds \(exit code 0\)$/);
    expect(r.stdout).toContain("✓ http_req_failed: rate < 0.01");
  });

  test("a failing threshold's verdict names it and the exit code; -q prints none of it", async () => {
    const dir = scratch({ "plan.yaml": plan(ITERATIONS, `thresholds:\n  http_reqs: ["count > 100"]`) });
    const r = await loadr(["run", "plan.yaml"], { cwd: dir });
    expect(r.code).toBe(99);
    expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/^✗ THRESHOLDS FAILED — 1 of 1 thresholds failed: http_reqs count > 100 \(observed 6\); 6 requests, 0 failed, [\d.]+s \(exit code 99\)$/);
    const q = await loadr(["run", "plan.yaml", "-q"], { cwd: dir });
    expect(q.code).toBe(99);
    expect(q.stderr).toBe("");
  });

  test("--summary-export - writes the summary JSON to stdout and the console summary to stderr", async () => {
    const dir = scratch({ "plan.yaml": plan(ITERATIONS) });
    const r = await loadr(["run", "plan.yaml", "--summary-export", "-"], { cwd: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.schema_version).toBe(2);
    expect(summary.metrics.find((m: { metric: string }) => m.metric === "http_reqs").agg.sum).toBe(6);
    expect(r.stderr).toContain("http_reqs.....");
    expect(r.stderr).toContain("✓ summary written to stdout");
    expect(require("node:fs").existsSync(join(dir, "-"))).toBe(false);
  });
});

describe("overrides and variables", () => {
  const TWO = `  ramp:
    executor: ramping-vus
    stages: [{duration: 300ms, target: 1}]
    flow:
      - request: {url: /json}
      - think_time: {type: constant, duration: 50ms}
${ITERATIONS}`;

  test("-u/-i apply to the scenarios that have the field, one line for the others; exit 1 when none can", async () => {
    const dir = scratch({ "plan.yaml": plan(TWO) });
    const r = await loadr(["run", "plan.yaml", "-u", "3", "-i", "9", "--summary-export", "s.json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: --vus, --iterations do not apply to scenario `ramp` (ramping-vus: its VUs and length come from `stages`)");
    expect(r.stderr).toContain("* s: 9 iterations shared among 3 VUs");
    const s = JSON.parse(require("node:fs").readFileSync(join(dir, "s.json"), "utf8"));
    expect(s.breakdown.scenarios.rows.find((x: { key: string }) => x.key === "s").requests).toBe(9);
    const none = await loadr(["run", "plan.yaml", "-d", "5s", "--tags", "nothing"], { cwd: dir });
    expect(none.code).toBe(1);
    const only = scratch({ "plan.yaml": plan(ITERATIONS) });
    const bad = await loadr(["run", "plan.yaml", "-d", "5s"], { cwd: only });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: --duration applies to no scenario of this plan (`s` is shared-iterations; only constant-vus, constant-arrival-rate, externally-controlled have `duration`)");
  });

  test("LOADR_ITERATIONS and LOADR_SUMMARY_EXPORT stand for their flags; a flag wins over its variable", async () => {
    const dir = scratch({ "plan.yaml": plan(ITERATIONS) });
    const env = { LOADR_ITERATIONS: "4", LOADR_SUMMARY_EXPORT: "env.json" };
    const r = await loadr(["run", "plan.yaml", "-q"], { cwd: dir, env });
    expect(r.code).toBe(0);
    const s = JSON.parse(require("node:fs").readFileSync(join(dir, "env.json"), "utf8"));
    expect(s.metrics.find((m: { metric: string }) => m.metric === "http_reqs").agg.sum).toBe(4);
    const flag = await loadr(["run", "plan.yaml", "-q", "-i", "2", "--summary-export", "flag.json"], { cwd: dir, env });
    expect(JSON.parse(require("node:fs").readFileSync(join(dir, "flag.json"), "utf8")).metrics.find((m: { metric: string }) => m.metric === "http_reqs").agg.sum).toBe(2);
    const bad = await loadr(["run", "plan.yaml"], { cwd: dir, env: { LOADR_WORKERS: "many" } });
    expect(bad.stderr.trim()).toBe("error: LOADR_WORKERS must be a whole number ≥ 1, got `many`");
  });

  test("-e KEY=VALUE is explained; --env-var sets ${env.KEY} over the process environment", async () => {
    const dir = scratch({
      "plan.yaml": plan(`  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: "/echo?who=\${env.WHO}"
          checks: [{type: body_contains, value: "\\"who\\":\\"flag\\""}]
`),
    });
    const e = await loadr(["run", "plan.yaml", "-e", "WHO=flag"], { cwd: dir });
    expect(e.code).toBe(1);
    expect(e.stderr.trim()).toBe(
      "error: `-e WHO=flag`: loadr's -e/--env selects an environment of the plan (its `env.<name>` overlay), it does not set a variable; to set `${env.WHO}` use --env-var WHO=flag",
    );
    const r = await loadr(["run", "plan.yaml", "-q", "--env-var", "WHO=flag"], { cwd: dir, env: { WHO: "process" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ body contains "\\"who\\":\\"flag\\"" (1 / 1)');
  });
});

describe("--http-debug", () => {
  const dir = () =>
    scratch({
      "plan.yaml": plan(`  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: {name: hello, url: /echo, method: POST, headers: {X-Probe: yes}, body: "ping-body"}
`),
    });

  test("prints each request and response head; =full adds the bodies; without it nothing", async () => {
    const d = dir();
    const heads = await loadr(["run", "plan.yaml", "-q", "--http-debug"], { cwd: d });
    expect(heads.code).toBe(0);
    expect(heads.stderr).toMatch(/^http-debug: request `hello` \(http\)\n> POST http:\/\/127\.0\.0\.1:\d+\/echo\n> X-Probe: yes\n< HTTP\/1\.1 200 OK — [\d.]+ms\n< Content-Type: application\/json\n/);
    expect(heads.stderr).not.toContain("ping-body");
    const full = await loadr(["run", "plan.yaml", "-q", "--http-debug=full"], { cwd: d });
    expect(full.stderr).toContain("> ping-body\n");
    expect(full.stderr).toContain('"body":"ping-body"');
    const off = await loadr(["run", "plan.yaml", "-q"], { cwd: d });
    expect(off.stderr).toBe("");
    const bad = await loadr(["run", "plan.yaml", "--http-debug=bodies"], { cwd: d });
    expect(bad.stderr.trim()).toBe("error: --http-debug must be headers (the default) or full, got `bodies`");
  });
});

describe("loadr completions", () => {
  test("bash parses the script, which lists the commands and every run flag", async () => {
    const r = await loadr(["completions", "bash"]);
    expect(r.code).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), "loadr-compl-")), "loadr.bash");
    writeFileSync(file, r.stdout);
    const check = Bun.spawnSync(["bash", "-n", file]);
    expect(check.stderr.toString()).toBe("");
    expect(check.exitCode).toBe(0);
    expect(r.stdout).toContain("'run aggregate k8s validate echo report schema plugin completions version status pause resume stop scale --help --version'");
    const { OPTIONS } = await import("../src/cli/run.ts");
    const { AGGREGATE_OPTIONS, PART_OPTIONS } = await import("../src/cli/scale-out-flags.ts");
    const runLine = r.stdout.split("\n").find((l) => l.trim().startsWith("run)"))!;
    // run parses the aggregator's own flags and the reference's --controller only to refuse them
    // with where to go instead: they are not offered
    const refused = [...Object.keys(AGGREGATE_OPTIONS).filter((f) => !(f in PART_OPTIONS)), "controller"];
    expect(refused).toContain("parts");
    for (const flag of Object.keys(OPTIONS)) {
      if (refused.includes(flag)) expect(runLine).not.toContain(`--${flag} `);
      else expect(runLine).toContain(`--${flag} `);
    }
    // and a shell really completes from it
    const complete = Bun.spawnSync(["bash", "-c", `source ${file}; COMP_WORDS=(loadr run --ui-l); COMP_CWORD=2; _loadr; echo "\${COMPREPLY[@]}"`]);
    expect(complete.stdout.toString().trim()).toBe("--ui-linger");
  });

  test("zsh and fish scripts name the commands and flags; an unknown shell is one error line", async () => {
    const zsh = await loadr(["completions", "zsh"]);
    expect(zsh.stdout).toStartWith("#compdef loadr\n");
    expect(zsh.stdout).toContain("'run:run a test plan'");
    expect(zsh.stdout).toContain("--progress-interval");
    const fish = await loadr(["completions", "fish"]);
    expect(fish.stdout).toContain("complete -c loadr -n '__fish_seen_subcommand_from run' -l vus -s u -r");
    const bad = await loadr(["completions", "tcsh"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: completions: name one shell: bash, zsh, fish (e.g. `loadr completions bash`)");
  });
});
