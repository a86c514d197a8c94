// The module of 22-lifecycle.yaml: log in once per VU, browse every iteration, log out at the end,
// and print a short report of our own instead of the console summary.
import http from "k6/http";
import { check } from "k6";

export function login() {
  const res = http.post("/auth/login", JSON.stringify({ user: `vu-${__VU}` }), { headers: { "Content-Type": "application/json" } });
  check(res, { "logged in": (r) => r.status === 200 });
  session.vars.token = res.json().token; // per-VU state for the iterations
}

export function browse() {
  http.get("/feed", { headers: { Authorization: `Bearer ${session.vars.token}` }, tags: { endpoint: "feed" } });
}

export function logout() {
  http.post("/auth/logout", JSON.stringify({ token: session.vars.token }), { headers: { "Content-Type": "application/json" } });
}

export function handleSummary(data) {
  const metric = (name) => data.metrics.find((m) => m.metric === name);
  const reqs = metric("http_reqs");
  const duration = metric("http_req_duration");
  return [
    "",
    `  lifecycle run ${data.run_id}: ${data.duration_secs.toFixed(1)}s, ${data.scenarios.length} scenario(s)`,
    `  requests:    ${reqs ? reqs.agg.sum : 0}`,
    `  p95 latency: ${duration ? duration.agg.p95.toFixed(1) : 0} ms`,
    `  thresholds:  ${data.thresholds_passed ? "PASS" : "FAIL"}`,
    "",
  ].join("\n");
}
