/**
 * A C-ABI protocol plugin as a protocol handler (protocol-handler.ts), in process. Blocking plugins (the default) run on the
 * executor shim's thread pool; `"blocking": false` plugins are called inline on the JS thread.
 * The host enforces the request timeout (the reference does not): when it passes, the request
 * fails as a timeout and the late result is discarded (its buffer is still freed).
 */
import type { ProtocolRequest, ProtocolResponse } from "../../../protocols/types.ts";
import { arm, disarm, type Deadline } from "../../../util/deadline-wheel.ts";
import type { CAbiLibrary } from "./c-abi.ts";
import { Executor } from "./executor.ts";
import { decodeFfiResponse, encodeFfiRequest, failure } from "./ffi-json.ts";
import { NativeProtocolHandler } from "./protocol-handler.ts";

const YIELD_EVERY = 64;
let inlineCalls = 0;

export class NativeProtocol extends NativeProtocolHandler {
  private constructor(
    private readonly lib: CAbiLibrary,
    private readonly config: unknown,
    private readonly executor: Executor | undefined,
  ) {
    super(lib.info.name);
  }

  static async create(lib: CAbiLibrary, config: unknown): Promise<NativeProtocol> {
    return new NativeProtocol(lib, config, lib.info.blocking ? await Executor.get() : undefined);
  }

  get blocking(): boolean {
    return this.executor !== undefined;
  }

  // A static request step hands over the same url/headers/body/options objects every time (the
  // request builder caches them): its FfiRequest JSON is then the same bytes, encoded once.
  private last: { c: ProtocolRequest; bytes: Uint8Array } | undefined;

  private encode(c: ProtocolRequest): Uint8Array {
    const l = this.last;
    if (l && l.c.options === c.options && l.c.url === c.url && l.c.headers === c.headers &&
        l.c.body === c.body && l.c.name === c.name && l.c.method === c.method && l.c.timeoutMs === c.timeoutMs) return l.bytes;
    const bytes = encodeFfiRequest(c, this.config);
    this.last = { c, bytes };
    return bytes;
  }

  call(c: ProtocolRequest): ProtocolResponse | Promise<ProtocolResponse> {
    const req = this.encode(c);
    if (!this.executor) {
      let bytes: Uint8Array;
      try {
        bytes = this.lib.executeSync(req);
      } catch (e) {
        return failure(this.name, c, `plugin \`${this.name}\` ${(e as Error).message}`);
      }
      const res = decodeFfiResponse(this.name, bytes, c);
      // A synchronous call inside the async VU loop never yields to timers (docs/dev/native-host-recipes.md
      // pitfalls): every YIELD_EVERY-th call goes through a macrotask so ticks and stop still run.
      if (++inlineCalls % YIELD_EVERY === 0) return new Promise((r) => setImmediate(() => r(res)));
      return res;
    }
    const ex = this.executor;
    const t0 = performance.now();
    return new Promise<ProtocolResponse>((resolve) => {
      let settled = false;
      const deadline: Deadline = {
        deadline: t0 + c.timeoutMs,
        onTimeout: () => {
          if (settled) return;
          settled = true;
          resolve(failure(this.name, c, `request timed out after ${fmtMs(c.timeoutMs)}`, undefined, "timeout", performance.now() - t0));
        },
      };
      arm(deadline);
      ex.submit(this.lib.executePtr, req, (ptr, len) => {
        let bytes: Uint8Array | undefined;
        let err: string | undefined;
        try {
          bytes = this.lib.take(ptr, len);
        } catch (e) {
          err = `plugin \`${this.name}\` ${(e as Error).message}`;
        }
        if (settled) return; // timed out: result discarded, buffer freed above
        settled = true;
        disarm(deadline);
        resolve(err !== undefined ? failure(this.name, c, err) : decodeFfiResponse(this.name, bytes!, c));
      });
    });
  }
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
