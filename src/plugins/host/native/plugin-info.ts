/** PluginInfo JSON (reference §6.4): name, version, kind, description required; schemes default []; ours: `blocking`. */
import { NativePluginError } from "./errors.ts";

export interface PluginInfo {
  name: string;
  version: string;
  kind: string;
  description: string;
  schemes: string[];
  /** false = `execute` never blocks: called inline on the JS thread (default true) */
  blocking: boolean;
  [k: string]: unknown;
}

export function parsePluginInfo(text: string, where: string): PluginInfo {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NativePluginError(`invalid plugin info JSON from ${where}: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new NativePluginError(`invalid plugin info JSON from ${where}: not an object`);
  const o = v as Record<string, unknown>;
  for (const k of ["name", "version", "kind", "description"]) {
    if (typeof o[k] !== "string") throw new NativePluginError(`invalid plugin info JSON from ${where}: missing string field \`${k}\``);
  }
  const schemes = o.schemes === undefined ? [] : o.schemes;
  if (!Array.isArray(schemes) || schemes.some((s) => typeof s !== "string")) {
    throw new NativePluginError(`invalid plugin info JSON from ${where}: \`schemes\` must be a list of strings`);
  }
  return { ...o, schemes: schemes as string[], blocking: o.blocking !== false } as PluginInfo;
}
