import { describe, expect, test } from "bun:test";
import { errors, load } from "./plan-helpers.ts";

/** Messages of a scenario with the given keys (YAML lines, indented 4) and an empty flow. */
function messages(keys: string): string[] {
  return errors(load(`scenarios:\n  s:\n${keys}    flow: []\n`)).map((d) => d.message);
}

describe("executor requirements (§1.6, exact messages)", () => {
  test("constant-vus requires vus and duration", () => {
    expect(messages("    executor: constant-vus\n")).toEqual(["`constant-vus` requires `vus`", "`constant-vus` requires `duration`"]);
  });
  test("constant-vus is the default executor", () => {
    expect(messages("    duration: 1s\n")).toEqual(["`constant-vus` requires `vus`"]);
  });
  test("vus at least 1, duration greater than zero", () => {
    expect(messages("    vus: 0\n    duration: 0\n")).toEqual(["`vus` must be at least 1", "`duration` must be greater than zero"]);
  });
  test("ramping-vus requires stages with non-negative integer targets", () => {
    expect(messages("    executor: ramping-vus\n")).toEqual(["`ramping-vus` requires at least one entry in `stages`"]);
    expect(messages("    executor: ramping-vus\n    stages: []\n")).toEqual(["`ramping-vus` requires at least one entry in `stages`"]);
    expect(messages("    executor: ramping-vus\n    stages: [{duration: 1s, target: 2.5}, {duration: 1s, target: -1}]\n")).toEqual([
      "`ramping-vus` stage targets must be non-negative integers, got 2.5",
      "`ramping-vus` stage targets must be non-negative integers, got -1",
    ]);
  });
  test("constant-arrival-rate requires rate, duration, pre_allocated_vus", () => {
    expect(messages("    executor: constant-arrival-rate\n")).toEqual([
      "`constant-arrival-rate` requires `rate`",
      "`constant-arrival-rate` requires `duration`",
      "`constant-arrival-rate` requires `pre_allocated_vus`",
    ]);
  });
  test("arrival-rate: max_vus not below pre_allocated_vus, time_unit > 0, rate > 0", () => {
    expect(messages("    executor: constant-arrival-rate\n    rate: 0\n    duration: 1s\n    pre_allocated_vus: 5\n    max_vus: 2\n    time_unit: 0\n")).toEqual([
      // in source order
      "`rate` must be greater than zero",
      "`max_vus` cannot be less than `pre_allocated_vus`",
      "`time_unit` must be greater than zero",
    ]);
  });
  test("ramping-arrival-rate requires stages and pre_allocated_vus; targets non-negative", () => {
    expect(messages("    executor: ramping-arrival-rate\n")).toEqual([
      "`ramping-arrival-rate` requires at least one entry in `stages`",
      "`ramping-arrival-rate` requires `pre_allocated_vus`",
    ]);
    expect(messages("    executor: ramping-arrival-rate\n    pre_allocated_vus: 1\n    stages: [{duration: 1s, target: -0.5}]\n")).toEqual([
      "`ramping-arrival-rate` stage targets must be non-negative, got -0.5",
    ]);
  });
  test("per-vu-iterations and shared-iterations require vus and iterations, both ≥ 1", () => {
    for (const ex of ["per-vu-iterations", "shared-iterations"]) {
      expect(messages(`    executor: ${ex}\n`)).toEqual([`\`${ex}\` requires \`vus\``, `\`${ex}\` requires \`iterations\``]);
      expect(messages(`    executor: ${ex}\n    vus: 0\n    iterations: 0\n`)).toEqual(["`vus` must be at least 1", "`iterations` must be at least 1"]);
    }
  });
  test("externally-controlled requires max_vus ≥ 1", () => {
    expect(messages("    executor: externally-controlled\n")).toEqual(["`externally-controlled` requires `max_vus`"]);
    expect(messages("    executor: externally-controlled\n    max_vus: 0\n")).toEqual(["`max_vus` must be at least 1"]);
  });
  test("an unknown executor is an unknown variant with a did-you-mean", () => {
    const d = errors(load("scenarios:\n  s:\n    executor: constant-vu\n    flow: []\n"));
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toStartWith("unknown variant `constant-vu`, expected one of `constant-vus`");
    expect(d[0]!.suggestion).toBe("did you mean `constant-vus`?");
  });
  test("keys not relevant to an executor are accepted", () => {
    expect(messages("    executor: constant-arrival-rate\n    rate: 5\n    duration: 1s\n    pre_allocated_vus: 1\n    vus: 3\n")).toEqual([]);
  });
  test("per-executor defaults are filled in", () => {
    const r = load(`scenarios:
  a: {executor: constant-arrival-rate, rate: 600, time_unit: 1m, duration: 1s, pre_allocated_vus: 4, flow: []}
  b: {executor: shared-iterations, vus: 1, iterations: 3, flow: []}
  c: {executor: ramping-vus, stages: [{duration: 1s, target: 1}], flow: []}
`);
    expect(r.plan!.scenarios.a).toMatchObject({ time_unit: 60_000, max_vus: 4 });
    expect(r.plan!.scenarios.b).toMatchObject({ max_duration: 600_000 });
    expect(r.plan!.scenarios.c).toMatchObject({ start_vus: 0 });
  });
  test("executor rules still run when the scenario's flow has errors", () => {
    const d = errors(load("scenarios:\n  s:\n    duration: 1s\n    flow:\n      - request: {}\n"));
    expect(d.map((x) => x.message).sort()).toEqual(["`constant-vus` requires `vus`", "missing field `url`"]);
  });
});
