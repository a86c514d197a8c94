/**
 * Just enough scope analysis for the transform (transform.ts): which declaration an identifier
 * names, so that `http.get` means k6's http only when `http` is the import (or the unshadowed
 * global), and a call `login()` is known to call the module's own `login`.
 *
 * ES module rules: `var` and parameters belong to the function, `let`/`const`/`class` and
 * function declarations to their block (module code is strict), imports to the module.
 */
export interface N {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: any;
}

export type BindingKind = "function" | "var" | "let" | "param" | "import" | "class" | "catch";

export interface Binding {
  readonly name: string;
  readonly kind: BindingKind;
  /** the function it names: a declaration, or a `const f = () => …` / `function` expression */
  fn?: N;
  /** `const api = { login() {…} }`: its function-valued properties by name */
  methods?: Map<string, N>;
  /** an import: the specifier and the imported name (`default`, `*` for a namespace) */
  imported?: { spec: string; name: string };
}

export class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Binding | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const b = s.vars.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  declare(name: string, kind: BindingKind): Binding {
    const b: Binding = { name, kind };
    this.vars.set(name, b);
    return b;
  }
}

export const isFunction = (n: N | null | undefined): boolean =>
  n != null && (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression");

/** The identifiers a binding pattern declares. */
export function patternNames(p: N | null | undefined, out: N[] = []): N[] {
  if (p == null) return out;
  switch (p.type) {
    case "Identifier":
      out.push(p);
      break;
    case "ObjectPattern":
      for (const prop of p.properties) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements) patternNames(el, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
  }
  return out;
}

/** Declare a block's own lexical names (`let`, `const`, `class`, function declarations). */
export function declareLexical(statements: readonly N[], scope: Scope): void {
  for (const raw of statements) {
    const st = raw.type === "ExportNamedDeclaration" || raw.type === "ExportDefaultDeclaration" ? raw.declaration : raw;
    if (st == null) continue;
    if (st.type === "VariableDeclaration" && st.kind !== "var") declareVariables(st, scope, "let");
    else if (st.type === "FunctionDeclaration" && st.id) scope.declare(st.id.name, "function").fn = st;
    else if (st.type === "ClassDeclaration" && st.id) scope.declare(st.id.name, "class");
  }
}

/** `var` declarations anywhere in a function body (not in nested functions) belong to the function. */
export function hoistVars(node: N | null | undefined, scope: Scope): void {
  if (node == null) return;
  if (isFunction(node) || node.type === "ClassDeclaration" || node.type === "ClassExpression") return;
  if (node.type === "VariableDeclaration" && node.kind === "var") {
    declareVariables(node, scope, "var");
    return;
  }
  for (const child of children(node)) hoistVars(child, scope);
}

function declareVariables(decl: N, scope: Scope, kind: BindingKind): void {
  for (const d of decl.declarations) {
    for (const id of patternNames(d.id)) {
      const b = scope.declare(id.name, kind);
      if (d.id.type !== "Identifier") continue;
      if (isFunction(d.init)) b.fn = d.init;
      else if (d.init?.type === "ObjectExpression") b.methods = objectMethods(d.init);
    }
  }
}

/** The function-valued, statically named properties of an object literal. */
export function objectMethods(obj: N): Map<string, N> {
  const out = new Map<string, N>();
  for (const p of obj.properties) {
    if (p.type !== "Property" || p.computed || !isFunction(p.value)) continue;
    const name = p.key.type === "Identifier" ? p.key.name : String(p.key.value);
    out.set(name, p.value);
  }
  return out;
}

/** The child nodes of a node, in source order. */
export function* children(node: N): Generator<N> {
  for (const key in node) {
    if (key === "loc" || key === "start" || key === "end" || key === "type") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c !== null && typeof c === "object" && typeof c.type === "string") yield c;
    } else if (v !== null && typeof v === "object" && typeof v.type === "string") yield v;
  }
}
