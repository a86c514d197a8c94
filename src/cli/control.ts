/**
 * `loadr status|pause|resume|stop|scale`: clients of a running `loadr run --api` (docs/control-api.md).
 * They take --address (default 127.0.0.1:6565, env LOADR_API); `--json` prints the raw answer.
 */
import { DEFAULT_API_ADDRESS } from "../control/address.ts";
import { ControlClientError, controlRequest } from "../control/client.ts";
import type { RunStatus } from "../control/status.ts";
import { intFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";

export type ControlCommand = "status" | "pause" | "resume" | "stop" | "scale";

const SUMMARY: Record<ControlCommand, string> = {
  status: "show a running test's state, VUs and scenarios",
  pause: "pause a running test (no new iterations; VUs are held)",
  resume: "resume a paused test",
  stop: "stop a running test gracefully (its summary is still printed)",
  scale: "set the VUs of an externally-controlled scenario",
};

export function controlHelp(cmd: ControlCommand): string {
  const usage = cmd === "scale" ? "loadr scale <scenario> --vus <n> [options]" : `loadr ${cmd} [options]`;
  return `Usage: ${usage}

${SUMMARY[cmd][0]!.toUpperCase() + SUMMARY[cmd].slice(1)}, through the control API of
\`loadr run --api <address>\`.

Options:
${cmd === "scale" ? "  --vus <n>               the scenario's new VU target (0 to its max_vus)\n" : ""}  --address <host:port>   where the run serves its API (default ${DEFAULT_API_ADDRESS}, env LOADR_API)
  --json                  print the API's JSON answer as is`;
}

export function controlCommand(cmd: ControlCommand): { main(args: string[]): Promise<number> } {
  return { main: (args) => run(cmd, args) };
}

async function run(cmd: ControlCommand, args: string[]): Promise<number> {
  const { values, positionals } = parse(cmd, args, {
    address: { type: "string" },
    json: { type: "boolean" },
    ...(cmd === "scale" ? { vus: { type: "string" } } : {}),
  });
  if (values.help) {
    process.stdout.write(controlHelp(cmd) + "\n");
    return 0;
  }
  const address = (values.address as string | undefined) ?? process.env.LOADR_API ?? DEFAULT_API_ADDRESS;
  let body: unknown;
  if (cmd === "scale") {
    if (positionals.length !== 1) throw new UsageError("scale: name one scenario, e.g. `loadr scale web --vus 20`");
    const vus = intFlag("vus", (values as { vus?: string }).vus, 0);
    if (vus === undefined) throw new UsageError("scale: give the new VU target with --vus <n>");
    body = { scenario: positionals[0], vus };
  } else if (positionals.length > 0) throw new UsageError(`${cmd}: takes no arguments (see \`loadr ${cmd} --help\`)`);
  let answer: unknown;
  try {
    answer = await controlRequest(address, cmd === "status" ? "GET" : "POST", `/v1/${cmd}`, body);
  } catch (e) {
    if (e instanceof ControlClientError) throw new CliError(`${cmd}: ${e.message}`);
    throw e;
  }
  process.stdout.write((values.json ? JSON.stringify(answer, null, 2) : describe(cmd, answer as RunStatus)) + "\n");
  return 0;
}

/** A human-readable status (every command answers with the run's status after the change). */
function describe(cmd: ControlCommand, s: RunStatus): string {
  const head =
    cmd === "pause" ? "paused" : cmd === "resume" ? "resumed" : cmd === "stop" ? "stopping gracefully" : cmd === "scale" ? "scaled" : null;
  const lines: string[] = [];
  if (head) lines.push(head);
  lines.push(
    `state: ${s.state}${s.paused ? " (paused)" : ""}   elapsed: ${s.elapsed_secs.toFixed(1)}s   vus: ${s.vus}   vus_max: ${s.vus_max}   workers: ${s.workers}`,
  );
  if (s.aborted) lines.push(`aborted: ${s.aborted}`);
  for (const sc of s.scenarios) {
    const target = sc.target_rate !== undefined ? `rate ${sc.target_rate}/s` : `target ${sc.target_vus}`;
    const cap = sc.max_vus !== undefined ? ` (max ${sc.max_vus})` : "";
    lines.push(`  ${sc.name}  ${sc.executor}  ${sc.phase}  vus ${sc.active_vus}  ${target}${cap}`);
  }
  return lines.join("\n");
}
