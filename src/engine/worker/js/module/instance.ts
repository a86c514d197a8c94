/**
 * The `js:` module as one VU sees it: its modules evaluated in the VU's own context (k6's "init
 * code" runs once per VU), and every call into it under the module's limits:
 *
 * - **time**: each call has a deadline (`js.timeout`). Synchronous code is stopped by the loop
 *   guards the transform put in every loop (`__loadr_tick`, src/js/transform.ts); a call that
 *   waits is watched (watchdog.ts) and, past its deadline, fails with `script timed out` while the
 *   VU moves on; the abandoned call dies at its next wait (every host wait checks the call is
 *   still current) or loop guard.
 * - **memory**: a call does not start while the worker's JS heap is over the guard (memory-guard.ts).
 *
 * Calling an exported function is a direct call (no `vm` round trip): a few tens of ns, so a
 * `beforeRequest` on every request stays cheap.
 */
import vm from "node:vm";
import type { Vu } from "../../vu.ts";
import { JsError } from "../errors.ts";
import type { ModuleRuntime } from "./runtime.ts";

/** The runner's own control flow crossing a JS call (not a script failure): marked so JS error handling passes it on. */
export class HostSignal extends Error {
  readonly crossesJs = true;
}
/** The VU was cancelled (graceful period over, ramp-down): its script stops at its next wait. */
export class VuCancelled extends HostSignal {}
/** `exec.test.abort()` */
export class AbortTestSignal extends HostSignal {}

/** loop guard checks between clock reads */
const TICK_BUDGET = 1024;
/** a call's loop guard checks before its first clock read, which starts its deadline if nothing has */
const FIRST_TICKS = 16;

const noop = (): void => {};

export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";

/** What a waited-for call's outcome becomes (settle()): made once per place that calls, not per call. */
export interface Settler<R> {
  done(inst: ModuleInstance, value: unknown): R;
  failed(inst: ModuleInstance, error: unknown): R;
}

const AS_RESULT: Settler<{ ok: boolean; v: unknown }> = {
  done: (_, v) => ({ ok: true, v }),
  failed: (_, e) => ({ ok: false, v: e }),
};

/**
 * One wait of a call for its promise (settle()): its resolver and settler. An instance reuses one
 * for its calls one after another; a call that times out leaves its waiter dead, so that the
 * abandoned promise, if it ever settles, answers no one.
 */
class Waiter {
  resolve: ((v: unknown) => void) | undefined;
  settler: Settler<unknown> | undefined;
  dead = false;
  constructor(private readonly inst: ModuleInstance) {}
  readonly start = (resolve: (v: unknown) => void): void => {
    this.resolve = resolve;
  };
  readonly onValue = (v: unknown): void => {
    if (!this.dead) this.inst.answer(this, this.settler!.done(this.inst, v));
  };
  readonly onError = (e: unknown): void => {
    if (!this.dead) this.inst.answer(this, this.settler!.failed(this.inst, e));
  };
}

export class ModuleInstance {
  /**
   * The current call's deadline (performance.now() ms); Infinity until the first clock read of the
   * call — its loop guard's, its sleep's or the watchdog's while it waits — sets it (deadlineAt):
   * a call that neither loops long nor waits long reads no clock at all (a beforeRequest on every
   * request). The limit so counts from at most FIRST_TICKS loop passes or one watchdog check
   * (watchdog.ts) after the call began: late by that much, never early.
   */
  deadline = Infinity;
  /** bumped by every call and by a timeout: a wait that resumes into another generation throws */
  gen = 0;
  private budget = TICK_BUDGET;
  /** the entry module's exports (objects of the VU's realm) */
  exports: Record<string, unknown> = {};
  /** the VU context's JSON (values handed to the script are of its own realm) */
  json!: JSON;
  /**
   * The VU context's Promise: a host wait hands the script a promise of its own realm, which its
   * `await` takes as is (a promise of another realm is a mere thenable to it: one more job, one
   * more promise and its resolvers per wait). newPromise() makes one and leaves its resolvers here.
   */
  private realmPromise!: PromiseConstructor;
  resolveNew: (v: unknown) => void = noop;
  rejectNew: (e: unknown) => void = noop;
  private readonly capture = (resolve: (v: unknown) => void, reject: (e: unknown) => void): void => {
    this.resolveNew = resolve;
    this.rejectNew = reject;
  };

