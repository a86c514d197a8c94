/**
 * `isolation: process` (beyond the reference): the protocol plugin runs in a child process —
 * this same binary, hidden subcommand `__plugin-host` — so a segfault kills the child, not the
 * run. In-flight requests then fail with error_kind `plugin_crash`; while the child restarts
 * (backoff from 50 ms, doubling, capped at 1 s) requests fail fast the same way; the run and
 * its measured results go on.
 */
import type { Subprocess } from "bun";
import { join } from "node:path";
import type { ProtocolRequest, ProtocolResponse } from "../../../protocols/types.ts";
import { arm, disarm, type Deadline } from "../../../util/deadline-wheel.ts";
import { decodeFfiResponse, encodeFfiRequest, failure } from "./ffi-json.ts";
import { frame, FrameReader } from "./frames.ts";
import type { PluginInfo } from "./plugin-info.ts";
import { inBinary } from "./shim-lib.ts";
import { NativeProtocolHandler } from "./protocol-handler.ts";

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1000;
/** a child that lived this long resets the backoff */
const HEALTHY_MS = 5000;

interface Pending {
  c: ProtocolRequest;
  t0: number;
  deadline: Deadline;
  resolve(r: ProtocolResponse): void;
}

export class IsolatedProtocol extends NativeProtocolHandler {
  private child: Subprocess<"pipe", "pipe", "inherit"> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextTag = 1;
  private backoff = BACKOFF_MIN_MS;
  private restartAt = 0;
  private lastCrash = "";
  private closed = false;
  /** child processes started so far (1 + restarts), for tests and logs */
  starts = 0;

  constructor(
    private readonly path: string,
    info: PluginInfo,
    private readonly config: unknown,
  ) {
    super(info.name);
    process.once("exit", () => this.close());
  }

  private spawn(): void {
    const cmd = inBinary()
      ? [process.execPath, "__plugin-host", this.path]
      : [process.execPath, join(import.meta.dir, "../../../cli/main.ts"), "__plugin-host", this.path];
    const startedAt = performance.now();
    this.starts++;
    const child = Bun.spawn(cmd, { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    this.child = child;
    const reader = new FrameReader();
    void (async () => {
      for await (const chunk of child.stdout) reader.push(chunk, (tag, bytes) => this.settle(tag, (p) => decodeFfiResponse(this.name, bytes, p.c)));
    })();
    void child.exited.then((code) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      const how = child.signalCode ? `signal ${child.signalCode}` : `exit code ${code}`;
      this.lastCrash = `plugin \`${this.name}\` crashed (${how}) in its isolated process`;
      // fail every in-flight call of this child
      for (const tag of [...this.pending.keys()]) this.settle(tag, (p) => failure(this.name, p.c, this.lastCrash, undefined, "plugin_crash", performance.now() - p.t0));
      if (performance.now() - startedAt > HEALTHY_MS) this.backoff = BACKOFF_MIN_MS;
      this.restartAt = performance.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    });
  }

  private settle(tag: number, make: (p: Pending) => ProtocolResponse): void {
    const p = this.pending.get(tag);
    if (!p) return; // timed out already
    this.pending.delete(tag);
    disarm(p.deadline);
    p.resolve(make(p));
  }

  call(c: ProtocolRequest): ProtocolResponse | Promise<ProtocolResponse> {
    // a request JSON cannot encode is invalid (a throw, for the pipeline), not a failure of the child
    const bytes = encodeFfiRequest(c, this.config);
    if (!this.child) {
      if (performance.now() < this.restartAt) return failure(this.name, c, `${this.lastCrash}; restarting`, undefined, "plugin_crash");
      this.spawn();
    }
    const tag = this.nextTag++;
    const t0 = performance.now();
    return new Promise<ProtocolResponse>((resolve) => {
      const deadline: Deadline = {
        deadline: t0 + c.timeoutMs,
        onTimeout: () => this.settle(tag, () => failure(this.name, c, `request timed out after ${c.timeoutMs}ms`, undefined, "timeout", performance.now() - t0)),
      };
      this.pending.set(tag, { c, t0, deadline, resolve });
      arm(deadline);
      try {
        this.child!.stdin.write(frame(tag, bytes));
        this.child!.stdin.flush();
      } catch (e) {
        this.settle(tag, () => failure(this.name, c, `plugin \`${this.name}\` isolated process: ${(e as Error).message}`, undefined, "plugin_crash"));
      }
    });
  }

  close(): void {
    this.closed = true;
    try {
      this.child?.stdin.end();
      this.child?.kill();
    } catch {
      // already gone
    }
  }
}
