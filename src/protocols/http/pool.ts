/**
 * A VU's keep-alive pool: idle connections per key (origin, or the proxy for absolute-form
 * requests). Several connections per key are kept so overlapping requests each get their own.
 *
 * Sized for the common case: nearly every VU talks to one origin over one connection, and a
 * test may hold 50,000 VUs, so the first key lives in plain fields and `all` is a small array;
 * a Map appears only for a second origin (a Map or Set costs ~250 bytes of table per VU even
 * with one entry).
 */
import type { Connection } from "./connection.ts";

export class Pool {
  private firstKey: string | null = null;
  private firstIdle: Connection[] = [];
  private moreIdle: Map<string, Connection[]> | null = null;
  /** every open connection, idle or busy: closeAll() ends them all */
  private all: Connection[] = [];

  private listFor(key: string): Connection[] | undefined {
    if (key === this.firstKey) return this.firstIdle;
    return this.moreIdle?.get(key);
  }

  /** An idle, still-open connection for `key`, if any. */
  take(key: string): Connection | undefined {
    const list = this.listFor(key);
    if (list === undefined) return undefined;
    // connections that closed while idle are dropped here lazily; the loop ends with the list
    while (list.length > 0) {
      const c = list.pop()!;
      if (c.isIdle()) {
        c.idle = false;
        return c;
      }
    }
    return undefined;
  }

  put(c: Connection): void {
    c.idle = true;
    const key = c.dial.key;
    const list = this.listFor(key);
    if (list !== undefined) list.push(c);
    else if (this.firstKey === null) {
      this.firstKey = key;
      this.firstIdle.push(c);
    } else (this.moreIdle ??= new Map()).set(key, [c]);
  }

  add(c: Connection): void {
    this.all.push(c);
  }

  forget(c: Connection): void {
    const all = this.all;
    const i = all.indexOf(c);
    if (i < 0) return;
    all[i] = all[all.length - 1]!;
    all.pop();
  }

  closeAll(reason: string): void {
    const all = this.all;
    this.all = [];
    for (const c of all) c.abort(reason);
    this.firstKey = null;
    this.firstIdle = [];
    this.moreIdle = null;
  }
}
