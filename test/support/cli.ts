/**
 * Runs the built binary (dist/loadr) the way a user does: tests exercise the compiled
 * executable, not the sources. `bun run build` must have run first (README command 2 does).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const LOADR = resolve(import.meta.dir, "../../dist/loadr");

export function requireBinary(): void {
  if (!existsSync(LOADR)) throw new Error(`${LOADR} is missing: run \`bun run build\` before \`bun test\``);
}

/** The environment the binary runs with in tests: PATH and HOME kept, no colour; `extra` on top. */
export function childEnv(extra?: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...extra };
}

/** The argv of `loadr args`, after `shellPrefix` (e.g. `ulimit -n 200`) in the same shell when given: exec keeps the pid loadr's. */
export function loadrArgv(args: string[], shellPrefix?: string): string[] {
  return shellPrefix ? ["sh", "-c", `${shellPrefix} && exec "$0" "$@"`, LOADR, ...args] : [LOADR, ...args];
}

/** Spawns `argv` in `cwd` with the test environment (childEnv), stdin closed, stdout and stderr piped. */
export function spawnPiped(argv: string[], cwd: string) {
  return Bun.spawn(argv, { cwd, env: childEnv(), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** A JSON file's contents; undefined when the file is not there (a summary export the run did not write). */
export function readJsonIfThere(path: string): any {
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function loadr(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  requireBinary();
  const proc = Bun.spawn([LOADR, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A scratch directory with the given files written into it. */
export function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "loadr-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/**
 * For a `loadr run --progress` child whose stderr is piped: resolves once the progress line shows
 * the load running (a signal sent earlier, while the workers set up, ends the run before any
 * request), or once the process has exited. Keeps reading stderr to the end (a closed pipe would
 * fail loadr's next write); `stderr()` is what it printed so far.
 */
export function untilLoadRuns(proc: { stderr: ReadableStream<Uint8Array>; exitCode: number | null }): { running: Promise<void>; stderr(): string } {
  let err = "";
  const read = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) err += dec.decode(chunk);
  })();
  const running = (async () => {
    while (!err.includes("running 00:") && proc.exitCode === null) await Bun.sleep(50);
  })();
  return { running: Promise.race([running, read]), stderr: () => err };
}
