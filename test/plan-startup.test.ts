import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSecrets, SecretError } from "../src/plan/secrets.ts";
import { resolveVariables } from "../src/plan/variables.ts";
import { resolveSecrets as secretsOf, resolveVariables as variablesOf } from "../src/plan/startup.ts";

describe("variables: startup resolution (§1.11)", () => {
  const env = { HOST: "example.com", PORT: "8080" };
  test("only ${env.X} is substituted, in nested values too", () => {
    expect(resolveVariables({ url: "http://${env.HOST}:${ env.PORT }/", list: ["${env.HOST}"], n: 3 }, env)).toEqual({
      url: "http://example.com:8080/",
      list: ["example.com"],
      n: 3,
    });
  });
  test("a missing env var stays as the literal text, without error", () => {
    expect(resolveVariables({ a: "x${env.NOPE}y" }, env)).toEqual({ a: "x${env.NOPE}y" });
  });
  test("other placeholders and escapes are left as written", () => {
    expect(resolveVariables({ a: "${vu}-${vars.b}", b: "$${env.HOST}" }, env)).toEqual({ a: "${vu}-${vars.b}", b: "$${env.HOST}" });
  });
});

describe("secrets: startup resolution (§1.11)", () => {
  test("from the environment", () => {
    expect(resolveSecrets({ token: { env: "TOKEN" } }, ".", { TOKEN: "s3cr3t" })).toEqual({ token: "s3cr3t" });
  });
  test("a missing environment variable is fatal with the reference's message", () => {
    expect(() => resolveSecrets({ token: { env: "TOKEN" } }, ".", {})).toThrow(
      new SecretError("secret `token`: environment variable `TOKEN` is not set"),
    );
  });
  test("from a file relative to the plan directory, trimmed", () => {
    const dir = mkdtempSync(join(tmpdir(), "loadr-secret-"));
    writeFileSync(join(dir, "key.txt"), "  abc\n");
    expect(resolveSecrets({ key: { file: "key.txt" } }, dir, {})).toEqual({ key: "abc" });
  });
  test("an unreadable file is fatal and names the secret", () => {
    expect(() => resolveSecrets({ key: { file: "missing.txt" } }, "/nonexistent", {})).toThrow("secret `key`: cannot read `missing.txt`");
  });
});

describe("startup.ts: the run-start entry points over a loaded plan", () => {
  test("variables and secrets of a Plan", () => {
    const plan = { variables: { u: "${env.U}" }, secrets: { t: { env: "T" } } };
    expect(variablesOf(plan, { U: "x" })).toEqual({ u: "x" });
    expect(secretsOf(plan, { T: "y" }, ".")).toEqual({ t: "y" });
    expect(() => secretsOf(plan, {}, ".")).toThrow("secret `t`: environment variable `T` is not set");
  });
});
