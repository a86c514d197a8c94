/**
 * Loading a plan's `js:` module (`file` or `script`) and the relative files it imports, each
 * parsed and transformed once (transform.ts), into a JsBundle the workers instantiate.
 *
 * What a module may import: the k6 modules (host-api.ts) and relative files under the plan's
 * directory. A remote URL is refused (no network at run time: vendor the file); so is any other
 * name, a file that does not exist, a file outside the plan's directory, and an import cycle.
 * Every refusal is one line with where the import is.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { HOST_MODULES, isHostModule } from "./host-api.ts";
import type { BundledModule, JsBundle } from "./bundle.ts";
import { isInside } from "./paths.ts";
import { readPlanText } from "../util/plan-file.ts";
import { JsLoadError, parseModule, transformModule, type ModuleExports } from "./transform.ts";

export { JsLoadError };

export interface JsBlockSpec {
  file?: string;
  script?: string;
  /** ms */
  timeout: number;
  memory_limit_mb: number;
}

/** The plan's module, or undefined when `js:` declares none (only settings for inline snippets). */
export function loadJsModule(js: JsBlockSpec | undefined, baseDir: string): JsBundle | undefined {
  if (js === undefined || (js.file === undefined && js.script === undefined)) return undefined;
  const root = resolve(baseDir);
  const modules: BundledModule[] = [];
  const done = new Map<string, ModuleExports>();
  const visiting: string[] = [];

  /** Load one module (its imports first); returns its exports. `path` undefined: the inline script. */
  const load = (path: string | undefined, text: string, id: string): ModuleExports => {
    const cached = done.get(id);
    if (cached !== undefined) return cached;
    visiting.push(id);
    const parsed = parseModule(text, id);
    const deps: Record<string, string> = {};
    const depExports = new Map<string, ModuleExports>();
    for (const imp of parsed.imports) {
      if (isHostModule(imp.spec) || deps[imp.spec] !== undefined) continue;
      const file = resolveImport(imp.spec, imp.at, path === undefined ? root : dirname(path), root);
      const depId = relative(root, file).split(sep).join("/");
      if (visiting.includes(depId)) throw new JsLoadError(`${imp.at}: import cycle ${[...visiting.slice(visiting.indexOf(depId)), depId].join(" → ")}: loadr modules cannot import each other in a cycle; move the shared code into a third file`);
      depExports.set(imp.spec, load(file, source(file, `${imp.at}: import \`${imp.spec}\``), depId));
      deps[imp.spec] = depId;
    }
    const t = transformModule(parsed, (spec) => depExports.get(spec));
    modules.push({ id, code: t.code, deps });
    done.set(id, t.exports);
    visiting.pop();
    return t.exports;
  };

  let exports: ModuleExports;
  if (js.script !== undefined) exports = load(undefined, js.script, "js.script");
  else {
    const file = resolve(root, js.file!);
    if (!existsSync(file) || !statSync(file).isFile()) throw new JsLoadError(`js.file: \`${js.file}\` does not exist (relative paths are from the plan's directory, ${root})`);
    exports = load(file, source(file, `js.file: \`${js.file}\``), relative(root, file).split(sep).join("/"));
  }
  return { modules, exports: Object.fromEntries(exports), timeoutMs: js.timeout, memoryLimitMb: js.memory_limit_mb, root };
}

function resolveImport(spec: string, at: string, fromDir: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new JsLoadError(`${at}: remote import \`${spec}\`: loadr does not download code at run time; save the file beside the plan and import it by a relative path (\`./${spec.split("/").pop()}\`)`);
  if (spec.startsWith("k6/") || spec === "k6")
    throw new JsLoadError(`${at}: module \`${spec}\` is not available in loadr (available: ${HOST_MODULES.join(", ")})`);
  if (!spec.startsWith("./") && !spec.startsWith("../") && !spec.startsWith("/"))
    throw new JsLoadError(`${at}: unknown module \`${spec}\`: a module can import ${HOST_MODULES.join(", ")} and relative files (\`./lib.js\`)`);
  const file = resolve(fromDir, spec);
  if (!isInside(root, file)) throw new JsLoadError(`${at}: import \`${spec}\` is outside the plan's directory (${root}); modules may only import files below it`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new JsLoadError(`${at}: import \`${spec}\`: no such file (${file})`);
  return file;
}

/** A module's source, at most 16 MiB as a plan (src/util/plan-file.ts); `what` says where it is named. */
function source(file: string, what: string): string {
  try {
    return readPlanText(file, "script");
  } catch (e) {
    throw new JsLoadError(`${what}: ${(e as Error).message}`);
  }
}
