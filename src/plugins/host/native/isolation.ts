/**
 * `isolation: process` (beyond the reference): the protocol plugin runs in a child process —
 * this same binary, hidden subcommand `__plugin-host` — so a segfault kills the child, not the
 * run. In-flight requests then fail with error_kind `plugin_crash`; while the child restarts
 * (backoff from 50 ms, doubling, capped at 1 s) requests fail fast the same way; the run and
 * its measured results go on. Each crash is one warning line (the child prints no crash report:
 * child-guard.ts).
 *
 * Frames go over a socket of their own (the child's fd 3, frames.ts); the child's stdout is
 * this process's stderr, so what a plugin prints is a log line and cannot corrupt the channel.
 * An answer the child could not take from the plugin (a null buffer with a length) comes back
 * as a transport error, as in process. An answer that arrives after its request timed out is
 * skipped unread.
 */
import type { Subprocess } from "bun";
import { closeSync } from "node:fs";
import { join } from "node:path";
import type { ProtocolRequest, ProtocolResponse } from "../../../protocols/types.ts";
import { arm, disarm, type Deadline } from "../../../util/deadline-wheel.ts";
import { decodeFfiResponse, encodeFfiRequest, failure } from "./ffi-json.ts";
import { frame, FrameKind, FrameReader } from "./frames.ts";
import type { PluginInfo } from "./plugin-info.ts";
import { inBinary } from "./shim-lib.ts";
import { NativeProtocolHandler } from "./protocol-handler.ts";

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1000;
/** a child that lived this long resets the backoff */
const HEALTHY_MS = 5000;
const decoder = new TextDecoder();

interface Pending {
  c: ProtocolRequest;
  t0: number;
  deadline: Deadline;
  resolve(r: ProtocolResponse): void;
}

export class IsolatedProtocol extends NativeProtocolHandler {
  private child: Subprocess | undefined;
  /** the frame channel to the current child */
  private channel: ReturnType<ReturnType<typeof Bun.file>["writer"]> | undefined;
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
    /** one line per crash of the child */
    private readonly warn: (line: string) => void = (l) => void process.stderr.write(`warn: ${l}\n`),
  ) {
    super(info.name);
    process.once("exit", () => this.close());
  }

  private spawn(): void {
    const args = ["__plugin-host", this.path, String(process.pid)];
    const cmd = inBinary() ? [process.execPath, ...args] : [process.execPath, join(import.meta.dir, "../../../cli/main.ts"), ...args];
    const startedAt = performance.now();
    this.starts++;
    // stdin: nothing to read; stdout: our stderr; fd 3: the frame channel (a socket pair)
    const child = Bun.spawn(cmd, { stdio: ["ignore", 2, "inherit", "pipe"] });
    const fd = child.stdio[3] as number;
    this.child = child;
    this.channel = Bun.file(fd).writer();
    const reader = new FrameReader((tag) => this.pending.has(tag));
    const onFrame = (tag: number, bytes: Uint8Array, kind: FrameKind) =>
      this.settle(tag, (p) =>
        kind === FrameKind.Error ? failure(this.name, p.c, `plugin \`${this.name}\` ${decoder.decode(bytes)}`) : decodeFfiResponse(this.name, bytes, p.c),
      );
    const read = (async () => {
      try {
        for await (const chunk of Bun.file(fd).stream()) reader.push(chunk, onFrame);
      } catch {
        // the child is gone; its exit fails what is in flight
      }
    })();
    // the channel is ours to close, once the child is gone and its last answers are read
    void Promise.all([child.exited, read]).then(() => closeSync(fd));
    void child.exited.then((code) => {
      if (this.child === child) {
        this.child = undefined;
        this.channel = undefined;
      }
      if (this.closed) return;
      const how = child.signalCode ? `signal ${child.signalCode}` : `exit code ${code}`;
      this.lastCrash = `plugin \`${this.name}\` crashed (${how}) in its isolated process`;
      this.warn(`${this.lastCrash}; its in-flight requests fail as plugin_crash and it is restarted`);
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
        this.channel!.write(frame(tag, bytes));
        // a write the child can no longer read fails with the child: its exit fails this call
        Promise.resolve(this.channel!.flush()).catch(() => {});
      } catch (e) {
        this.settle(tag, () => failure(this.name, c, `plugin \`${this.name}\` isolated process: ${(e as Error).message}`, undefined, "plugin_crash"));
      }
    });
  }

  close(): void {
    this.closed = true;
    try {
      this.child?.kill();
    } catch {
      // already gone
    }
  }
}