  /** A promise of the VU's realm; its resolvers are in resolveNew/rejectNew until the next one. */
  newPromise<T>(): Promise<T> {
    return new this.realmPromise(this.capture) as Promise<T>;
  }
  /** host module objects of this instance, by specifier (made on first import or global use) */
  readonly hostModules = new Map<string, Record<string, unknown>>();

  constructor(
    readonly vu: Vu,
    readonly rt: ModuleRuntime,
  ) {}

  /** `__loadr_tick`: a loop's guard. Cheap: a clock read every TICK_BUDGET passes. */
  readonly tick = (): void => {
    if (--this.budget > 0) return;
    this.budget = TICK_BUDGET;
    const now = performance.now();
    if (now > this.deadlineAt(now)) {
      this.budget = 0; // every further pass throws too, however the script catches
      this.deadline = -Infinity; // and every further wait
      throw this.timeoutError();
    }
  };

  timeoutError(): JsError {
    return new JsError(`script timed out (limit ${this.rt.bundle.timeoutMs}ms)`);
  }

  /** Evaluate the bundle's modules in the VU's context (once per VU). Throws JsError on an exception in the init code. */
  evaluate(ctx: vm.Context): void {
    this.json = vm.runInContext("JSON", ctx) as JSON;
    this.realmPromise = vm.runInContext("Promise", ctx) as PromiseConstructor;
    const byId = new Map<string, Record<string, unknown>>();
    this.begin();
    try {
      for (const m of this.rt.bundle.modules) {
        const factory = this.rt.factory(m.id).runInContext(ctx) as (imp: (spec: string) => unknown, exp: Record<string, unknown>) => void;
        const exports = vm.runInContext("Object.create(null)", ctx) as Record<string, unknown>;
        factory((spec) => {
          const dep = m.deps[spec];
          return dep !== undefined ? byId.get(dep) : this.rt.hostModule(this, spec);
        }, exports);
        byId.set(m.id, exports);
      }
    } finally {
      this.deadline = Infinity;
    }
    this.exports = byId.get(this.rt.bundle.modules.at(-1)!.id)!;
  }

  /** An exported function, or undefined. */
  fn(name: string): ((...args: unknown[]) => unknown) | undefined {
    const f = this.exports[name];
    return typeof f === "function" ? (f as (...args: unknown[]) => unknown) : undefined;
  }

  private begin(): void {
    this.gen++;
    this.budget = FIRST_TICKS;
    this.deadline = Infinity;
  }

  /** The current call's deadline, counted from `now` when this is the call's first clock read. */
  deadlineAt(now: number): number {
    if (this.deadline === Infinity) this.deadline = now + this.rt.bundle.timeoutMs;
    return this.deadline;
  }

  /**
   * Call a function of the module under its limits: its value, or — when the function waits — its
   * promise, which the caller hands to settle(). Throws JsError on a timeout of its synchronous
   * part or the memory guard; the script's own exceptions come through as thrown.
   */
  call(f: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    this.enter();
    return f(...args);
  }

  /** call() with one argument, without an arguments array (the per-request calls: hooks, js.call, on_start) */
  call1(f: (a: unknown) => unknown, a: unknown): unknown {
    this.enter();
    return f(a);
  }

  /** call() with two arguments (exec) */
  call2(f: (a: unknown, b: unknown) => unknown, a: unknown, b: unknown): unknown {
    this.enter();
    return f(a, b);
  }

  private enter(): void {
    if (this.rt.memory.over) throw new JsError(this.rt.memory.message());
    this.begin();
  }

