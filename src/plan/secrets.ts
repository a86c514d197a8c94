/**
 * Startup resolution of `secrets:` (§1.11): from an environment variable or a file (relative to
 * the plan's directory, contents trimmed, at most 1 MiB: src/util/plan-file.ts). A missing secret is fatal, with the reference's message.
 */
import { isAbsolute, resolve } from "node:path";
import { readPlanText } from "../util/plan-file.ts";
import type { Secret } from "./schema.ts";

export class SecretError extends Error {
  override name = "SecretError";
}

export function resolveSecrets(
  secrets: Record<string, Secret>,
  baseDir: string,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, s] of Object.entries(secrets)) {
    if (s.env !== undefined) {
      const v = env[s.env];
      if (v === undefined) throw new SecretError(`secret \`${name}\`: environment variable \`${s.env}\` is not set`);
      out[name] = v;
    } else if (s.file !== undefined) {
      const path = isAbsolute(s.file) ? s.file : resolve(baseDir, s.file);
      try {
        out[name] = readPlanText(path, "secret").trim();
      } catch (e) {
        throw new SecretError(`secret \`${name}\`: cannot read \`${s.file}\`: ${(e as Error).message}`);
      }
    } else {
      throw new SecretError(`secret \`${name}\` needs \`env\` or \`file\``);
    }
  }
  return out;
}
