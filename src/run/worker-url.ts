/**
 * Where the worker entry (src/run/worker-thread.ts) is, for the coordinator to start workers from.
 * From sources (and from a package install) it sits beside this file. Inside the compiled binary
 * (built with bytecode, where import.meta.url is the build machine's source path) the embedded
 * entrypoints live under the binary's virtual root by their path below src/, so the worker is
 * `<root>/run/worker-thread.ts` (build.ts lists it as an entrypoint).
 */
import { inBinary } from "../util/in-binary.ts";

export function workerEntryUrl(): string {
  if (inBinary()) {
    return Bun.main.slice(0, Bun.main.lastIndexOf("/") + 1) + "run/worker-thread.ts";
  }
  return new URL("./worker-thread.ts", import.meta.url).href;
}
