/**
 * The plans loadr runs in the benches, written to a temp dir per run. The target URL and the
 * durations are literal (not `${env.TARGET}`) so the plan needs nothing but the plan loader.
 */

/** Closed model, no think time: the same load wrk -c50, autocannon -c 50 and hey -c 50 apply. */
export function httpPlan(url: string, vus: number, seconds: number): string {
  return `name: bench-http
scenarios:
  http:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    graceful_stop: 5s
    flow:
      - request:
          method: GET
          url: ${url}/
`;
}

/** Many mostly-idle VUs: each GETs once then thinks 1 s, so ideal rps = VUs / (1 s + latency). */
export function vusPlan(url: string, vus: number, seconds: number, thinkSeconds: number): string {
  return `name: bench-vus
scenarios:
  idle_vus:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    graceful_stop: 5s
    flow:
      - request:
          method: GET
          url: ${url}/
      - think_time:
          type: constant
          duration: ${thinkSeconds}s
`;
}

/** Open model: `rate` iterations/s of one GET for `seconds` (the arrival-rate accuracy bench). */
export function arrivalPlan(url: string, rate: number, seconds: number, preAllocated: number, maxVus: number): string {
  return `name: bench-arrival
scenarios:
  arrival:
    executor: constant-arrival-rate
    rate: ${rate}
    duration: ${seconds}s
    pre_allocated_vus: ${preAllocated}
    max_vus: ${maxVus}
    graceful_stop: 5s
    flow:
      - request:
          method: GET
          url: ${url}/
`;
}

/**
 * Many idle VUs spread over several loopback addresses (one scenario per address), so that no
 * single destination's ephemeral port range limits the count.
 */
export function vusSpreadPlan(urls: string[], vus: number, seconds: number, thinkSeconds: number): string {
  const per = urls.map((_, i) => Math.floor(vus / urls.length) + (i < vus % urls.length ? 1 : 0));
  return `name: bench-vus-spread
scenarios:
${urls
  .map(
    (u, i) => `  idle_${i + 1}:
    executor: constant-vus
    vus: ${per[i]}
    duration: ${seconds}s
    graceful_stop: 5s
    flow:
      - request:
          method: GET
          url: ${u}/
      - think_time:
          type: constant
          duration: ${thinkSeconds}s
`,
  )
  .join("")}`;
}
/**
 * Issue 4's flow bench: per iteration 3 requests, a jsonpath extraction, a chain (jmespath +
 * transform + check) and a CSV row, with the extracted values and the row in later URLs.
 */
export function flowPlan(url: string, vus: number, seconds: number, csvPath: string): string {
  return `name: bench-flow
data:
  users: { type: csv, path: ${csvPath} }
scenarios:
  flow:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    graceful_stop: 5s
    flow:
      - request:
          name: json
          url: ${url}/json
          extract:
            - { type: jsonpath, name: token, expression: "$.token" }
            - chain: first
              jmespath: "items[0].name"
              transform: [uppercase]
              check: { equals: ALPHA }
      - request:
          name: user
          url: "${url}/?u=\${data.users.username}"
      - request:
          name: token
          url: "${url}/?t=\${token}&f=\${first}"
`;
}

export const FLOW_USERS_CSV = "username,password\nalice,a\nbob,b\ncarol,c\ndave,d\nerin,e\n";

/**
 * The JS module bench (lib/js-bench.ts): the same iteration — GET / and a status check — as a
 * YAML plan and as a module `exec` function written the k6 way.
 */
export function checkedHttpPlan(url: string, vus: number, seconds: number): string {
  return httpPlan(url, vus, seconds).replace("name: bench-http", "name: bench-js-yaml") + "          checks: [{ type: status, name: status is 200, equals: 200 }]\n";
}

export function jsExecPlan(url: string, vus: number, seconds: number): string {
  return `name: bench-js-exec
js:
  script: |
    import http from "k6/http";
    import { check } from "k6";
    export function run() {
      const res = http.get("${url}/");
      check(res, { "status is 200": (r) => r.status === 200 });
    }
scenarios:
  http:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    graceful_stop: 5s
    exec: run
`;
}

/** The plain GET plan with a module whose beforeRequest adds a header to every request. */
export function beforeRequestPlan(url: string, vus: number, seconds: number): string {
  return `js:
  script: |
    export function beforeRequest(req) { req.headers["X-Request-Sign"] = "v1"; }
` + httpPlan(url, vus, seconds).replace("name: bench-http", "name: bench-js-hook");
}

/** 1,000 VUs, each with a module context reading one 5 MB SharedArray, a GET and 1 s of sleep per iteration. */
export function sharedArrayPlan(url: string, vus: number, seconds: number, dataFile: string): string {
  return `name: bench-js-shared-array
js:
  script: |
    import http from "k6/http";
    import { sleep } from "k6";
    import { SharedArray } from "k6/data";
    const users = new SharedArray("users", () => JSON.parse(open(${JSON.stringify(dataFile)})));
    export function run() {
      const u = users[(__VU * 31 + __ITER) % users.length];
      http.get("${url}/", { tags: { name: "shared" }, headers: { "X-User": u.name } });
      sleep(1);
    }
scenarios:
  many:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    graceful_stop: 5s
    exec: run
`;
}

/** ~`mb` MB of JSON user rows for sharedArrayPlan. */
export function sharedArrayData(mb: number): string {
  const rows: string[] = [];
  let size = 2;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const row = JSON.stringify({ id: i, name: `user-${i}`, email: `user-${i}@example.test`, tier: i % 3 === 0 ? "gold" : "basic", note: "x".repeat(60) });
    rows.push(row);
    size += row.length + 1;
  }
  return `[${rows.join(",")}]`;
}
