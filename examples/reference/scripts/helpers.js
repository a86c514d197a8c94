// The module of 08-javascript.yaml, written the k6 way: synchronous calls, k6 imports.
import http from "k6/http";
import { check, group, sleep } from "k6";
import { Trend } from "k6/metrics";

// Declared in the init code, so `loadr validate` knows the metric the thresholds name.
const latency = new Trend("api_latency_custom", true);

// Once per run, before any VU: fetch a token every iteration will use.
export function setup() {
  const res = http.post("/auth/token", JSON.stringify({ client_id: __ENV.CLIENT_ID || "demo" }), {
    headers: { "Content-Type": "application/json" },
  });
  check(res, { "token issued": (r) => r.status === 200 });
  return { token: res.json().token };
}

// Every iteration of the `scripted` scenario.
export function scriptedIteration(data) {
  group("catalogue", () => {
    const res = http.get("/items?limit=20", { headers: { Authorization: `Bearer ${data.token}` }, tags: { endpoint: "items" } });
    latency.add(res.timings.duration);
    check(res, {
      "status 200": (r) => r.status === 200,
      "has items": (r) => Array.isArray(r.json().items),
    });
  });
  sleep(0.1 + Math.random() * 0.2);
}

// Before every YAML request: tag it with a correlation id.
export function beforeRequest(req) {
  req.headers["X-Correlation-Id"] = crypto.randomUUID();
  return req;
}

// After every YAML request.
export function afterRequest(res) {
  if (res.status >= 500) console.warn(`server error on ${res.url}: ${res.status}`);
}

// Once after the last VU: revoke the token.
export function teardown(data) {
  http.post("/auth/revoke", JSON.stringify({ token: data.token }), { headers: { "Content-Type": "application/json" } });
}
