/** Compiled templates (src/engine/worker/render.ts): the same text as renderTemplate, whatever the render memo remembers. */
import { describe, expect, test } from "bun:test";
import { compileTemplate, renderTemplate, UnresolvedError } from "../src/plan/template.ts";
import { compileRender } from "../src/engine/worker/render.ts";
import { nameAccessor } from "../src/engine/worker/name-resolution.ts";
import type { Vu } from "../src/engine/worker/vu.ts";
import { JsContext } from "../src/engine/worker/js/context.ts";

/** The slice of a VU that names read; dataRow counts its calls. */
function fakeVu(rows: Record<string, Record<string, string>> = {}) {
  const vu = {
    id: 3,
    iteration: 0,
    vars: new Map<string, unknown>(),
    rt: { name: "s", run: { env: { HOST: "h.example" }, variables: { planned: "p" }, secrets: {}, services: { db: { url: "redis://x" } } } },
    dataCalls: 0,
    dataRow(source: string) {
      vu.dataCalls++;
      return rows[source];
    },
    resolve: (expr: string) => undefined as unknown,
  };
  return vu;
}
const asVu = (v: ReturnType<typeof fakeVu>) => v as unknown as Vu;

describe("compileRender", () => {
  test("renders every kind of name as renderTemplate does", () => {
    const vu = fakeVu({ users: { name: "alice" } });
    vu.vars.set("token", "tok-1");
    vu.vars.set("n", 42);
    vu.vars.set("obj", { a: [1, 2] });
    vu.vars.set("nil", null);
    const src = "http://${env.HOST}/${vu}/${iteration}/${scenario}?u=${data.users.name}&t=${token}&n=${n}&o=${obj}&z=${nil}&p=${planned}&s=${services.db.url}";
    const expected = "http://h.example/3/0/s?u=alice&t=tok-1&n=42&o={\"a\":[1,2]}&z=null&p=p&s=redis://x";
    expect(compileRender(compileTemplate(src))(asVu(vu))).toBe(expected);
    // renderTemplate through the same names agrees
    const lookup = (e: string) => compileRender(compileTemplate("${" + e + "}"))(asVu(vu));
    expect(renderTemplate(compileTemplate(src), lookup)).toBe(expected);
  });

  test("an unresolved name throws UnresolvedError naming it", () => {
    const r = compileRender(compileTemplate("/a/${missing}"));
    expect(() => r(asVu(fakeVu()))).toThrow(UnresolvedError);
    try {
      r(asVu(fakeVu()));
    } catch (e) {
      expect((e as UnresolvedError).expr).toBe("missing");
    }
  });

  test("names resolve to the plan's own keys only, never to built-in object properties", () => {
    const vu = fakeVu({ u: { a: "x" } });
    for (const expr of ["env.toString", "vars.constructor", "vars.__proto__", "secrets.hasOwnProperty", "services.db.constructor", "data.u.constructor", "constructor", "toString"]) {
      expect([expr, nameAccessor(expr)(asVu(vu))]).toEqual([expr, undefined]);
    }
    expect(() => compileRender(compileTemplate("/${env.toString}"))(asVu(vu))).toThrow(UnresolvedError);
    expect(nameAccessor("data.u.a")(asVu(vu))).toBe("x");
  });

  test("the memo never returns a render for other values: first value equal, later ones not", () => {
    const r = compileRender(compileTemplate("/?t=${token}&f=${first}&g=${third}"));
    const vu = fakeVu();
    vu.vars.set("token", "T");
    vu.vars.set("first", "A");
    vu.vars.set("third", 1);
    expect(r(asVu(vu))).toBe("/?t=T&f=A&g=1");
    expect(r(asVu(vu))).toBe("/?t=T&f=A&g=1");
    vu.vars.set("first", "B");
    expect(r(asVu(vu))).toBe("/?t=T&f=B&g=1");
    vu.vars.set("third", "1"); // same text, other type: same output either way
    expect(r(asVu(vu))).toBe("/?t=T&f=B&g=1");
    vu.vars.set("third", 2);
    expect(r(asVu(vu))).toBe("/?t=T&f=B&g=2");
    vu.vars.set("first", "A");
    vu.vars.set("third", 1);
    expect(r(asVu(vu))).toBe("/?t=T&f=A&g=1");
  });

  test("objects are rendered afresh (a variable's object may change between renders)", () => {
    const r = compileRender(compileTemplate("${o}"));
    const vu = fakeVu();
    const o = { a: 1 };
    vu.vars.set("o", o);
    expect(r(asVu(vu))).toBe('{"a":1}');
    o.a = 2;
    expect(r(asVu(vu))).toBe('{"a":2}');
  });

  test("each name is resolved exactly once per render, hit or miss", () => {
    const r = compileRender(compileTemplate("${data.u.a}-${data.u.b}"));
    const vu = fakeVu({ u: { a: "x", b: "y" } });
    for (let i = 0; i < 5; i++) expect(r(asVu(vu))).toBe("x-y");
    expect(vu.dataCalls).toBe(10);
  });

  test("values that never repeat stay correct past the memo's bound and trial", () => {
    const r = compileRender(compileTemplate("/i/${n}"));
    const vu = fakeVu();
    for (let i = 0; i < 10_000; i++) {
      vu.vars.set("n", i);
      expect(r(asVu(vu))).toBe(`/i/${i}`);
    }
  });

  // renderTemplate turns each value into text when its name is reached; the compiled render
  // resolved every name first and stringified objects only at the end, so a later part saw them
  test("an object renders as it was when its name was reached, not after later parts ran", () => {
    const r = compileRender(compileTemplate("${cart}|${js: cart.push(2), 'x'}"));
    const vu = fakeVu();
    const cart = [1];
    vu.vars.set("cart", cart);
    const js = new JsContext({ cart }, 1000);
    const withJs = Object.assign(vu, { js: () => js });
    expect(r(asVu(withJs))).toBe("[1]|x");
    expect(cart).toEqual([1, 2]);
    // what renderTemplate gives, name by name through the same accessors
    cart.length = 1;
    const lookup = (e: string) => compileRender(compileTemplate("${" + e + "}"))(asVu(withJs));
    expect(renderTemplate(compileTemplate("${cart}|${js: cart.push(2), 'x'}"), lookup)).toBe("[1]|x");
  });

  test("a value that cannot be stringified fails the render before later names run (no data row fetched)", () => {
    const r = compileRender(compileTemplate("${loop}-${data.u.a}"));
    const vu = fakeVu({ u: { a: "x" } });
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    vu.vars.set("loop", loop);
    expect(() => r(asVu(vu))).toThrow(TypeError);
    expect(vu.dataCalls).toBe(0);
  });

  test("differential: shared compiled templates render as renderTemplate does, across VUs and changing values", () => {
    // seeded, so a failure replays; values that print alike but differ ("1"/1, "a"/"a "), objects
    // mutated in place, and VUs that take turns on the same compiled templates (one memo)
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T,>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
    const obj = { a: 1 };
    const arr: unknown[] = [1];
    const pool: unknown[] = ["1", 1, 1.5, "a", "a ", " a", "", "null", null, true, "true", false, 0, -0, "é", "${x}", obj, arr, [], {}];
    const names = ["a", "b", "c", "planned", "env.HOST", "env.NOPE", "vu", "iteration", "data.u.name", "data.u.nope", "data.none.x", "services.db.url", "missing"];
    const vus = [fakeVu({ u: { name: "alice" } }), fakeVu({ u: { name: "bob" } }), fakeVu({ u: { name: "alice " } })];
    vus.forEach((v, i) => Object.assign(v, { id: i + 1 }));
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (e) {
        return e instanceof UnresolvedError ? `unresolved ${e.expr}` : `error ${(e as Error).message}`;
      }
    };
    for (let round = 0; round < 150; round++) {
      let src = "";
      for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) src += pick(["", "/", "?q=", "$${x}", "$"]) + "${" + pick(names) + "}";
      const t = compileTemplate(src);
      const compiled = compileRender(t);
      for (let k = 0; k < 60; k++) {
        const vu = pick(vus);
        for (const n of ["a", "b", "c"]) if (rnd() < 0.4) rnd() < 0.1 ? vu.vars.delete(n) : vu.vars.set(n, pick(pool));
        if (rnd() < 0.2) obj.a++;
        if (rnd() < 0.2) arr.push("x");
        vu.iteration = k;
        const want = outcome(() => renderTemplate(t, (e) => nameAccessor(e)(asVu(vu))));
        const got = outcome(() => compiled(asVu(vu)));
        if (got !== want) throw new Error(`${src} for VU ${vu.id}: ${JSON.stringify(got)}, renderTemplate gives ${JSON.stringify(want)}`);
      }
    }
  });
});
