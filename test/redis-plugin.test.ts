/**
 * The redis protocol plugin (plugins/examples/redis) against a real redis-server: commands as
 * argv and as body text, RESP error replies (status 1, not failed), reply types and values in
 * extras, the metric family, the pool under concurrent VUs, an unreachable target failing as a
 * transport error — and examples/redis.yaml as shipped.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadr, scratch } from "./support/cli.ts";
import { DIST_PLUGINS, metric, ROOT, type SummaryLike } from "./support/native.ts";
import { redisTarget, type RedisTarget } from "./support/redis.ts";

setDefaultTimeout(60_000);

let redis: RedisTarget | undefined;
beforeAll(async () => {
  redis = await redisTarget();
});
afterAll(() => redis?.stop());

const LIB = join(DIST_PLUGINS, "redis/libloadr_redis.so");

async function run(plan: string, args: string[] = []) {
  const d = scratch({ "plan.yaml": plan });
  const r = await loadr(["run", "plan.yaml", "-q", "--summary-export", "s.json", ...args], { cwd: d, env: { LOADR_PLUGINS_DIR: DIST_PLUGINS } });
  let summary: SummaryLike | undefined;
  try {
    summary = JSON.parse(readFileSync(join(d, "s.json"), "utf8"));
  } catch {}
  return { ...r, summary };
}

describe.if(process.env.CI === "true" || Bun.which("redis-server") !== null || !!process.env.LOADR_TEST_REDIS_URL)("redis plugin", () => {
  test("SET/GET/INCR, body commands, error replies and extras", async () => {
    const url = redis!.url;
    const r = await run(`
plugins:
  - { name: redis, path: ${LIB} }
scenarios:
  s:
    executor: shared-iterations
    vus: 8
    iterations: 400
    flow:
      - request:
          name: set
          url: "${url}"
          plugin: { command: ["SET", "key:\${vu}", "value-\${iteration}"] }
          checks:
            - { name: set ok, type: status, equals: 0 }
            - { name: set status, type: jsonpath, source: extras, expression: "$.reply_type", equals: "status" }
      - request:
          name: get
          url: "${url}"
          body: "GET key:\${vu}"
          checks:
            - { name: get value, type: body_matches, pattern: "^value-[0-9]+$" }
            - { name: get type, type: jsonpath, source: extras, expression: "$.reply_type", equals: "string" }
      - request:
          name: incr
          url: "${url}"
          plugin: { command: ["INCR", "counter:test"] }
          checks:
            - { name: incr int, type: jsonpath, source: extras, expression: "$.reply_type", equals: "integer" }
      - request:
          name: missing
          url: "${url}"
          plugin: { command: ["GET", "no-such-key"] }
          checks:
            - { name: nil, type: jsonpath, source: extras, expression: "$.reply_type", equals: "nil" }
      - request:
          name: wrong
          url: "${url}"
          plugin: { command: ["NOSUCHCOMMAND"] }
          checks:
            - { name: resp error is status 1, type: status, equals: 1 }
`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = r.summary!;
    // every failing check at once (with the request errors), so a rare failure says what it was
    expect({ failing: s.checks.filter((c: { fails: number }) => c.fails > 0), errors: s.metrics.filter((m: { metric: string }) => m.metric === "redis_reqs_failed" || m.metric === "http_req_failed") }).toMatchObject({ failing: [] });
    expect(s.checks.length).toBe(7);
    expect(metric(s, "redis_reqs")!.count).toBe(2000);
    // a RESP error reply is an answer, not a failure (reference: only `error` fails)
    expect(metric(s, "http_req_failed")!.rate).toBe(0);
    // the counter saw every INCR exactly once across 8 VUs sharing the pool
    const probe = await run(`
plugins:
  - { name: redis, path: ${LIB} }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "${url}", plugin: { command: ["GET", "counter:test"] }, checks: [{ name: count, type: body_contains, value: "400" }] }
`);
    expect(probe.summary!.checks[0]).toMatchObject({ passes: 1, fails: 0 });
  });

  test("body commands from 32 concurrent VUs are each parsed whole (calls run on several threads at once)", async () => {
    // strtok's one static cursor once let two threads tokenize each other's commands: about one
    // GET in 4,000 lost its key; this plan caught that in most runs
    const r = await run(`
plugins:
  - { name: redis, path: ${LIB} }
scenarios:
  s:
    executor: shared-iterations
    vus: 32
    iterations: 4000
    flow:
      - request: { name: set, url: "${redis!.url}", body: "SET key:\${vu}:abcdefghijklmnop value-\${vu}-xxxxxxxxxxxxxxxx" }
      - request:
          name: get
          url: "${redis!.url}"
          body: "GET key:\${vu}:abcdefghijklmnop"
          checks: [{ name: get value, type: body_matches, pattern: "^value-[0-9]+-x{16}$" }]
`);
    expect(r.code).toBe(0);
    expect(r.summary!.checks.map((c: { name: string; passes: number; fails: number }) => [c.name, c.passes, c.fails])).toEqual([["get value", 4000, 0]]);
  });

  test("an unreachable server fails the request as a transport error", async () => {
    const r = await run(`
plugins:
  - { name: redis, path: ${LIB} }
scenarios:
  s:
    executor: shared-iterations
    vus: 1
    iterations: 2
    flow:
      - request: { name: down, url: "redis://127.0.0.1:1", plugin: { command: ["PING"] } }
`);
    expect(r.code).toBe(0);
    const s = r.summary!;
    expect(metric(s, "http_req_failed")!.rate).toBe(1);
    const series = s.snapshot.series.find((x) => x.metric === "redis_reqs")!;
    expect(series.tags.error_kind).toBe("connection_refused");
  });

  test("examples/redis.yaml runs as shipped (redis-server service plugin + redis protocol plugin)", async () => {
    const r = await loadr(["run", join(ROOT, "examples/redis.yaml"), "-q", "--duration", "2s", "--summary-export", "s.json"], {
      cwd: scratch(),
      env: { LOADR_PLUGINS_DIR: DIST_PLUGINS },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("redis_reqs");
  });
});