  /** the pending call's waiter (settle), for the watchdog; null when no call waits */
  pending: Waiter | null = null;
  /** the waiter this instance's calls reuse, one after another */
  private spare: Waiter | undefined;
  /** the watchdog has this instance in its list (watchdog.ts) */
  watched = false;

  /**
   * A call's promise, bounded by its deadline (watchdog.ts): `s.done(value)` or `s.failed(error)`
   * once it settles — or `s.failed(script timed out)` at the deadline, the call abandoned (its
   * next wait throws). One promise per call that waits and no closure: the instance's waiter
   * carries the call's settler and resolver.
   */
  settle<R>(r: PromiseLike<unknown>, s: Settler<R>): Promise<R> {
    let w = this.spare;
    if (w === undefined || w.settler !== undefined) w = new Waiter(this); // none yet, or a call in a call
    else this.spare = undefined;
    w.settler = s as Settler<unknown>;
    const p = new Promise<R>(w.start as (resolve: (v: R) => void) => void);
    this.pending = w;
    this.rt.watchdog.watch(this);
    r.then(w.onValue, w.onError);
    return p;
  }

  /** A waiter's call settled (or timed out): answer its caller; the waiter is free for the next call. */
  answer(w: Waiter, result: unknown): void {
    const resolve = w.resolve!;
    w.resolve = undefined;
    w.settler = undefined;
    if (this.pending === w) this.pending = null;
    if (!w.dead) this.spare = w;
    resolve(result);
  }

  /** A call's value, waited for when it is a promise (bounded by the deadline); throws what the call threw. */
  async value(r: unknown): Promise<unknown> {
    if (!isThenable(r)) return r;
    const out = await this.settle(r, AS_RESULT);
    if (!out.ok) throw out.v;
    return out.v;
  }

  /**
   * Before a host function waits: the VU must not be cancelled, and the call not timed out (the
   * watchdog and the loop guards find a call past its deadline; no clock read per request here).
   */
  live(): void {
    if (this.vu.cancelled) throw new VuCancelled("the VU was stopped");
    if (this.deadline === -Infinity) throw this.timeoutError();
  }

  /** A host wait, as a promise of the script's realm: resumes the script only if its call is still the current one. */
  wait<T>(p: Promise<T>): Promise<T> {
    const gen = this.gen;
    const out = this.newPromise<T>();
    const resolve = this.resolveNew;
    const reject = this.rejectNew;
    p.then((v) => this.resume(gen, resolve, reject, v), reject);
    return out;
  }

  /** Resolve a realm promise of call `gen` (newPromise's resolvers) with `v`, or reject it when the call is no longer current (resumed()). */
  resume(gen: number, resolve: (v: unknown) => void, reject: (e: unknown) => void, v: unknown): void {
    try {
      this.resumed(gen);
    } catch (e) {
      return reject(e);
    }
    resolve(v);
  }

  /** A host wait that started in call `gen` resumes the script: only if that call is still current and the VU runs. */
  resumed(gen: number): void {
    if (gen !== this.gen) throw new JsError("a wait outlived its call (the call timed out, or returned without waiting for it)");
    if (this.vu.cancelled) throw new VuCancelled("the VU was stopped");
  }

  /** The watchdog found the pending call past its deadline: abandon it (its next wait throws, its promise settles to no one) and answer its caller. */
  timeOut(): void {
    const w = this.pending;
    this.gen++;
    this.deadline = -Infinity;
    if (w === null) return;
    w.dead = true;
    this.answer(w, w.settler!.failed(this, this.timeoutError()));
  }

  private data: { value: unknown } | undefined;

  /** setup()'s data for this VU: parsed in its own realm once, its own copy as in k6. */
  setupData(): unknown {
    if (this.data !== undefined) return this.data.value;
    const s = this.rt.bundle.setupData;
    return (this.data = { value: s === undefined ? undefined : this.json.parse(s) }).value;
  }
}
