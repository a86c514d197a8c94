/**
 * Process-level settings of an isolated plugin's child (child.ts), through libc:
 *
 * - a plugin's crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) takes the default action: the
 *   process dies by that signal at once. The runtime's own handler would print its multi-line
 *   "Bun has crashed" report for each crash — a bug of the plugin, not of Bun; the parent prints
 *   one line per crash instead (isolation.ts). The child runs no WebAssembly, the one user of
 *   those signals inside the runtime.
 * - Linux: PR_SET_PDEATHSIG, so the kernel kills the child with SIGKILL when the thread that
 *   started it (the parent's worker) ends — a parent killed with SIGKILL included.
 */
import { dlopen, FFIType } from "bun:ffi";

const CRASH_SIGNALS: Record<string, readonly number[]> = {
  // SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV
  linux: [4, 6, 7, 8, 11],
  darwin: [4, 6, 10, 8, 11],
};
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/** Where libc is not found (another C library, another OS) the child's watchdog alone guards it. */
export function guardChildProcess(): void {
  const signals = CRASH_SIGNALS[process.platform];
  if (signals === undefined) return;
  const linux = process.platform === "linux";
  let libc;
  try {
    libc = dlopen(linux ? "libc.so.6" : "libSystem.B.dylib", {
      signal: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.ptr },
      ...(linux ? { prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 } } : {}),
    }).symbols;
  } catch {
    return;
  }
  for (const sig of signals) libc.signal(sig, null); // SIG_DFL
  if ("prctl" in libc) (libc.prctl as unknown as (...a: number[]) => number)(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}
