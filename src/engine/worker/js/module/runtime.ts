/**
 * The `js:` module in one worker: its modules compiled once (a `vm.Script` is not bound to a
 * context, so every VU context runs the same compiled code), what VUs share — SharedArray data
 * and `open()`ed files, loaded once per worker and never copied per VU — and the limits'
 * machinery (watchdog.ts, memory-guard.ts). Each VU's ModuleInstance (instance.ts) is made with
 * its JS context, on first use.
 */
import vm from "node:vm";
import { resolve } from "node:path";
import type { JsBundle } from "../../../../js/bundle.ts";
import { isInside } from "../../../../js/paths.ts";
import type { HttpDefaults } from "../../../../plan/schema.ts";
import { JsError } from "../errors.ts";
import type { ModuleInstance } from "./instance.ts";
import { MemoryGuard } from "./memory-guard.ts";
import { Watchdog } from "./watchdog.ts";
import { hostModule } from "./host-modules.ts";
import type { Logger } from "../../../../util/logger.ts";
import { readPlanFile } from "../../../../util/plan-file.ts";
import { describeThrown } from "../errors.ts";

let rejectionsHandled = false;
const MAX_HEADER_LISTS = 1024;

/**
 * A script can drop a promise that later rejects (`Promise.reject()` it never awaits, a request
 * it started and did not wait for): that must never end the worker, as an unhandled rejection
 * would. It is logged (with the log's repeat budget) and the run goes on. Once per thread.
 */
function keepRunningOnDroppedRejections(log: Logger): void {
  if (rejectionsHandled) return;
  rejectionsHandled = true;
  process.on("unhandledRejection", (reason) => log.warn(`js module: a promise the script did not wait for failed: ${describeThrown(reason)}`));
}

export interface ModuleHttpDefaults {
  /** `defaults.http.base_url`, rendered with the run-wide values */
  baseUrl: string | undefined;
  /** `defaults.http.headers`, as written (the reference does not template them for JS requests either); one array, never changed */
  headers: [string, string][];
  timeoutMs: number;
  followRedirects: boolean;
  maxRedirects: number;
}

export class ModuleRuntime {
  readonly watchdog = new Watchdog();
  readonly memory: MemoryGuard;
  private readonly scripts = new Map<string, vm.Script>();
  /** SharedArray data by name: one frozen array per worker */
  readonly sharedArrays = new Map<string, readonly unknown[]>();
  private readonly files = new Map<string, string | Uint8Array>();
  /** header lists of JS requests by content (headHeaders) */
  private readonly headerLists = new Map<string, [string, string][]>();
  /** custom metrics the module declared (`new Trend(...)`): name → kind and whether a time */
  readonly declared = new Map<string, { kind: string; isTime: boolean }>();

  constructor(
    readonly bundle: JsBundle,
    readonly http: ModuleHttpDefaults,
    log?: Logger,
  ) {
    this.memory = new MemoryGuard(bundle.memoryLimitMb);
    if (log !== undefined) keepRunningOnDroppedRejections(log);
    for (const m of bundle.modules) this.scripts.set(m.id, new vm.Script(m.code, { filename: m.id }));
  }

  static fromPlan(bundle: JsBundle, defaults: HttpDefaults, baseUrl: string | undefined, log: Logger): ModuleRuntime {
    return new ModuleRuntime(bundle, {
      baseUrl,
      headers: Object.entries(defaults.headers ?? {}),
      timeoutMs: defaults.timeout,
      followRedirects: defaults.follow_redirects,
      maxRedirects: defaults.max_redirects,
    }, log);
  }

  /**
   * A JS request's headers: the defaults, then `params.headers` replacing them by name (and a body's
   * content type unless given). The same content gives the same array, so the HTTP client reuses
   * the request head it built for it (it caches heads by the array's identity).
   */
  headers(given: Record<string, unknown>, contentType: string | undefined): [string, string][] {
    let key = contentType ?? "";
    for (const k in given) key += "\n" + k + "\0" + String(given[k]);
    let list = this.headerLists.get(key);
    if (list !== undefined) return list;
    const lower = new Set(Object.keys(given).map((k) => k.toLowerCase()));
    list = this.http.headers.filter(([k]) => !lower.has(k.toLowerCase()));
    for (const [k, v] of Object.entries(given)) if (v !== undefined && v !== null) list.push([k, String(v)]);
    if (contentType !== undefined && !lower.has("content-type")) list.push(["Content-Type", contentType]);
    // bounded: a script that sends a new header value every request gets no reuse, not a leak
    if (this.headerLists.size >= MAX_HEADER_LISTS) this.headerLists.clear();
    this.headerLists.set(key, list);
    return list;
  }

  factory(id: string): vm.Script {
    return this.scripts.get(id)!;
  }

  hostModule(inst: ModuleInstance, spec: string): Record<string, unknown> {
    let m = inst.hostModules.get(spec);
    if (m === undefined) inst.hostModules.set(spec, (m = hostModule(inst, spec)));
    return m;
  }

  /** `open(path, mode)`: a file below the plan's directory, read once per worker. */
  open(path: string, mode: unknown): string | ArrayBuffer {
    const file = resolve(this.bundle.root, path);
    if (!isInside(this.bundle.root, file))
      throw new JsError(`open(\`${path}\`): outside the plan's directory (${this.bundle.root}); a module may only open files below it`);
    const binary = mode === "b";
    const key = (binary ? "b:" : "t:") + file;
    let v = this.files.get(key);
    if (v === undefined) {
      try {
        // bounded as a data file (src/util/plan-file.ts): a symlink to /dev/zero or a FIFO is not read forever
        const bytes = readPlanFile(file, "data");
        v = binary ? bytes : new TextDecoder().decode(bytes);
      } catch (e) {
        throw new JsError(`open(\`${path}\`): ${(e as Error).message}`);
      }
      this.files.set(key, v);
    }
    // text is immutable and shared; each caller gets its own copy of binary data
    return typeof v === "string" ? v : v.slice().buffer;
  }

  stop(): void {
    this.memory.stop();
  }
}
