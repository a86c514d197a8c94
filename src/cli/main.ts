/**
 * loadr's entry point: dispatches to one command module, loaded on demand so that `--version`
 * and `--help` start in milliseconds. Every user error ends as one `error:` line and exit 1.
 */
import pkg from "../../package.json" with { type: "json" };
import { CliError } from "./errors.ts";
import { closest } from "../plan/suggest.ts";
import { COMMANDS } from "./commands.ts";
import { REFUSED_COMMANDS } from "./refusals.ts";
import { abandonedThreads } from "../util/abandoned-threads.ts";

export const USAGE = `loadr ${pkg.version} — load testing from YAML plans

Usage: loadr <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([n, c]) => `  ${n.padEnd(11)} ${c.summary}`)
  .join("\n")}

Global options: -q/--quiet, -v/--verbose, --no-color, -h/--help, -V/--version
Run \`loadr <command> --help\` for a command's options.
Docs: README.md and docs/ in the loadr repository.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === "--version" || cmd === "-V") {
    process.stdout.write(`loadr ${pkg.version}\n`);
    return 0;
  }
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(USAGE + "\n");
    return cmd === undefined ? 1 : 0;
  }
  // hidden: the child process of a plugin with `isolation: process` (src/plugins/host/native/isolation.ts)
  if (cmd === "__plugin-host") return (await import("../plugins/host/native/child.ts")).main(rest);
  const entry = COMMANDS[cmd];
  if (!entry && REFUSED_COMMANDS[cmd] !== undefined) throw new CliError(`\`loadr ${cmd}\`: ${REFUSED_COMMANDS[cmd]}`);
  if (!entry) {
    const near = closest(cmd, Object.keys(COMMANDS));
    throw new CliError(`unknown command \`${cmd}\`${near ? ` (did you mean \`${near}\`?)` : ""}; run \`loadr --help\` for the list`);
  }
  return (await entry.load()).main(rest);
}

// `loadr schema | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
});

// No top-level await: the binary is built with precompiled bytecode (CommonJS), which forbids it.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      // A bug of ours, not the user's: still one line, plus where to look.
      process.stderr.write(`error: internal error: ${(e as Error)?.message ?? e} (run with LOADR_DEBUG=1 for details and report it)\n`);
      if (process.env.LOADR_DEBUG) console.error(e);
      process.exitCode = 1;
    }
  },
).finally(() => {
  // a worker stuck in a native call would keep the process alive now that all is done (src/util/abandoned-threads.ts)
  if (abandonedThreads() > 0) process.exit();
});
