/**
 * The load-time transform of a `js:` module (docs/javascript.md "Synchronous-style scripts").
 *
 * k6's API is synchronous: `http.get` returns the response and `sleep` blocks the VU. loadr runs
 * many VUs on one thread, so those calls return promises here. The transform rewrites a module,
 * once per run, so that it keeps its synchronous meaning:
 *
 * - every call that waits — k6's blocking functions (host-api.ts), `group` with a callback that
 *   waits, and the module's own functions that (transitively) wait — becomes `(await …)`;
 * - every function containing such a call becomes `async` (a fixpoint over the module's calls,
 *   and over its imports' exports);
 * - a function that waits but is used where nothing awaits it (a callback passed to `forEach`, a
 *   getter, a value stored away) cannot keep its meaning: it is refused before any load, with
 *   its file:line:column;
 * - every loop gets a guard call (`__loadr_tick()`), so a runaway loop — even after an `await`,
 *   where the engine's own time limit no longer applies — ends at the call's time limit;
 * - `import`/`export` become a factory function the runtime calls once per VU context with its
 *   `import` function and an exports object. Lines are kept, so the engine's error locations are
 *   the file's own.
 *
 * A function the user wrote `async` stays as written, and calls to it are not awaited: it means
 * what it meant.
 *
 * The parser is acorn (maintained, ESTree, exact error locations). Measured against meriyah on a
 * 100 KB module: 128 ms vs 48 ms at load average 14 — a once-per-run cost on the main thread,
 * so acorn (already in the lockfile) over a second parser. Bun's own transpiler cannot do this
 * rewrite: it transpiles syntax but exposes no AST to change.
 */
import * as acorn from "acorn";
import { BLOCKING, GLOBAL_MODULE_OF, isHostModule } from "./host-api.ts";
import { children, declareLexical, hoistVars, isFunction, patternNames, Scope, type Binding, type N } from "./scope.ts";

/** What a module exports, as the modules importing it need to know. */
export interface ExportInfo {
  /** a function the transform made async: calls to it are awaited */
  readonly madeAsync: boolean;
  /** it is a function (exec/hooks must name one) */
  readonly fn: boolean;
}
export type ModuleExports = ReadonlyMap<string, ExportInfo>;

/** A module that failed to load, transform or run; the message is one line, `file:line:column: …` where known. */
export class JsLoadError extends Error {}

export interface ParsedModule {
  readonly file: string;
  readonly text: string;
  readonly ast: N;
  /** static import/re-export specifiers, in order, with where they are */
  readonly imports: { spec: string; at: string }[];
}

export interface TransformedModule {
  /** the factory's source: `(function (__loadr_import, __loadr_exports) {…})` */
  readonly code: string;
  readonly exports: ModuleExports;
}

export const TICK = "__loadr_tick";
const IMPORT = "__loadr_import";
const EXPORTS = "__loadr_exports";
const DEFAULT = "__loadr_default";

/** `file:line:column` of a node. */
function where(file: string, n: N): string {
  const l = n.loc!.start;
  return `${file}:${l.line}:${l.column + 1}`;
}

export function parseModule(text: string, file: string): ParsedModule {
  let ast: N;
  try {
    ast = acorn.parse(text, { ecmaVersion: "latest", sourceType: "module", locations: true }) as unknown as N;
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const msg = err.message.replace(/ \(\d+:\d+\)$/, "");
    throw new JsLoadError(err.loc ? `${file}:${err.loc.line}:${err.loc.column + 1}: SyntaxError: ${msg}` : `${file}: SyntaxError: ${msg}`);
  }
  const imports: { spec: string; at: string }[] = [];
  for (const st of ast.body as N[])
    if ((st.type === "ImportDeclaration" || st.type === "ExportAllDeclaration" || st.type === "ExportNamedDeclaration") && st.source)
      imports.push({ spec: String(st.source.value), at: where(file, st.source) });
  return { file, text, ast, imports };
}

/** How a call is known to the analysis. */
type Target =
  | { k: "host"; module: string; name: string }
  | { k: "group"; cb: N | undefined }
  | { k: "user"; fn: N }
  | { k: "method"; name: string }
  | { k: "unknown" };

interface Fn {
  readonly node: N;
  /** the user wrote `async` */
  readonly userAsync: boolean;
  makeAsync: boolean;
  /** what the function literal is, for refusals: undefined = a place where it can be awaited */
  misuse?: string;
  /** where `async` goes */
  asyncAt: number;
  /** a method or property function: member calls by this name may call it */
  methodName?: string;
  readonly calls: Call[];
}

