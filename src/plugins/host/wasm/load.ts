/**
 * Coordinator side of a WASM plugin: read the component, transpile (cached), cap memory, watch
 * memory.grow and instrument the deadline in every core module, instantiate once to call
 * describe() and check the exported world, and return the plain-data spec each worker
 * instantiates from (with the shared-data buffer of a 0.2 component that uses it).
 * Errors are the reference's (§6.4): `wasm plugin error: ...`, kind mismatches.
 */
import { readPlanFile } from "../../../util/plan-file.ts";
import type { LogLevel } from "../../../util/logger.ts";
import type { MetricKind } from "../../../metrics/registry.ts";
import { instrumentDeadline } from "./deadline-rewrite.ts";
import { capMemory, MemoryLimitError, mib, PAGE } from "./memory-cap.ts";
import { watchGrow } from "./grow-watch.ts";
import { NO_GRANTS, type Grants } from "./grants.ts";
import { HOST_INTERFACE } from "./host-api.ts";
import { HOOK_PHASES, PHASE_ALIASES, PHASE_INTERFACE, type HookPhaseName } from "./hook-types.ts";
import { newSharedBuffer } from "./shared-store.ts";
import { highWaterOf, PluginCallError, WasmRuntime, type PluginInfo, type WasmPluginSpec } from "./runtime.ts";
import { cachedDerived, transpile, TranspileError } from "./transpile.ts";
import { isComponent, WasmFormatError } from "./wasm-binary.ts";

export class WasmLoadError extends Error {}

/** Bump when memory-cap.ts, grow-watch.ts or deadline-rewrite.ts change what they emit (cached rewrites). */
const REWRITE_VERSION = "r5";

export interface WasmLoadRequest {
  name: string;
  artifact: string;
  /** from the manifest or `config.kind`; absent = whatever describe() reports */
  expectedKind?: string;
  config: unknown;
  timeoutMs: number;
  memoryLimitBytes: number;
  logLevel: LogLevel;
  /** the entry's capability grants (grants.ts resolveGrants) */
  grants?: Grants;
  /** the entry's `phase` (as written: WIT or Loom names) and `priority`, for a hook */
  hook?: { phase?: readonly string[]; priority: number };
  /** the manifest's `[metrics]` */
  metrics?: { name: string; kind: MetricKind }[];
}

export interface WasmLoaded {
  spec: WasmPluginSpec;
  /** "cache" or ms spent transpiling (the run logs it at debug) */
  transpile: "cache" | number;
  /** ms from reading the file to a described instance */
  loadMs: number;
  /** what the run should say before it starts (a plugin that starts near its memory_limit) */
  warnings: string[];
  /** the interfaces the component imports (`loadr plugin info`) */
  imports: string[];
}

const KINDS = ["extractor", "assertion", "hook"] as const;
type Kind = (typeof KINDS)[number];
const WORLD_OF: Record<Kind, string> = { extractor: "loadr-plugin", assertion: "loadr-assertion-plugin", hook: "hook" };
const INTERFACE_OF: Record<Kind, (wit: string) => string> = {
  extractor: (wit) => `loadr:plugin/extractor@${wit}`,
  assertion: (wit) => `loadr:plugin/assertion@${wit}`,
  hook: () => "loadr:plugin/request-hook, response-hook or log-hook@0.2.0",
};

