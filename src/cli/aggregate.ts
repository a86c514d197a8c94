/**
 * `loadr aggregate <plan>` (docs/distributed.md): the aggregator of a scale-out test. It takes
 * the run's own flags (plan overrides, outputs, summary and report files, --ui, --api), listens
 * for the parts (`loadr run <plan> --segment i/N --join host:port`), and everything `loadr run`
 * prints and exits with is the whole test's. The flags are parsed and printed by run.ts
 * (runCommand); only the help, what it refuses and its role differ.
 */
import { optionsHelp, runCommand, type RunMode } from "./run.ts";
import { aggregateRole, PART_OPTIONS, TOKEN_ENV } from "./scale-out-flags.ts";

const AGGREGATE_FLAGS = `  --parts <n>                 how many parts the test has (each runs --segment i/n)
  --listen <host:port>        where the parts join, e.g. 0.0.0.0:6570
  --token-file <path>         the shared token a part must give (default: $${TOKEN_ENV}; none: no check)
  --tls-cert <path>           serve TLS with this certificate (and --tls-key): parts join with wss://
  --tls-key <path>            the certificate's private key
  --barrier-timeout <dur>     how long the start barrier waits for every part (default 2m)
  --on-barrier-timeout <p>    abort (default: no load is sent) or start (with the parts present)
  --part-timeout <dur>        a part silent this long after the start is lost (default 10s)
  --on-part-loss <p>          continue (default: the rest finishes) or abort (stop every part)`;

export const HELP = `Usage: loadr aggregate <plan.yaml> --parts <n> --listen <host:port> [options]

The aggregator of a scale-out test (docs/distributed.md): waits for its parts to join, starts
them together, merges their metrics exactly (HDR histograms added, never percentiles averaged),
evaluates the thresholds and abort_on_fail on the whole test, runs the js module's setup() and
teardown() once (setup's data goes to every part), and drives the outputs, the live dashboard,
the control API and the summary. Its exit code is the test's: 0 when every threshold
passed, 99 when one failed or the test was aborted, 1 on an error (no load was sent).

Start each part with:  loadr run <plan.yaml> --segment i/<n> --join <host:port>

Scale-out options:
${AGGREGATE_FLAGS}

Options (as \`loadr run\`'s; the plan flags must be the parts' too):
${optionsHelp("aggregate")}`;

const PART_ONLY = Object.keys(PART_OPTIONS).filter((f) => f !== "token-file");

const AGGREGATE: RunMode = {
  command: "aggregate",
  help: HELP,
  refused: {
    ...Object.fromEntries(PART_ONLY.map((f) => [f, `--${f} is a flag of a part (\`loadr run --segment i/N --join host:port\`), not of the aggregator`])),
    workers: "--workers: the aggregator runs no workers (each part has its own --workers)",
    "http-debug": "--http-debug: the aggregator sends no requests (give it to a part's `loadr run`)",
  },
  scaleOut: (values, env) => aggregateRole(values, env),
};

export function main(argv: string[]): Promise<number> {
  return runCommand(argv, AGGREGATE);
}
