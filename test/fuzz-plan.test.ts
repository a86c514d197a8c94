/**
 * Property-based fuzzing of the plan loader (fast-check): whatever text a plan file holds, the
 * loader answers with a plan or with diagnostics — it never throws, never reports an internal
 * error, and a plan it accepts has durations that are finite numbers of milliseconds.
 *
 * Each property runs for a bounded time in `bun test` (LOADR_FUZZ_MS per property, default
 * 1500). To fuzz longer: LOADR_FUZZ_MS=60000, or LOADR_FUZZ_RUNS=200000 (a number of cases per
 * property, as test/fuzz-http-parser.test.ts takes it); LOADR_FUZZ_SEED replays a failure.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadPlanText, type LoadResult } from "../src/plan/load.ts";
import { DurationError, parseDuration } from "../src/plan/duration.ts";

const FUZZ_MS = Number(process.env.LOADR_FUZZ_MS ?? 1500);
const RUNS = process.env.LOADR_FUZZ_RUNS === undefined ? undefined : Number(process.env.LOADR_FUZZ_RUNS);
const SEED = process.env.LOADR_FUZZ_SEED === undefined ? undefined : Number(process.env.LOADR_FUZZ_SEED);
// a property stops at FUZZ_MS (or after RUNS cases, however long they take), then shrinks what failed
setDefaultTimeout(RUNS === undefined ? FUZZ_MS * 2 + 30_000 : 24 * 3600_000);
const params =
  RUNS === undefined
    ? ({ numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false, seed: SEED } as const)
    : ({ numRuns: RUNS, seed: SEED } as const);

/** Load and check the loader's promises; returns the result for more checks. */
function loadChecked(text: string): LoadResult {
  const r = loadPlanText(text, "plan.yaml", "/nonexistent");
  for (const d of r.diagnostics) {
    if (typeof d.message !== "string" || d.message.length === 0) throw new Error(`a diagnostic without a message: ${JSON.stringify(d)}`);
    if (/internal error|undefined is not|cannot read propert/i.test(d.message)) throw new Error(`an internal error as a diagnostic: ${d.message}`);
    if (d.message.includes("\n    at ")) throw new Error(`a stack trace in a diagnostic: ${d.message}`);
  }
  if (r.plan !== undefined) for (const ms of durations(r.plan)) if (!Number.isFinite(ms) || ms < 0) throw new Error(`an accepted plan with a duration of ${ms} ms`);
  return r;
}

/** Every normalised duration of a plan the loader accepted (ms). */
function durations(plan: NonNullable<LoadResult["plan"]>): number[] {
  const out: number[] = [plan.defaults.http.timeout];
  for (const s of Object.values(plan.scenarios)) {
    for (const k of ["duration", "start_time", "graceful_stop", "graceful_ramp_down", "time_unit", "max_duration"] as const) {
      const v = (s as Record<string, unknown>)[k];
      if (typeof v === "number") out.push(v);
    }
    for (const st of (s as { stages?: { duration: number }[] }).stages ?? []) out.push(st.duration);
  }
  return out;
}

/** Pieces plans are made of, and pieces that break YAML: joined at random they reach the parser's corners. */
const TOKENS = [
  "scenarios:", "\n", "  ", "    ", "s:", "executor:", " constant-vus", " ramping-vus", " shared-iterations", " constant-arrival-rate",
  "vus:", " 1", " 0", " -1", " 1e400", " .inf", " .nan", " 99999999999999999999", "duration:", " 30d", " 1m30s", " \"1e400\"", " 5 parsecs",
  "flow:", "- request:", " { url: /x }", "url:", " \"${vu}\"", " \"${data.d.x}\"", " \"${js: 1+}\"", "think_time:", " { type: constant, duration: 1s }",
  "stages:", "- { duration: 1s, target: 2 }", "thresholds:", " http_req_duration:", " [\"p(95)<500\"]", "data:", " d: { type: csv, path: x.csv }",
  "&a", "*a", "<<: *a", "&b [*a, *a]", "[", "]", "{", "}", ",", ":", "- ", "? ", "|", ">", "'", "\"", "#", "---", "...", "%YAML 1.2",
  "!!binary", "!!str", "!!map", "!!seq", "!!int", "!!float", "!!set", "!!omap", "!!pairs", "!!timestamp", "!!js/function", "~", "null", "true", "0x10", "0o7", "1_000", "\t", "\u0000", "\ufeff", "é",
  "env:", " staging: { scenarios: {} }", "plugins:", " - { name: echo }", "outputs:", " - { type: json, path: o.json }", "defaults:", " { max_series: 0 }",
];
const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(""));

/** A plan-shaped object whose every field may be valid, almost valid, or anything at all. */
const anyValue = fc.anything({ maxDepth: 3 });
const duration = fc.oneof(fc.constantFrom("1s", "30d", "1e400", "0", "-1s", "1m 30s", "", "5 parsecs", "9".repeat(400) + "s"), fc.double(), anyValue);
const scenario = fc.record(
  {
    executor: fc.oneof(fc.constantFrom("constant-vus", "ramping-vus", "shared-iterations", "per-vu-iterations", "constant-arrival-rate", "ramping-arrival-rate", "externally-controlled", "nope"), anyValue),
    vus: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), anyValue),
    duration,
    iterations: fc.oneof(fc.integer({ min: -2, max: 5 }), anyValue),
    rate: fc.oneof(fc.double(), anyValue),
    start_time: duration,
    graceful_stop: duration,
    stages: fc.oneof(fc.array(fc.record({ duration, target: fc.oneof(fc.integer(), anyValue) })), anyValue),
    flow: fc.oneof(
      fc.array(fc.oneof(fc.record({ request: fc.oneof(fc.record({ url: fc.oneof(fc.constantFrom("/x", "${vu}", "${js: 1+}", "http://[::1"), fc.string()) }), anyValue) }), fc.record({ think_time: anyValue }), anyValue), { maxLength: 4 }),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);
