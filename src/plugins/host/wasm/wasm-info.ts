/**
 * What `loadr plugin info` says of a WASM component beyond its manifest: the interfaces it
 * imports (read from the component's import sections, nothing loaded), and the capabilities a
 * plan's `plugins:` entry grants it (grants.ts) — nothing without a plan: grants are denied by
 * default and given per entry.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { loadPlan } from "../../../plan/load.ts";
import type { InstalledPlugin } from "../../store/plugins-dir.ts";
import { describeGrants, resolveGrants } from "./grants.ts";
import { componentImports } from "./wasm-binary.ts";

export interface WasmInfo {
  imports: { names: string[] } | { error: string };
  /** `where`: the entry and plan the grants come from */
  grants: { where?: string; text: string };
}

export async function wasmInfo(p: InstalledPlugin, planFile: string | undefined): Promise<WasmInfo> {
  let imports: WasmInfo["imports"];
  try {
    imports = { names: [...new Set(componentImports(new Uint8Array(readFileSync(p.artifact))))].sort() };
  } catch (e) {
    imports = { error: `cannot read ${p.artifact}: ${(e as Error).message}` };
  }
  return { imports, grants: await grantsIn(p, planFile) };
}

async function grantsIn(p: InstalledPlugin, planFile: string | undefined): Promise<WasmInfo["grants"]> {
  if (planFile === undefined) return { text: "none (deny by default; give `--plan` to see a plan's)" };
  const loaded = await loadPlan(planFile);
  if (!loaded.plan) return { text: `(${planFile} does not load: run \`loadr validate ${planFile}\`)` };
  // the entry that names this plugin, or points at its directory or artifact
  const entry = loaded.plan.plugins.find((e) =>
    e.path === undefined ? e.name === p.manifest.name : [resolve(p.dir), resolve(p.artifact)].includes(resolve(loaded.baseDir, e.path)),
  );
  if (entry === undefined) return { text: `(no \`plugins:\` entry of ${basename(planFile)} loads this plugin)` };
  const where = `${entry.name} in ${basename(planFile)}`;
  try {
    const granted = describeGrants(resolveGrants(entry.capabilities, loaded.baseDir, process.env));
    return { where, text: granted.join(", ") || "none" };
  } catch (e) {
    return { where, text: `(${(e as Error).message})` };
  }
}
