/**
 * What jco's bindgen component (itself a WASI component, transpiled to JS) imports from
 * `@bytecodealliance/preview2-shim/{cli,filesystem,io,random,clocks}`. build.ts redirects those
 * imports here inside dist/loadr: preview2-shim's node build starts an I/O worker thread at
 * import time, which a compiled binary cannot start, and it is no sandbox anyway. The bindgen
 * only computes (component bytes in, JS out), so our sandbox with the clock and random granted is
 * all it needs.
 */
import { COMPUTE_ONLY, sandboxImports } from "./sandbox.ts";

const w = sandboxImports({ write: (_fd, bytes) => process.stderr.write(bytes) }, COMPUTE_ONLY) as Record<string, any>;

export const environment = w["wasi:cli/environment"];
export const exit = w["wasi:cli/exit"];
export const stdin = w["wasi:cli/stdin"];
export const stdout = w["wasi:cli/stdout"];
export const stderr = w["wasi:cli/stderr"];
export const terminalInput = w["wasi:cli/terminal-input"];
export const terminalOutput = w["wasi:cli/terminal-output"];
export const terminalStdin = w["wasi:cli/terminal-stdin"];
export const terminalStdout = w["wasi:cli/terminal-stdout"];
export const terminalStderr = w["wasi:cli/terminal-stderr"];
export const preopens = w["wasi:filesystem/preopens"];
export const types = w["wasi:filesystem/types"];
export const error = w["wasi:io/error"];
export const poll = w["wasi:io/poll"];
export const streams = w["wasi:io/streams"];
export const random = w["wasi:random/random"];
export const insecure = w["wasi:random/insecure"];
export const insecureSeed = w["wasi:random/insecure-seed"];
export const monotonicClock = w["wasi:clocks/monotonic-clock"];
export const wallClock = w["wasi:clocks/wall-clock"];
