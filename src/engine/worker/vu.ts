/**
 * A virtual user: identity, variables, the per-VU state of each protocol handler it used (HTTP:
 * its keep-alive pool and cookie jar; src/protocols/handler.ts PerVuState), group stack and RNG.
 * It also resolves `${...}` names, because every name but the run-wide ones (env, vars, secrets,
 * services) depends on the VU.
 */
import type { PerVuState, ProtocolHandler } from "../../protocols/handler.ts";
import type { Routed } from "../../protocols/router.ts";
import { seededRandom } from "./vu-random.ts";
import type { ScenarioRuntime } from "./scenario-runtime.ts";
import type { DataFeed, FeedCursor } from "./data/feed.ts";
import type { Row } from "./data/load.ts";
import { newJsContext, type JsContext } from "./js/context.ts";
import { nameAccessor } from "./name-resolution.ts";
import { MAX_TIMER_MS } from "../../util/long-timeout.ts";

export class Vu {
  /** 0-based iteration index as templates see it (-1 before the first iteration) */
  iteration = -1;
  /** extracted / flow-set variables; they persist across this VU's iterations */
  readonly vars = new Map<string, unknown>();
  /** `::outer::inner`, or "" outside any group (the `group` tag) */
  group = "";
  /** the last request of the current retry attempt failed (drives `retry` later) */
  lastFailed = false;
  readonly random: () => number;
  /** this VU's iteration was interrupted (graceful_ramp_down over); cleared when it is reused */
  interrupted = false;
  private wake: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** made on first use: plans without JS never create one */
  private jsContext: JsContext | undefined;
  /** this VU's cursors and shuffle permutations, per data source (shared with its parallel branches) */
  private feedCursors: Map<string, FeedCursor> = new Map();
  /**
   * per data source: its feed and this VU's cursor, and the row last fetched with its iteration
   * (one row per source per iteration, §1.9). A slot is refilled in place, so a new iteration
   * clears nothing and a fetch looks nothing up by name; made on first use.
   */
  private rows: Map<string, RowSlot> | null = null;
  /** live parallel branches, cancelled with this VU */
  private readonly branches = new Set<Vu>();
  /**
   * Each handler's state for this VU, at the handler's slot in the worker's router
   * (rt.run.protocols), opened on first use; made with the first: a VU that never sends has none.
   */
  private states: unknown[] | null = null;

  constructor(
    readonly id: number,
    readonly rt: ScenarioRuntime,
    random?: () => number,
  ) {
    this.random = random ?? seededRandom(id);
  }

  /** This VU's state of a stateful handler (`handler.perVu` set), opened on first use. */
  state<S>(r: Routed<ProtocolHandler<S>>): S {
    const states = this.states;
    if (states !== null) {
      const s = states[r.slot];
      if (s !== undefined) return s as S;
    }
    const s = r.handler.perVu!.open();
    (this.states ??= [])[r.slot] = s;
    return s;
  }

  /** The per-VU state hooks of the handler at `slot`. */
  private owner(slot: number): PerVuState<unknown> {
    return this.rt.run.protocols.handlers[slot]!.handler.perVu!;
  }

  /** Close every handler state this VU opened (it retires, or is interrupted); the next request opens fresh ones. */
  close(): void {
    const states = this.states;
    this.states = null;
    if (states !== null) for (let i = 0; i < states.length; i++) if (states[i] !== undefined) this.owner(i).close(states[i]);
  }

  private bound: ((expr: string) => unknown) | null = null;

  /**
   * Resolve one template expression for this VU; undefined = unresolved (the request is not
   * sent). Bound lazily: a VU that never renders a template carries no closure (10,000s of VUs).
   */
  get resolve(): (expr: string) => unknown {
    return (this.bound ??= (expr) => this.lookup(expr));
  }

  private lookup(expr: string): unknown {
    return nameAccessor(expr)(this);
  }

  /** The current iteration is being dropped: the scenario was cancelled or this VU was interrupted. */
  get cancelled(): boolean {
    return this.interrupted || this.rt.cancelled;
  }

  /** This VU's JS context, made on first use. */
  js(): JsContext {
    return (this.jsContext ??= newJsContext(this));
  }

  /**
   * This iteration's row of a data source: the first use in an iteration fetches the next row,
   * later uses reuse it. undefined for an unknown source; throws DataExhaustedError at the end of
   * an `on_eof: stop` source (the VU then retires).
   */
  dataRow(source: string): Row | undefined {
    const rows = (this.rows ??= new Map());
    let slot = rows.get(source);
    if (slot === undefined) {
      const feed = this.rt.run.flow.data.get(source);
      if (feed === undefined) return undefined;
      let cursor = this.feedCursors.get(source);
      if (cursor === undefined) this.feedCursors.set(source, (cursor = { next: 0 }));
      rows.set(source, (slot = { feed, cursor, row: undefined, iteration: -1 }));
    } else if (slot.iteration === this.iteration && slot.row !== undefined) return slot.row;
    slot.row = slot.feed.next(slot.cursor, this.random);
    slot.iteration = this.iteration;
    return slot.row;
  }

  /**
   * A child context for one `parallel` branch (reference §2.8): same id, scenario, iteration and
   * group; copies of the variables; each handler's state made from the parent's (HTTP: its own
   * connections, a copy of the cookies); its own RNG, JS context and per-iteration data rows (data
   * cursors are shared with the parent).
   */
  branch(index: number): Vu {
    const child = new Vu(this.id, this.rt, seededRandom(this.id * 7919 + index + 1));
    child.iteration = this.iteration;
    child.group = this.group;
    for (const [k, v] of this.vars) child.vars.set(k, v);
    const states = this.states;
    if (states !== null) child.states = states.map((s, i) => (s === undefined ? undefined : this.owner(i).branch(s)));
    child.feedCursors = this.feedCursors;
    this.branches.add(child);
    return child;
  }

  /** A branch finished: forget it and close its handler states. */
  endBranch(child: Vu): void {
    this.branches.delete(child);
    child.close();
  }

  /** Sleep that a hard cancel cuts short. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.cancelled) return Promise.resolve();
    // past setTimeout's range (about 24.8 days) it would fire after 1 ms: sleep in pieces
    if (ms > MAX_TIMER_MS) return this.sleep(MAX_TIMER_MS).then(() => this.sleep(ms - MAX_TIMER_MS));
    // no closure per sleep: the timer resolves the promise itself; a stale `wake`/`timer` left
    // after it fired is harmless (resolving twice and clearing a fired timer are no-ops)
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  /**
   * Drop this VU's current iteration alone (ramp-down past graceful_ramp_down). Its handler states
   * are closed and open afresh on its next request, so the parked VU can be reactivated later.
   */
  interrupt(): void {
    this.interrupted = true;
    this.cancel();
  }

  /** Called on hard cancel: end any sleep and close the handler states (in-flight requests settle with an error). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
    for (const b of this.branches) b.cancel();
    this.close();
  }
}

/** A VU's state for one data source (Vu.dataRow). */
interface RowSlot {
  readonly feed: DataFeed;
  /** shared with this VU's parallel branches (they advance the same cursor) */
  readonly cursor: FeedCursor;
  /** undefined until the first fetch succeeds */
  row: Row | undefined;
  iteration: number;
}