const planObject = fc.record(
  {
    scenarios: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), scenario, { maxKeys: 3 }), anyValue),
    defaults: fc.oneof(fc.record({ http: fc.oneof(fc.record({ timeout: duration }), anyValue), max_series: fc.oneof(fc.integer(), anyValue) }, { requiredKeys: [] }), anyValue),
    thresholds: fc.oneof(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.array(fc.string({ maxLength: 20 })), anyValue), { maxKeys: 3 }), anyValue),
    data: anyValue,
    env: anyValue,
    variables: anyValue,
  },
  { requiredKeys: [] },
);

/** A plan that uses every block, mutated at random places: the loader's semantic checks and normalisation see near-valid plans. */
const FULL = parse(readFileSync(join(import.meta.dir, "fixtures/plans/full.yaml"), "utf8")) as unknown;
/** The reference examples (examples/reference/): the protocol blocks (ws, sse, grpc, graphql, tcp/udp), environments, lifecycle, tags. */
const EXAMPLES_DIR = join(import.meta.dir, "../examples/reference");
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => parse(readFileSync(join(EXAMPLES_DIR, f), "utf8"), { merge: true }) as unknown);
const replacement = fc.oneof(
  anyValue,
  duration,
  fc.constantFrom("${vu}", "${js: 1+}", "${data.nope.x}", "${secrets.nope}", "p(95)<", "p(99.9)<1e400", "rate>abc", "http://[::1", "", "__overflow__", -1, 0, 1e308, null, [], {}),
  fc.string({ maxLength: 30 }),
);
const mutation = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), value: fc.option(replacement, { nil: undefined }) });

/** `plan` with the value at a path (each step picks a child by index modulo their number) replaced, or removed. */
function mutate(plan: unknown, m: { path: number[]; value: unknown }): unknown {
  const root = structuredClone(plan) as Record<string, unknown>;
  let node: unknown = root;
  for (let i = 0; i < m.path.length; i++) {
    if (node === null || typeof node !== "object") return root;
    const keys = Object.keys(node);
    if (keys.length === 0) return root;
    const key = keys[m.path[i]! % keys.length]!;
    const last = i === m.path.length - 1 || (node as Record<string, unknown>)[key] === null || typeof (node as Record<string, unknown>)[key] !== "object";
    if (last) {
      if (m.value === undefined) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = m.value;
      return root;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return root;
}

describe("what fuzzing found stays found: each a diagnostic, not a throw", () => {
  test.each([
    ["a scenario that is null", "scenarios:\n  s: null\n"],
    ["an alias without an anchor", "scenarios: *nope\n"],
    ["a merge key of a scalar", "scenarios:\n  s:\n    <<: 1\n"],
    ["an alias inside its own anchor", "a: &a [*a]\nscenarios: {}\n"],
    ["a value only an explicit tag builds", "scenarios:\n  s: { executor: constant-vus, vus: 1, duration: !!binary .inf }\n"],
    ["an executor that is a mapping whose toString is not a function", JSON.stringify({ scenarios: { s: { executor: { toString: "" } } } })],
  ])("%s", (_, text) => {
    expect(loadChecked(text).diagnostics.length).toBeGreaterThan(0);
  });
});

describe("the plan loader under fuzzing", () => {
  test("any text: a plan or diagnostics, never a throw", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), (t) => void loadChecked(t)), params);
  });

  test("plan-shaped token soup (anchors, aliases, tags, overlays): a plan or diagnostics, never a throw", () => {
    fc.assert(fc.property(tokenText, (t) => void loadChecked(t)), params);
  });

  test("plan-shaped objects with fields valid, almost valid or anything: never a throw; accepted durations are finite", () => {
    fc.assert(
      fc.property(planObject, fc.boolean(), (o, flow) => {
        const text = flow ? stringify(o) : JSON.stringify(o);
        void loadChecked(text);
      }),
      params,
    );
  });

  test("a full plan mutated at random places: never a throw; accepted durations are finite", () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => void loadChecked(stringify(ms.reduce(mutate, FULL)))), params);
  });

  test("the reference examples mutated at random places: never a throw; accepted durations are finite", () => {
    expect(EXAMPLES.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => void loadChecked(stringify(ms.reduce(mutate, EXAMPLES[i])))),
      params,
    );
  });

  test("nested aliases of any depth and width: refused at a line, never expanded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (depth, width) => {
        const lines = ["a0: &a0 [x]"];
        for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(", ")}]`);
        const r = loadChecked(`${lines.join("\n")}\nscenarios: {}\n`);
        expect(r.diagnostics.length).toBeGreaterThan(0);
        if (width ** depth > 10_000) expect(r.diagnostics[0]!.message).toStartWith("YAML aliases expand too far");
      }),
      params,
    );
  });

  test("durations: any string or number parses to finite non-negative ms, or is a DurationError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.eE+-]{1,400}[a-zA-Zµ]{0,8}( ?[0-9.]{1,400}[a-zA-Z]{0,3}){0,3}$/), fc.double(), anyValue), (v) => {
        try {
          const ms = parseDuration(v);
          if (!Number.isFinite(ms) || ms < 0) throw new Error(`parseDuration(${JSON.stringify(v)}) = ${ms}`);
        } catch (e) {
          if (!(e instanceof DurationError)) throw e;
        }
      }),
      params,
    );
  });
});