interface Call {
  readonly node: N;
  readonly target: Target;
  /** the node to wrap in `(await …)`: the call, or its optional chain */
  readonly wrap: N;
  /** `await x` would bind differently there: `(await x)` */
  readonly parens: boolean;
  /** the user wrote `await` before it */
  readonly awaited: boolean;
  /** the callee as written, for messages */
  readonly text: string;
}

/** Rewrite one parsed module; `importExports(spec)` gives an imported local module's exports (host modules: undefined). */
export function transformModule(m: ParsedModule, importExports: (spec: string) => ModuleExports | undefined): TransformedModule {
  const { file, text, ast } = m;
  const fail = (n: N, msg: string): never => {
    throw new JsLoadError(`${where(file, n)}: ${msg}`);
  };
  const fns = new Map<N, Fn>();
  const topCalls: Call[] = [];
  const escapes: { fn: N; at: N; how: string }[] = [];
  const loops: N[] = [];
  /** where an expression statement of a statement list starts (an `(await …)` there needs a `;` before it) */
  const stmtStarts = new Set<number>();
  const edits: Edit[] = [];
  const exported = new Map<string, string>(); // export name → local expression
  const importLines: string[] = [];

  const calleeText = (n: N) => {
    const s = text.slice(n.start, n.end).replace(/\s+/g, " ");
    return s.length > 40 ? s.slice(0, 39) + "…" : s;
  };

  /** What a call's callee is. */
  const targetOf = (call: N, scope: Scope): Target => {
    const c = call.callee;
    if (isFunction(c)) return { k: "user", fn: c };
    if (c.type === "Identifier") {
      const b = scope.lookup(c.name);
      if (b === undefined) {
        const g = GLOBAL_MODULE_OF[c.name];
        if (g?.name === "group") return { k: "group", cb: call.arguments[1] };
        return g?.name ? { k: "host", module: g.module, name: g.name } : { k: "unknown" };
      }
      if (b.fn) return { k: "user", fn: b.fn };
      if (b.imported && b.imported.name !== "*") return importedTarget(b.imported.spec, b.imported.name, call);
      return { k: "unknown" };
    }
    if (c.type === "MemberExpression") {
      const prop = !c.computed ? c.property.name : c.property.type === "Literal" ? String(c.property.value) : undefined;
      if (prop === undefined) return { k: "unknown" };
      if (c.object.type === "Identifier") {
        const b = scope.lookup(c.object.name);
        if (b === undefined && GLOBAL_MODULE_OF[c.object.name]?.name === undefined && GLOBAL_MODULE_OF[c.object.name])
          return { k: "host", module: GLOBAL_MODULE_OF[c.object.name]!.module, name: prop };
        if (b?.imported && (b.imported.name === "*" || (b.imported.name === "default" && isHostModule(b.imported.spec))))
          return importedTarget(b.imported.spec, prop, call);
        if (b?.methods?.has(prop)) return { k: "user", fn: b.methods.get(prop)! };
      }
      return { k: "method", name: prop };
    }
    return { k: "unknown" };
  };

  const importedTarget = (spec: string, name: string, call: N): Target => {
    if (isHostModule(spec)) {
      if (spec === "k6" && name === "group") return { k: "group", cb: call.arguments[1] };
      return { k: "host", module: spec, name };
    }
    const info = importExports(spec)?.get(name);
    return info?.madeAsync ? { k: "host", module: spec, name } : { k: "unknown" };
  };

  const fnOf = (node: N): Fn => {
    let f = fns.get(node);
    if (f === undefined) fns.set(node, (f = { node, userAsync: node.async === true, makeAsync: false, asyncAt: node.start, calls: [] }));
    return f;
  };

  // ---- the walk: scopes, calls, function uses, loops, imports/exports ----
  const parentOf = new Map<N, N | null>();
  const walk = (node: N, parent: N | null, scope: Scope, fn: Fn | null): void => {
    parentOf.set(node, parent);
    switch (node.type) {
      case "ImportDeclaration": {
        const src = String(node.source.value);
        const parts: string[] = [];
        const named: string[] = [];
        for (const s of node.specifiers) {
          const local = s.local.name;
          if (s.type === "ImportDefaultSpecifier") {
            scope.declare(local, "import").imported = { spec: src, name: "default" };
            parts.push(`${local} = ${IMPORT}(${JSON.stringify(src)}).default`);
          } else if (s.type === "ImportNamespaceSpecifier") {
            scope.declare(local, "import").imported = { spec: src, name: "*" };
            parts.push(`${local} = ${IMPORT}(${JSON.stringify(src)})`);
          } else {
            const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
            scope.declare(local, "import").imported = { spec: src, name: imported };
            named.push(`${JSON.stringify(imported)}: ${local}`);
          }
        }
        if (named.length) parts.push(`{ ${named.join(", ")} } = ${IMPORT}(${JSON.stringify(src)})`);
        importLines.push(parts.length ? `const ${parts.join(", ")};` : `${IMPORT}(${JSON.stringify(src)});`);
        blank(node);
        return;
      }
      case "ExportNamedDeclaration": {
        if (node.declaration) {
          edits.push({ start: node.start, end: node.declaration.start, text: "" });
          const d = node.declaration;
          const names = d.type === "VariableDeclaration" ? d.declarations.flatMap((x: N) => patternNames(x.id)).map((i: N) => i.name) : [d.id.name];
          for (const n of names) exported.set(n, n);
          walk(d, node, scope, fn);
          return;
        }
        const from = node.source ? String(node.source.value) : undefined;
        for (const s of node.specifiers) {
          const local = s.local.type === "Identifier" ? s.local.name : String(s.local.value);
          const name = s.exported.type === "Identifier" ? s.exported.name : String(s.exported.value);
          if (from !== undefined) exported.set(name, `${IMPORT}(${JSON.stringify(from)})[${JSON.stringify(local)}]`);
          else exported.set(name, local);
        }
        blank(node);
        return;
      }
      case "ExportAllDeclaration": {
        const from = JSON.stringify(String(node.source.value));
        if (node.exported) exported.set(node.exported.type === "Identifier" ? node.exported.name : String(node.exported.value), `${IMPORT}(${from})`);
        else importLines.push(`for (const [k, v] of Object.entries(${IMPORT}(${from}))) if (k !== "default") ${EXPORTS}[k] = v;`);
        blank(node);
        return;
      }
      case "ExportDefaultDeclaration": {
        const d = node.declaration;
        if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id) {
          edits.push({ start: node.start, end: d.start, text: "" });
          exported.set("default", d.id.name);
        } else {
          edits.push({ start: node.start, end: d.start, text: `const ${DEFAULT} = ` });
          edits.push({ start: d.end, end: d.end, text: ";" });
          exported.set("default", DEFAULT);
        }
        if (isFunction(d)) fnOf(d);
        walk(d, node, scope, fn);
        return;
      }
      case "ImportExpression":
        return fail(node, "dynamic `import()` is not supported: use a static `import` at the top of the module");
      case "MetaProperty":
        if (node.meta.name === "import") return fail(node, "`import.meta` is not supported in a loadr module");
        return;
      case "AwaitExpression":
        if (fn === null) return fail(node, "top-level `await` is not supported: put it in `setup()` or an exported function");
        break;
      case "ForOfStatement":
        if (node.await && fn === null) return fail(node, "top-level `for await` is not supported: put it in `setup()` or an exported function");
        break;
      case "Identifier":
        noteUse(node, scope, useOf(node, parent));
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return walkFunction(node, parent, scope);
      case "ExpressionStatement":
        if (parent !== null && STATEMENT_LISTS.has(parent.type)) stmtStarts.add(node.start);
        break;
      case "CallExpression": {
        const target = targetOf(node, scope);
        const chained = parent?.type === "ChainExpression";
        const wrap = chained ? parent : node;
        const outer = chained ? parentOf.get(parent) : parent;
        const call: Call = { node, target, wrap, parens: needsParens(wrap, outer), awaited: parent?.type === "AwaitExpression", text: calleeText(node.callee) };
        (fn ? fn.calls : topCalls).push(call);
        break;
      }
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition": {
        if (node.computed) walk(node.key, node, scope, fn);
        if (node.value) walk(node.value, node, scope, fn);
        return;
      }
      case "MemberExpression":
        walk(node.object, node, scope, fn);
        if (node.computed) walk(node.property, node, scope, fn);
        return;
      case "LabeledStatement":
      case "BreakStatement":
      case "ContinueStatement":
        if (node.body) walk(node.body, node, scope, fn);
        return;
      case "BlockStatement":
      case "StaticBlock": {
        if (parent !== null && isFunction(parent)) break; // the function's scope holds its body's names
        const inner = new Scope(scope);
        declareLexical(node.body, inner);
        for (const c of node.body) walk(c, node, inner, fn);
        return;
      }
      case "SwitchStatement": {
        walk(node.discriminant, node, scope, fn);
        const inner = new Scope(scope);
        declareLexical(node.cases.flatMap((c: N) => c.consequent), inner);
        for (const c of node.cases) walk(c, node, inner, fn);
        return;
      }
      case "ForStatement":
      case "ForInStatement": {
        loops.push(node);
        const inner = new Scope(scope);
        const init = node.type === "ForStatement" ? node.init : node.left;
        if (init?.type === "VariableDeclaration" && init.kind !== "var") declareLexical([init], inner);
        for (const c of children(node)) walk(c, node, inner, fn);
        return;
      }
      case "WhileStatement":
      case "DoWhileStatement":
        loops.push(node);
        break;
      case "CatchClause": {
        const inner = new Scope(scope);
        for (const id of patternNames(node.param)) inner.declare(id.name, "catch");
        walk(node.body, node, inner, fn);
        return;
      }
      case "ClassDeclaration":
      case "ClassExpression":
        if (node.superClass) walk(node.superClass, node, scope, fn);
        walk(node.body, node, scope, fn);
        return;
    }
    if (node.type === "ForOfStatement") {
      loops.push(node);
      const inner = new Scope(scope);
      if (node.left.type === "VariableDeclaration" && node.left.kind !== "var") declareLexical([node.left], inner);
      for (const c of children(node)) walk(c, node, inner, fn);
      return;
    }
    for (const c of children(node)) walk(c, node, scope, fn);
  };

  const walkFunction = (node: N, parent: N | null, scope: Scope): void => {
    const f = fnOf(node);
    const inner = new Scope(scope);
    if (node.type === "FunctionExpression" && node.id) inner.declare(node.id.name, "function").fn = node;
    for (const p of node.params) for (const id of patternNames(p)) inner.declare(id.name, "param");
    if (node.body.type === "BlockStatement") {
      hoistVars(node.body, inner);
      declareLexical(node.body.body, inner);
    }
    // how the function literal is used: where can its promise be awaited?
    const objectArg = parent?.type === "Property" ? calledWith(parentOf.get(parent)) : undefined;
    if (objectArg !== undefined) f.misuse = `a function in an object passed to \`${objectArg}\``;
    else if (parent?.type === "MethodDefinition" || (parent?.type === "Property" && (parent.method || parent.kind !== "init"))) {
      const kind = parent.kind;
      if (kind === "get" || kind === "set") f.misuse = `a ${kind}ter`;
      else if (kind === "constructor") f.misuse = "a constructor";
      else {
        f.methodName = parent.computed ? undefined : parent.key.type === "Identifier" ? parent.key.name : String(parent.key.value);
        f.asyncAt = parent.computed ? text.lastIndexOf("[", parent.key.start) : parent.key.start;
        if (f.methodName === undefined) f.misuse = "a method with a computed name";
      }
    } else if (parent?.type === "Property") {
      f.methodName = parent.computed ? undefined : parent.key.type === "Identifier" ? parent.key.name : String(parent.key.value);
      if (f.methodName === undefined) f.misuse = "a property with a computed name";
    } else if (parent?.type === "PropertyDefinition") {
      f.methodName = parent.computed ? undefined : parent.key.name;
      if (f.methodName === undefined) f.misuse = "a class field with a computed name";
    } else if (parent?.type === "CallExpression" && parent.callee !== node) {
      const idx = parent.arguments.indexOf(node);
      const t = targetOf(parent, scope);
      if (!(t.k === "group" && idx === 1)) f.misuse = `a callback passed to \`${calleeText(parent.callee)}\``;
    } else if (parent?.type === "AssignmentExpression" && parent.left.type === "MemberExpression" && !parent.left.computed) {
      f.methodName = parent.left.property.name;
    } else if (
      !(parent === null || node.type === "FunctionDeclaration" || parent.type === "VariableDeclarator" || parent.type === "ExportDefaultDeclaration" ||
        (parent.type === "CallExpression" && parent.callee === node))
    )
      f.misuse = "a value passed on";
    if (node.generator) f.misuse = "a generator";
    for (const p of node.params) walk(p, node, inner, f);
    walk(node.body, node, inner, f);
  };

  /** The callee's text when an object literal is an argument of a call (`check(res, {…})`): its functions are the callee's to call. */
  const calledWith = (obj: N | null | undefined): string | undefined => {
    const call = obj ? parentOf.get(obj) : undefined;
    return obj?.type === "ObjectExpression" && call?.type === "CallExpression" && call.arguments.includes(obj) ? calleeText(call.callee) : undefined;
  };

  /** An identifier used as a value: a module function used other than by a call may be run where nothing awaits it. */
  const noteUse = (id: N, scope: Scope, how: string | undefined) => {
    if (how === undefined) return;
    const b: Binding | undefined = scope.lookup(id.name);
    if (b?.fn !== undefined) escapes.push({ fn: b.fn, at: id, how });
  };

  const blank = (node: N) => {
    const lines = text.slice(node.start, node.end).split("\n").length - 1;
    edits.push({ start: node.start, end: node.end, text: "\n".repeat(lines) });
  };

  const moduleScope = new Scope(null);
  declareLexical(ast.body, moduleScope);
  hoistVars(ast, moduleScope);
  for (const st of ast.body) walk(st, ast, moduleScope, null);

  // ---- which functions wait: a fixpoint ----
  const asyncMethods = new Set<string>();
  const waits = (c: Call): boolean => {
    const t = c.target;
    switch (t.k) {
      case "host":
        return isHostModule(t.module) ? BLOCKING[t.module]?.has(t.name) === true : true; // a local import's made-async function
      case "group": {
        if (t.cb === undefined) return false;
        if (isFunction(t.cb)) return fns.get(t.cb)?.makeAsync === true;
        return true; // a callback it cannot see: awaiting a plain value costs nothing
      }
      case "user":
        return fns.get(t.fn)?.makeAsync === true;
      case "method":
        return asyncMethods.has(t.name);
      default:
        return false;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of fns.values()) {
      if (f.makeAsync || f.userAsync || !f.calls.some(waits)) continue;
      f.makeAsync = true;
      if (f.methodName !== undefined) asyncMethods.add(f.methodName);
      changed = true;
    }
  }

  // ---- what the transform cannot make wait: refused with its location ----
  const firstWait = (f: Fn) => f.calls.find(waits)!;
  for (const c of topCalls) if (waits(c)) fail(c.node, `\`${c.text}\` waits, and the init code (outside any function) cannot wait: move it into \`setup()\` or an exported function`);
  for (const f of fns.values()) {
    if (!f.makeAsync || f.misuse === undefined) continue;
    const c = firstWait(f);
    fail(c.node, `\`${c.text}\` waits, but it is called in ${f.misuse}, which loadr cannot make wait for it; use a plain \`for\`/\`for…of\` loop or a named function called directly (docs/javascript.md)`);
  }
  for (const e of escapes) {
    const f = fns.get(e.fn);
    if (f?.makeAsync) fail(e.at, `\`${e.at.name}\` waits (\`${firstWait(f).text}\`), but it is used here as ${e.how}, where loadr cannot make anything wait for it; call it directly (docs/javascript.md)`);
  }

  // ---- the edits ----
  for (const f of fns.values()) if (f.makeAsync) edits.push({ start: f.asyncAt, end: f.asyncAt, text: "async " });
  for (const f of [...fns.values(), { calls: topCalls } as Fn])
    for (const c of f.calls)
      if (!c.awaited && waits(c)) {
        const span = c.wrap.end - c.wrap.start;
        if (!c.parens) edits.push({ start: c.wrap.start, end: c.wrap.start, text: "await ", span });
        else {
          edits.push({ start: c.wrap.start, end: c.wrap.start, text: "(await ", span, asi: stmtStarts.has(c.wrap.start) });
          edits.push({ start: c.wrap.end, end: c.wrap.end, text: ")", span, closes: true });
        }
      }
  for (const l of loops) {
    const body = l.body;
    if (body.type === "BlockStatement") edits.push({ start: body.start + 1, end: body.start + 1, text: `${TICK}();` });
    else {
      // the braces enclose everything else inserted at the body's ends
      const span = OUTERMOST + body.end - body.start;
      edits.push({ start: body.start, end: body.start, text: `{${TICK}();`, span });
      edits.push({ start: body.end, end: body.end, text: "}", span, closes: true });
    }
  }

  const exports = new Map<string, ExportInfo>();
  const local = moduleScope;
  for (const [name, expr] of exported) {
    const b = local.vars.get(expr);
    const fnNode = b?.fn ?? (expr === DEFAULT && isFunction(ast.body.find((s: N) => s.type === "ExportDefaultDeclaration")?.declaration) ? ast.body.find((s: N) => s.type === "ExportDefaultDeclaration").declaration : undefined);
    const f = fnNode ? fns.get(fnNode) : undefined;
    let info: ExportInfo = { madeAsync: f?.makeAsync === true, fn: fnNode !== undefined };
    if (b?.imported && !isHostModule(b.imported.spec)) info = importExports(b.imported.spec)?.get(b.imported.name) ?? info;
    exports.set(name, info);
  }
  const body = applyEdits(text, edits);
  const tail = [...exported].map(([name, expr]) => `${EXPORTS}[${JSON.stringify(name)}] = ${expr};`).join(" ");
  const code = `(function (${IMPORT}, ${EXPORTS}) {"use strict"; ${importLines.join(" ")} ${body}\n;${tail}\n})`;
  return { code, exports };
}

