import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parse } from "yaml";
import { DURATION_PATTERN, planJsonSchema } from "../src/plan/json-schema.ts";

type Schema = Record<string, any>;
const schema = planJsonSchema() as Schema;

/** Follow `$ref`s into `definitions`. */
function deref(s: Schema): Schema {
  while (s && typeof s.$ref === "string") {
    const name = s.$ref.replace(/^#\/definitions\//, "");
    s = schema.definitions[name];
  }
  return s;
}

/**
 * A loose structural check (no JSON Schema validator is a dependency): every key of `value` is
 * declared where the schema forbids extra keys, types of scalars match, and unions are tried.
 * Returns the paths that do not fit.
 */
function misfits(value: unknown, s: Schema, path = "$"): string[] {
  s = deref(s);
  if (!s || Object.keys(s).length === 0) return [];
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(s[key])) {
      const results = s[key].map((alt: Schema) => misfits(value, alt, path));
      return results.some((r: string[]) => r.length === 0) ? [] : [`${path}: matches no alternative`];
    }
  }
  const types: string[] = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (types.length && !types.some((t) => t === actual || (t === "integer" && Number.isInteger(value))))
    return [`${path}: ${actual} is not ${types.join("|")}`];
  if (s.enum && !s.enum.includes(value)) return [`${path}: not in enum`];
  if (s.const !== undefined && s.const !== value) return [`${path}: not ${s.const}`];
  if (typeof value === "string" && s.pattern && !new RegExp(s.pattern, "u").test(value)) return [`${path}: pattern`];
  if (actual === "array") return (value as unknown[]).flatMap((v, i) => misfits(v, s.items ?? {}, `${path}[${i}]`));
  if (actual === "object") {
    const out: string[] = [];
    for (const r of s.required ?? []) if (!(r in (value as object))) out.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(value as object)) {
      const prop = s.properties?.[k];
      if (prop) out.push(...misfits(v, prop, `${path}.${k}`));
      else if (s.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (typeof s.additionalProperties === "object") out.push(...misfits(v, s.additionalProperties, `${path}.${k}`));
    }
    return out;
  }
  return [];
}

describe("planJsonSchema()", () => {
  test("draft-07 with the reference's title and $id", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.title).toBe("loadr test definition");
    expect(schema.$id).toBe("https://loadr.io/schemas/loadr-test.schema.json");
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
  test("top level is strict and lists every key", () => {
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(
      ["name", "description", "defaults", "env", "variables", "secrets", "data", "metrics", "js", "scenarios", "thresholds", "outputs", "observe", "plugins"].sort(),
    );
  });
  test("durations are described as input (seconds or a humantime string), with the reference's pattern", () => {
    const timeout = deref(deref(schema.properties.defaults).properties.http).properties.timeout;
    expect(timeout.default).toBe("30s");
    expect(timeout.anyOf).toEqual([{ type: "number", minimum: 0 }, { type: "string", pattern: DURATION_PATTERN }]);
  });
  test("the full sample plan fits the schema's shape", async () => {
    const sample = parse(await Bun.file(join(import.meta.dir, "fixtures/plans/full.yaml")).text());
    expect(misfits(sample, schema)).toEqual([]);
  });
  test("and a typo does not", () => {
    expect(misfits({ scenarios: { s: { vus: 1, duraton: "1s", flow: [] } } }, schema)).toEqual(["$.scenarios.s.duraton: not allowed"]);
  });
});