export async function loadWasmPlugin(req: WasmLoadRequest): Promise<WasmLoaded> {
  const t0 = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = readPlanFile(req.artifact, "component");
  } catch (e) {
    throw new WasmLoadError(`plugin i/o error on ${req.artifact}: ${(e as Error).message}`);
  }
  if (!isComponent(bytes)) {
    throw new WasmLoadError(
      `wasm plugin error: ${req.artifact} is not a WebAssembly component; build it for wasm32-wasip2 (or wrap a core module with \`wasm-tools component new\`)`,
    );
  }
  const hinted = req.expectedKind;
  if (hinted !== undefined && !(KINDS as readonly string[]).includes(hinted)) {
    throw new WasmLoadError(`wasm plugins cannot provide \`${hinted}\` (only extractor/assertion/hook); use a native plugin for \`${req.name}\``);
  }

  let transpiled;
  try {
    transpiled = await transpile(bytes);
  } catch (e) {
    if (e instanceof TranspileError) throw new WasmLoadError(`wasm plugin error: ${e.message}`);
    throw e;
  }
  const maxPages = Math.ceil(req.memoryLimitBytes / PAGE);
  const modules: Record<string, Uint8Array> = {};
  try {
    for (const [n, b] of Object.entries(transpiled.modules)) {
      modules[n] = cachedDerived(transpiled, `${n}.limited-${maxPages}p-${REWRITE_VERSION}`, () => instrumentDeadline(watchGrow(capMemory(b, maxPages))));
    }
  } catch (e) {
    if (e instanceof MemoryLimitError || e instanceof WasmFormatError) throw new WasmLoadError(`wasm plugin error: ${e.message}`);
    throw e;
  }

  const wit = transpiled.exports.some((e) => e.startsWith("loadr:plugin/") && e.endsWith("@0.2.0")) ? "0.2.0" : "0.1.0";
  const exportedPhases = HOOK_PHASES.filter((p) => transpiled.exports.includes(PHASE_INTERFACE[p]));
  const spec: WasmPluginSpec = {
    type: "wasm",
    name: req.name,
    kind: (hinted as WasmPluginSpec["kind"]) ?? "extractor",
    wit,
    info: { name: "", version: "", kind: "", description: "" },
    exportedPhases,
    grants: req.grants ?? NO_GRANTS,
    metrics: req.metrics ?? [],
    js: transpiled.js,
    modules,
    config: req.config,
    timeoutMs: req.timeoutMs,
    memoryLimitBytes: maxPages * PAGE,
    logLevel: req.logLevel,
  };
  let info: PluginInfo;
  const probe = new WasmRuntime(spec);
  const imports = probe.imports();
  // one shared-data store for every thread, made only for a component that can reach it
  if (imports.some((i) => i.startsWith(`${HOST_INTERFACE}#shared-`))) spec.shared = newSharedBuffer();
  try {
    probe.exports();
    info = probe.describe();
  } catch (e) {
    const why = e instanceof PluginCallError ? e.message : (e as Error).message;
    throw new WasmLoadError(`wasm plugin error: instantiating ${req.artifact} failed: ${why}`);
  }
  if (hinted === undefined) {
    if (!(KINDS as readonly string[]).includes(info.kind)) {
      throw new WasmLoadError(`wasm plugin \`${req.name}\` reports unsupported kind \`${info.kind}\``);
    }
    spec.kind = info.kind as Kind;
  } else if (info.kind !== hinted) {
    throw new WasmLoadError(`plugin \`${req.name}\` is \`${info.kind}\`, expected \`${hinted}\``);
  }
  const x = probe.exports();
  const exported = spec.kind === "extractor" ? typeof x.extractor?.extract === "function" : spec.kind === "assertion" ? typeof x.assertion?.check === "function" : exportedPhases.length > 0;
  if (!exported) {
    throw new WasmLoadError(
      `wasm plugin error: ${req.artifact} does not export ${INTERFACE_OF[spec.kind](wit)} (it exports ${transpiled.exports.join(", ") || "nothing"}); build it for world \`${WORLD_OF[spec.kind]}\`${spec.kind === "hook" ? " of wit/0.2/loadr.wit" : ""}`,
    );
  }
  spec.info = info;
  if (spec.kind === "hook") spec.hook = { phases: selectPhases(req, exportedPhases), priority: req.hook?.priority ?? 0 };
  else if (req.hook?.phase !== undefined || (req.hook?.priority ?? 0) !== 0) throw new WasmLoadError(`\`phase\` and \`priority\` apply to hooks; \`${req.name}\` is ${article(spec.kind)}`);
  const warnings: string[] = [];
  const started = probe.memoryBytes();
  if (started > highWaterOf(spec.memoryLimitBytes)) {
    const want = Math.ceil((started * 2) / (1024 * 1024));
    warnings.push(
      `plugin \`${req.name}\` starts with ${mib(started)} of memory, above 3/4 of its memory_limit (${mib(spec.memoryLimitBytes)}): it would be started again after every call; set \`memory_limit: ${want}MB\` on its \`plugins:\` entry`,
    );
  }
  return { spec, transpile: transpiled.source, loadMs: performance.now() - t0, warnings, imports };
}

/** The entry's `phase` list mapped to WIT phases (Loom's names accepted), each one the component must export; default: all it exports. */
function selectPhases(req: WasmLoadRequest, exported: HookPhaseName[]): HookPhaseName[] {
  if (req.hook?.phase === undefined) return exported;
  const out: HookPhaseName[] = [];
  for (const raw of req.hook.phase) {
    const p = PHASE_ALIASES[raw];
    if (p === undefined) throw new WasmLoadError(`unknown phase \`${raw}\` (use ${Object.keys(PHASE_ALIASES).join(", ")})`);
    if (!exported.includes(p)) throw new WasmLoadError(`phase \`${raw}\` needs the plugin to export ${PHASE_INTERFACE[p]}; it exports the phases ${exported.join(", ") || "none"}`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