/** A text edit: replace [start, end) with text. Insertions at one point: closings first (inner first), then openings (outer first). */
interface Edit {
  start: number;
  end: number;
  text: string;
  span?: number;
  closes?: boolean;
  /** an opening `(` where an expression statement starts: when nothing is inserted before it, a `;` keeps the previous line from running into it */
  asi?: boolean;
}

const OUTERMOST = 1e12;

function applyEdits(text: string, edits: Edit[]): string {
  edits.sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    const ka = a.end > a.start ? 2 : a.closes ? 0 : 1;
    const kb = b.end > b.start ? 2 : b.closes ? 0 : 1;
    if (ka !== kb) return ka - kb;
    return ka === 0 ? (a.span ?? 0) - (b.span ?? 0) : (b.span ?? 0) - (a.span ?? 0);
  });
  let out = "";
  let at = 0;
  let last = -1;
  for (const e of edits) {
    if (e.start < at) continue; // inside a replaced range (never happens for the edits made above)
    out += text.slice(at, e.start) + (e.asi && last !== e.start ? ";" : "") + e.text;
    last = e.start;
    at = e.end;
  }
  return out + text.slice(at);
}

/** How an identifier is used, when it is used as a value that escapes; undefined when it is called, declared or not a use. */
function useOf(id: N, parent: N | null): string | undefined {
  if (parent === null) return "a value";
  switch (parent.type) {
    case "CallExpression":
      return parent.callee === id ? undefined : `an argument of \`${parent.callee.type === "Identifier" ? parent.callee.name : parent.callee.type === "MemberExpression" && !parent.callee.computed ? parent.callee.property.name : "a call"}\``;
    case "VariableDeclarator":
      return parent.id === id ? undefined : "a value";
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return parent.body === id ? "a return value" : undefined; // names and parameters
    case "ClassDeclaration":
    case "ClassExpression":
      return parent.id === id ? undefined : "a value";
    case "ExportSpecifier":
    case "ExportDefaultDeclaration":
      return undefined;
    case "ImportSpecifier":
    case "ImportDefaultSpecifier":
    case "ImportNamespaceSpecifier":
      return undefined;
    case "CatchClause":
      return undefined;
    case "AssignmentPattern":
      return parent.left === id ? undefined : "a default value";
    case "UpdateExpression":
    case "UnaryExpression":
    case "BinaryExpression":
    case "LogicalExpression":
      return parent.operator === "typeof" || parent.type === "BinaryExpression" || parent.type === "UpdateExpression" ? undefined : "a value";
    case "AssignmentExpression":
      return parent.left === id ? undefined : "a value";
    case "IfStatement":
    case "ConditionalExpression":
      return parent.test === id ? undefined : "a value";
    default:
      return "a value";
  }
}

const STATEMENT_LISTS = new Set(["Program", "BlockStatement", "StaticBlock", "SwitchCase"]);

/** Does `await <node>` need parentheses where the node stands (a member's object, a callee, the left of `**`)? */
function needsParens(node: N, parent: N | null | undefined): boolean {
  if (parent == null) return false;
  switch (parent.type) {
    case "MemberExpression":
      return parent.object === node;
    case "CallExpression":
    case "NewExpression":
      return parent.callee === node;
    case "TaggedTemplateExpression":
      return parent.tag === node;
    case "BinaryExpression":
      return parent.operator === "**" && parent.left === node;
    default:
      return false;
  }
}
