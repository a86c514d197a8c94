/**
 * A VU's keep-alive pool: idle connections per key (origin, or the proxy for absolute-form
 * requests). Several connections per key are kept so overlapping requests each get their own.
 */
import type { Connection } from "./connection.ts";

export class Pool {
  private readonly idle = new Map<string, Connection[]>();
  /** every open connection, idle or busy: close() ends them all */
  readonly all = new Set<Connection>();

  /** An idle, still-open connection for `key`, if any. */
  take(key: string): Connection | undefined {
    const list = this.idle.get(key);
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
    const list = this.idle.get(key);
    if (list === undefined) this.idle.set(key, [c]);
    else list.push(c);
  }

  add(c: Connection): void {
    this.all.add(c);
  }

  forget(c: Connection): void {
    this.all.delete(c);
  }

  closeAll(reason: string): void {
    for (const c of [...this.all]) c.abort(reason);
    this.all.clear();
    this.idle.clear();
  }
}
