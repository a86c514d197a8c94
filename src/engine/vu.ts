/**
 * A virtual user: identity, variables, its own HTTP client (keep-alive pool + cookie jar), group
 * stack and RNG. It also resolves `${...}` names, because every name but the run-wide ones
 * (env, vars, secrets, services) depends on the VU.
 */
import type { HttpClient } from "../protocols/http/client.ts";
import { seededRandom } from "./random.ts";
import type { ScenarioRuntime } from "./scenario-runtime.ts";

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

  constructor(
    readonly id: number,
    readonly rt: ScenarioRuntime,
    public http: HttpClient,
  ) {
    this.random = seededRandom(id);
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
    const dot = expr.indexOf(".");
    if (dot > 0) {
      const head = expr.slice(0, dot);
      const rest = expr.slice(dot + 1);
      switch (head) {
        case "env":
          return this.rt.run.env[rest];
        case "vars":
          return this.rt.run.variables[rest];
        case "secrets":
          return this.rt.run.secrets[rest];
        case "services": {
          const d = rest.indexOf(".");
          if (d < 0) return undefined;
          return this.rt.run.services[rest.slice(0, d)]?.[rest.slice(d + 1)];
        }
      }
    }
    switch (expr) {
      case "vu":
        return this.id;
      case "iteration":
        return this.iteration;
      case "scenario":
        return this.rt.name;
    }
    if (expr.startsWith("js:")) throw new Error("`${js: ...}` needs the JavaScript engine, which this build does not run yet");
    const v = this.vars.get(expr);
    return v !== undefined ? v : this.rt.run.variables[expr];
  }

  /** The current iteration is being dropped: the scenario was cancelled or this VU was interrupted. */
  get cancelled(): boolean {
    return this.interrupted || this.rt.cancelled;
  }

  /** Sleep that a hard cancel cuts short. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.cancelled) return Promise.resolve();
    // no closure per sleep: the timer resolves the promise itself; a stale `wake`/`timer` left
    // after it fired is harmless (resolving twice and clearing a fired timer are no-ops)
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  /**
   * Drop this VU's current iteration alone (ramp-down past graceful_ramp_down). Its closed client
   * is replaced, so the parked VU can be reactivated later.
   */
  interrupt(fresh: () => HttpClient): void {
    this.interrupted = true;
    this.cancel();
    this.http = fresh();
  }

  /** Called on hard cancel: end any sleep and drop the connections (in-flight requests settle with an error). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
    this.http.close();
  }
}
