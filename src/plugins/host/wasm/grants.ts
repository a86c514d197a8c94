/**
 * Capability grants (docs/plugins/wasm.md "Capabilities"), as wasmtime's WasiCtxBuilder grants
 * them: a plugin gets nothing but what its `plugins:` entry's `capabilities:` names —
 *   clock: true        wasi:clocks (monotonic and wall clock, sleeping)
 *   random: true       wasi:random (random, insecure, insecure-seed)
 *   env: [NAMES]       wasi:cli/environment: these variables of the run's environment, when set
 *   files: [{path, mode: ro}]   wasi:filesystem: these directories (relative to the plan), read-only
 * A component that imports an interface it was not granted still loads. Without `env` its
 * environment is empty and without `files` it has no directories — WASI's own way to say "none",
 * as wasmtime's builder does, and what language runtimes expect when they read the environment
 * for their own reasons (a time zone, a locale) on a first call. A clock or random read it was not
 * granted fails the call (the sandbox throws CapabilityDenied, the runtime classes the failure
 * `capability`); code that runs while the plugin starts (before its first call) reads a clock at 0
 * and zero bytes instead, so a language runtime's start-up never keeps a plugin from loading.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, normalize, resolve } from "node:path";

export type GrantName = "clock" | "random";

/** A granted directory: the host directory and the name the plugin opens it by. */
export interface GrantedDir {
  /** the real (symlink-free) absolute host path */
  host: string;
  /** the preopen's name, as the plan wrote it (`data`, `/srv/fixtures`) */
  guest: string;
}

/** What a plugin instance is granted (plain data: posted to workers inside the plugin's spec). */
export interface Grants {
  clock: boolean;
  random: boolean;
  /** the allow-listed variables that are set, with their values (read at load) */
  env: [string, string][];
  /** the names allowed under `env:` (set or not), for messages and `loadr plugin info` */
  envNames: string[];
  files: GrantedDir[];
}

export const NO_GRANTS: Grants = { clock: false, random: false, env: [], envNames: [], files: [] };

/** The plan's `capabilities:` of one entry (src/plan/schema/blocks.ts). */
export interface CapabilitiesSpec {
  clock?: boolean;
  random?: boolean;
  env?: string[];
  files?: { path: string; mode?: "ro" }[];
}

export class GrantError extends Error {}

/** The grants of one entry: file paths resolved against the plan's directory, env values read from `env`. */
export function resolveGrants(spec: CapabilitiesSpec | undefined, baseDir: string, env: Record<string, string | undefined>): Grants {
  if (spec === undefined) return NO_GRANTS;
  const files = (spec.files ?? []).map((f, i): GrantedDir => {
    const host = resolve(baseDir, f.path);
    if (!existsSync(host)) throw new GrantError(`capabilities.files[${i}]: \`${f.path}\` does not exist (looked in ${host})`);
    if (!statSync(host).isDirectory()) throw new GrantError(`capabilities.files[${i}]: \`${f.path}\` is not a directory; grant the directory that holds it`);
    const guest = isAbsolute(f.path) ? normalize(f.path) : normalize(f.path).replace(/\/$/, "");
    return { host: realpathSync(host), guest };
  });
  const envNames = spec.env ?? [];
  const envPairs = envNames.flatMap((n): [string, string][] => (env[n] !== undefined ? [[n, env[n]!]] : []));
  return { clock: spec.clock === true, random: spec.random === true, env: envPairs, envNames, files };
}

const HOW: Record<GrantName, string> = {
  clock: "`capabilities: {clock: true}`",
  random: "`capabilities: {random: true}`",
};

/** Thrown by a WASI function the plugin was not granted, inside a call: the call fails, classed `capability`. */
export class CapabilityDenied extends Error {
  constructor(
    readonly grant: GrantName,
    readonly iface: string,
  ) {
    super(`used ${iface} without the \`${grant}\` grant; add ${HOW[grant]} to its \`plugins:\` entry`);
  }
}

/** One line per grant, for `loadr plugin info` and debug output. */
export function describeGrants(g: Grants): string[] {
  const out: string[] = [];
  if (g.clock) out.push("clock");
  if (g.random) out.push("random");
  if (g.envNames.length > 0) out.push(`env: ${g.envNames.join(", ")}`);
  for (const f of g.files) out.push(`files: ${f.guest} (read-only, ${f.host})`);
  return out;
}
