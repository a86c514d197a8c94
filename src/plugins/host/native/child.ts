/**
 * `loadr __plugin-host <library>` (hidden): the child side of `isolation: process`. Loads the
 * C-ABI protocol library (same checks as in-process), then executes framed FfiRequest JSON from
 * stdin and writes framed responses to stdout — through the executor shim, so a blocking plugin
 * still serves many calls at once. A crash here kills only this process; the parent restarts it.
 */
import { openCAbiLibrary } from "./c-abi.ts";
import { Executor } from "./executor.ts";
import { frame, FrameReader } from "./frames.ts";

export async function main(args: string[]): Promise<number> {
  const path = args[0];
  if (!path) {
    process.stderr.write("usage: loadr __plugin-host <library>\n");
    return 2;
  }
  const lib = openCAbiLibrary(path);
  const ex = lib.info.blocking ? await Executor.get() : undefined;
  const out = Bun.stdout.writer();
  const send = (tag: number, bytes: Uint8Array) => {
    out.write(frame(tag, bytes));
    out.flush();
  };
  const reader = new FrameReader();
  for await (const chunk of Bun.stdin.stream()) {
    reader.push(chunk, (tag, req) => {
      if (ex) ex.submit(lib.executePtr, req, (p, len) => send(tag, lib.take(p, len)));
      else send(tag, lib.executeSync(req));
    });
  }
  // stdin closed: the parent is gone or done; wait for in-flight calls, then leave
  while (ex && ex.inFlight > 0) await Bun.sleep(5);
  return 0;
}
