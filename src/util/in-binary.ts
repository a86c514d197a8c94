/**
 * Whether this code runs inside the compiled dist/loadr (its embedded files live under a virtual
 * root, `/$bunfs/` on Linux and macOS, `~BUN` on Windows) rather than from sources — a checkout,
 * `bun test`, or a package install used through the programmatic API.
 */
export const inBinary = (): boolean => Bun.main.includes("$bunfs") || Bun.main.includes("~BUN");
