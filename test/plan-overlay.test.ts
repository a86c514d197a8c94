import { describe, expect, test } from "bun:test";
import { applyEnvOverlay, deepMerge } from "../src/plan/overlay.ts";
import { load } from "./plan-helpers.ts";

const PLAN = `defaults:
  http:
    base_url: http://localhost:8080
    headers: {A: "1"}
scenarios:
  api:
    vus: 1
    duration: 10s
    tags: {tier: dev}
    flow:
      - request: {url: /a}
thresholds:
  http_req_duration: p(95) < 500
env:
  staging:
    defaults:
      http:
        base_url: https://staging.example.com
    scenarios:
      api:
        vus: 20
    thresholds:
      http_req_duration: p(95) < 900
  broken:
    scenarios:
      api:
        vus: 0
`;

describe("environment overlays (§1.4)", () => {
  test("mappings merge key by key; scalars replace", () => {
    const r = load(PLAN, { env: "staging" });
    expect(r.plan!.defaults.http.base_url).toBe("https://staging.example.com");
    expect(r.plan!.defaults.http.headers).toEqual({ A: "1" });
    expect(r.plan!.scenarios.api).toMatchObject({ vus: 20, duration: 10_000 });
    expect(r.plan!.thresholds.http_req_duration![0]!.threshold).toBe("p(95) < 900");
  });
  test("a type mismatch replaces, and its error points into the overlay", () => {
    const r = load(PLAN.replace("  broken:", "  typed:\n    scenarios:\n      api:\n        tags: [x]\n  broken:"), { env: "typed" });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ path: "scenarios.api.tags", line: 27, column: 9 });
  });
  test("errors caused by the overlay are located in the overlay", () => {
    const r = load(PLAN, { env: "broken" });
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ path: "scenarios.api.vus", message: "`vus` must be at least 1", line: 27, column: 14 }),
    ]);
  });
  test("without -e the env block is parsed but unused", () => {
    const r = load(PLAN);
    expect(r.plan!.scenarios.api!.vus).toBe(1);
  });
  test("unknown environment: the reference's message", () => {
    const r = load(PLAN, { env: "prod" });
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics).toEqual([expect.objectContaining({ path: "env", message: "unknown environment `prod`; available: staging, broken" })]);
  });
  test("deepMerge: sequences replace, mappings recurse, the env key is dropped first", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] }, d: 1 })).toEqual({ a: { b: 1, c: [3] }, d: 1 });
    expect(applyEnvOverlay({ x: 1, env: { e: { y: 2 } } }, "e")).toEqual({ x: 1, y: 2 });
  });
});
