/**
 * `loadr __plugin-host <library> <parent pid>` (hidden): the child side of `isolation: process`.
 * Loads the C-ABI protocol library (same checks as in-process), then executes framed FfiRequest
 * JSON read from fd 3 and writes framed answers back there — through the executor shim, so a
 * blocking plugin still serves many calls at once. The channel is fd 3, not stdin/stdout: the
 * parent points the child's stdout at its own stderr, so a plugin's printf is a log line, never a
 * corrupt frame. A crash here kills only this process; the parent restarts it.
 *
 * Never outliving the parent: on Linux the kernel kills this process when the parent thread that
 * started it dies (PR_SET_PDEATHSIG), SIGKILL included; elsewhere, and as a second guard, a
 * watchdog notices the parent is gone. The channel closing (the parent's close()) ends it too.
 */
import { openCAbiLibrary } from "./c-abi.ts";
import { Executor } from "./executor.ts";
import { FrameKind, FrameReader, frame, frameHeader, MAX_PAYLOAD } from "./frames.ts";
import { guardChildProcess } from "./child-guard.ts";

const CHANNEL_FD = 3;
const WATCHDOG_MS = 500;
const encoder = new TextEncoder();

export async function main(args: string[]): Promise<number> {
  const [path, parentArg] = args;
  const parent = Number(parentArg);
  if (!path || !Number.isInteger(parent) || parent <= 0) {
    process.stderr.write("usage: loadr __plugin-host <library> <parent pid>\n");
    return 2;
  }
  guardChildProcess();
  if (process.ppid !== parent) return 0; // the parent died before the guard was set
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, WATCHDOG_MS).unref();

  const lib = openCAbiLibrary(path);
  const ex = lib.info.blocking ? await Executor.get() : undefined;
  const out = Bun.file(CHANNEL_FD).writer();
  const answer = (tag: number, take: () => Uint8Array) => {
    let bytes: Uint8Array;
    try {
      bytes = take();
      if (bytes.length > MAX_PAYLOAD) throw new Error(`returned ${bytes.length} bytes, more than an isolated plugin's answer can carry (${MAX_PAYLOAD})`);
    } catch (e) {
      // a result the host cannot take is a transport error, as in process (protocol.ts)
      out.write(frame(tag, encoder.encode((e as Error).message), FrameKind.Error));
      out.flush();
      return;
    }
    out.write(frameHeader(tag, bytes.length));
    out.write(bytes);
    out.flush();
  };
  const reader = new FrameReader();
  for await (const chunk of Bun.file(CHANNEL_FD).stream()) {
    reader.push(chunk, (tag, req) => {
      if (ex) ex.submit(lib.executePtr, req, (p, len) => answer(tag, () => lib.take(p, len)));
      else answer(tag, () => lib.executeSync(req));
    });
  }
  // the channel closed: the parent is done (or gone) and reads no answer of calls still running
  process.exit(0);
}
