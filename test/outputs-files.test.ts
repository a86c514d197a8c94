/** json and csv outputs, `--output` / `outputs:` wiring, and `loadr report`, through dist/loadr. */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";

setDefaultTimeout(60_000);

const PLAN = (extra = "", duration = "2s") => `
name: files
plugins: [{ name: echo }]
${extra}
scenarios:
  s:
    executor: constant-vus
    vus: 2
    duration: ${duration}
    flow:
      - request:
          name: home
          url: \${services.echo.url}/
          checks: [{ type: status, equals: 200 }]
      - think_time: { type: constant, duration: 10ms }
`;

describe("json and csv outputs", () => {
  test("json: a point per sample, a snapshot per second, the summary last; csv: a row per sample", async () => {
    const dir = scratch({ "plan.yaml": PLAN() });
    // two workers: each names metrics and tag sets by its own ids, which must not get mixed up
    const r = await loadr(["run", "plan.yaml", "-q", "--workers", "2", "--output", "json=out/r.ndjson", "-o", "csv=out/r.csv", "--summary-export", "s.json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    const reqs = summary.metrics.find((m: any) => m.metric === "http_reqs").agg.sum;
    const lines = readFileSync(join(dir, "out/r.ndjson"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    const points = lines.filter((l) => l.type === "point");
    expect(points.filter((p) => p.metric === "http_reqs").length).toBe(reqs);
    const p = points.find((x) => x.metric === "http_req_duration");
    expect(Object.keys(p)).toEqual(["type", "metric", "kind", "value", "tags", "time_ms"]);
    expect(p.kind).toBe("trend");
    expect(Object.keys(p.tags)).toEqual([...Object.keys(p.tags)].sort());
    expect(p.tags).toMatchObject({ name: "home", method: "GET", status: "200" });
    expect(points.find((x) => x.metric === "http_req_failed").value).toBe(0);
    // every point carries its own metric's tags, and the points add up to the summary
    for (const x of points) {
      if (x.metric.startsWith("http_") || x.metric.startsWith("data_")) expect(x.tags).toEqual({ method: "GET", name: "home", proto: "http", scenario: "s", status: "200" });
      else if (x.metric.startsWith("iteration")) expect(x.tags).toEqual({ scenario: "s" });
      else expect(x.metric).toBe("checks");
    }
    const sum = (metric: string) => points.filter((x) => x.metric === metric).reduce((n, x) => n + x.value, 0);
    const agg = (metric: string) => summary.metrics.find((m: any) => m.metric === metric).agg;
    expect(sum("data_received")).toBe(agg("data_received").sum);
    expect(points.filter((x) => x.metric === "iterations").length).toBe(agg("iterations").sum);
    const durations = agg("http_req_duration");
    expect(sum("http_req_duration")).toBeCloseTo(durations.avg * durations.count, 2);
    const snaps = lines.filter((l) => l.type === "snapshot");
    expect(snaps.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(snaps[0])).toEqual(["type", "time_ms", "elapsed_secs", "interval_secs", "series"]);
    const trend = snaps[snaps.length - 1].series.find((s: any) => s.kind === "trend");
    expect(trend.agg.rate).toBeUndefined(); // null fields removed
    const last = lines[lines.length - 1];
    expect(last.type).toBe("summary");
    const { type: _t, ...rest } = last;
    expect(rest).toEqual(summary);

    const csv = readFileSync(join(dir, "out/r.csv"), "utf8").trimEnd().split("\n");
    expect(csv[0]).toBe("timestamp_ms,metric,kind,value,tags");
    const rows = csv.slice(1).filter((l) => l.split(",")[1] === "http_reqs");
    expect(rows.length).toBe(reqs);
    expect(rows[0]).toMatch(/^\d{13},http_reqs,counter,1,method=GET;name=home;proto=http;scenario=s;status=200$/);
  });

  test("`outputs:` values expand ${env.X}; an unset variable is one clear line", async () => {
    const dir = scratch({ "plan.yaml": PLAN(`outputs: [{ type: json, path: "\${env.OUT_DIR}/x.ndjson" }]`, "1s") });
    const ok = await loadr(["run", "plan.yaml", "-q"], { cwd: dir, env: { OUT_DIR: join(dir, "from-env") } });
    expect(ok.code).toBe(0);
    expect(existsSync(join(dir, "from-env/x.ndjson"))).toBe(true);
    const bad = await loadr(["run", "plan.yaml", "-q"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: outputs[0].path: environment variable OUT_DIR is not set (set it, or write the value in the plan)");
  });

  test("bad --output specs and unwritable paths are one clear line each, before any load", async () => {
    const dir = scratch({ "plan.yaml": PLAN("", "1s") });
    const cases: [string, string][] = [
      ["nonsense", "error: invalid --output `nonsense`; expected kind=value"],
      ["kafka=x", "error: unknown output kind `kafka` (json, csv, prometheus, influxdb, statsd, otlp)"],
      ["influxdb=http://127.0.0.1:1", "error: influxdb output needs url,database (e.g. --output influxdb=http://127.0.0.1:8086,loadr)"],
      ["json=/proc/loadr-nope/r.ndjson", "error: json output: cannot write /proc/loadr-nope/r.ndjson (ENOENT): choose a writable path"],
      ["otlp=ftp://127.0.0.1:1/v1/metrics", "error: otlp output: otlp endpoint: `ftp://127.0.0.1:1` must be an http:// or https:// URL"],
    ];
    for (const [flag, line] of cases) {
      const r = await loadr(["run", "plan.yaml", "-q", "--output", flag], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(line);
      expect(r.stdout).toBe("");
    }
  });

  test("when a later output fails to start, the ones already started are released and loadr exits", async () => {
    const dir = scratch({ "plan.yaml": PLAN("", "1s") });
    const r = await loadr(["run", "plan.yaml", "-q", "-o", "prometheus=127.0.0.1:0", "-o", "statsd=127.0.0.1:9", "-o", "json=/proc/loadr-nope/r.ndjson"], { cwd: dir, timeoutMs: 15_000 });
    expect(r.stderr.trim()).toBe("error: json output: cannot write /proc/loadr-nope/r.ndjson (ENOENT): choose a writable path");
    expect(r.code).toBe(1); // not killed by the timeout: nothing kept the process alive
  });
});

describe("HTML report", () => {
  test("`run --report` writes a self-contained report, also for an aborted run (exit 99)", async () => {
    const dir = scratch({
      "plan.yaml": PLAN(`thresholds:\n  http_req_duration: [{ threshold: "p(95)<0.000001", abort_on_fail: true }]`, "20s"),
    });
    const r = await loadr(["run", "plan.yaml", "-q", "--report", "out/report.html"], { cwd: dir });
    expect(r.code).toBe(99);
    const html = readFileSync(join(dir, "out/report.html"), "utf8");
    expect(html).toContain("<title>loadr report — files</title>");
    expect(html).toContain(">ABORTED threshold crossed (abort_on_fail)</span>");
    expect(html).toContain("✗ failed");
    // self-contained: no external scripts, styles, images or fetches
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  test("`loadr report` renders a summary export (html and junit) and the json output's NDJSON", async () => {
    const dir = scratch({ "plan.yaml": PLAN("thresholds: { http_req_duration: [\"p(95)<5000\"] }", "1s") });
    const r = await loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json", "-o", "json=r.ndjson"], { cwd: dir });
    expect(r.code).toBe(0);
    const html = await loadr(["report", "s.json"], { cwd: dir });
    expect(html.code).toBe(0);
    expect(html.stderr.trim()).toBe("✓ wrote loadr-report.html");
    const page = readFileSync(join(dir, "loadr-report.html"), "utf8");
    for (const s of [">PASSED</span>", "<h2>Thresholds</h2>", "<h2>Checks</h2>", "<h2>Latency</h2>", "<h2>Over time</h2>", "status is 200", "http_req_duration"])
      expect(page).toContain(s);
    const fromNdjson = await loadr(["report", "r.ndjson", "-o", "b.html"], { cwd: dir });
    expect(fromNdjson.code).toBe(0);
    expect(readFileSync(join(dir, "b.html"), "utf8")).toContain(">PASSED</span>");
    const junit = await loadr(["report", "s.json", "--format", "junit", "-o", "j.xml"], { cwd: dir });
    expect(junit.code).toBe(0);
    expect(readFileSync(join(dir, "j.xml"), "utf8")).toContain('<testsuites name="loadr: files"');
  });

  test("a file that is not a loadr summary is one clear line", async () => {
    const dir = scratch({ "x.json": '{"hello": 1}', "t.txt": "not json at all" });
    writeFileSync(join(dir, "arr.json"), "[1,2]");
    const cases: [string, string][] = [
      ["x.json", "error: x.json is not a loadr summary export: `run_id` is missing (write one with `loadr run --summary-export`)"],
      ["arr.json", "error: arr.json is not a loadr summary export: expected a JSON object"],
      ["missing.json", "error: cannot read missing.json (no such file): give the path of a summary export"],
    ];
    for (const [file, line] of cases) {
      const r = await loadr(["report", file], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(line);
    }
    const t = await loadr(["report", "t.txt"], { cwd: dir });
    expect(t.code).toBe(1);
    expect(t.stderr.trim()).toStartWith("error: t.txt is not a loadr summary export: not JSON (");
    expect(t.stderr.trim().split("\n").length).toBe(1);
  });
});

describe("slow outputs never hold up the load", () => {
  test("a json output that cannot keep up drops raw points (counted), while the summary stays complete", async () => {
    // the target runs in this process (loadr's own echo service would share the blocked main
    // thread), and counts what it served: the test's clock is the load's progress, not seconds
    let served = 0;
    const target = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (served++, new Response("ok")) });
    const dir = scratch({
      "plan.yaml": `
scenarios:
  s:
    executor: shared-iterations
    vus: 2
    iterations: 3000
    max_duration: 50s
    flow:
      - request: { name: home, url: "http://127.0.0.1:${target.port}/" }
      # ~400 raw points an iteration: the 32 batches of 8192 the outputs may fall behind by
      # (src/metrics/sample-slots.ts) fill within ~650 of the 3000 iterations, at any speed
      - js: "for (let i = 0; i < 400; i++) session.counterAdd('filler', 1)"
`,
    });
    const fifo = join(dir, "slow.fifo");
    const go = join(dir, "go");
    Bun.spawnSync(["mkfifo", fifo]);
    // a reader that opens the pipe, then reads nothing until told: loadr's writes block once 64 KiB are queued
    const reader = Bun.spawn(["sh", "-c", `exec 3<"${fifo}"; while [ ! -e "${go}" ]; do sleep 0.05; done; cat <&3 > "${join(dir, "points.ndjson")}"`]);
    const run = loadr(["run", "plan.yaml", "-q", "--workers", "1", "-o", `json=${fifo}`, "--summary-export", "s.json"], { cwd: dir });
    // the pipe is read once every request was served, or after 40 s: VUs that waited for the
    // output would never get there
    const deadline = Date.now() + 40_000;
    while (served < 3000 && Date.now() < deadline) await Bun.sleep(20);
    const servedUnread = served;
    writeFileSync(go, "");
    const r = await run;
    await reader.exited;
    target.stop(true);
    expect(r.code).toBe(0);
    // the VUs never waited: all 3000 iterations ran while the pipe held a few hundred points
    expect(servedUnread).toBe(3000);
    const m = /warning: outputs fell behind: (\d+) raw point\(s\) were dropped \(the summary and thresholds are complete\)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const dropped = Number(m![1]);
    const summary = JSON.parse(readFileSync(join(dir, "s.json"), "utf8"));
    const reqs = summary.metrics.find((x: any) => x.metric === "http_reqs").agg.sum;
    const lines = readFileSync(join(dir, "points.ndjson"), "utf8").trimEnd().split("\n");
    const written = lines.filter((l) => l.includes('"metric":"http_reqs"') && l.startsWith('{"type":"point"')).length;
    expect(dropped).toBeGreaterThan(0);
    expect(reqs).toBe(3000); // the summary counts every request...
    expect(written).toBeLessThan(reqs); // ...though some raw points were dropped...
    expect(JSON.parse(lines[lines.length - 1]!).type).toBe("summary"); // ...and the file still ends with the full summary
    expect(JSON.parse(lines[lines.length - 1]!).metrics).toEqual(summary.metrics);
  });
});
