/**
 * Will a run's sockets fit the open-file limit? Each VU of a scenario that sends requests keeps
 * its own connections (at least one), so the VUs a process runs at once need that many file
 * descriptors, plus OPEN_FILES_RESERVE for the process itself (its threads, plugins, outputs,
 * listening sockets); a connection to the built-in echo target, which runs in the same process,
 * is two. Past the limit, connections fail with EMFILE in the middle of the load: `loadr validate`
 * warns, `loadr run` refuses to start (docs/reliability.md).
 */
import type { Plan } from "./schema.ts";
import { peakConcurrentVus } from "./scenario-bounds.ts";
import { countRequestSteps } from "./walk.ts";

export const OPEN_FILES_RESERVE = 128;

/**
 * Descriptors this process needs at the least to run `scenarios` of the plan; `share` gives this
 * process's part of the VUs when it is one part of a scale-out test (src/engine/segments.ts).
 */
export function openFilesNeeded(plan: Plan, scenarios: string[], share: (vus: number) => number = (n) => n): { vus: number; perVu: number; files: number } {
  const connecting = scenarios.map((n) => plan.scenarios[n]!).filter((s) => s.exec !== undefined || countRequestSteps(s.flow ?? []) > 0);
  const vus = share(peakConcurrentVus(connecting));
  const perVu = plan.plugins.some((p) => p.name === "echo" && p.path === undefined && p.enabled !== false) ? 2 : 1;
  return { vus, perVu, files: vus * perVu + OPEN_FILES_RESERVE };
}

/** Why the plan's VUs cannot fit `limit` open files, naming the limit to set; undefined when they fit (or the limit is unknown). */
export function openFilesShortfall(plan: Plan, scenarios: string[], limit: number | undefined, share?: (vus: number) => number): string | undefined {
  if (limit === undefined) return undefined;
  const { vus, perVu, files } = openFilesNeeded(plan, scenarios, share);
  if (files <= limit) return undefined;
  return (
    `${vus} VUs at once need at least ${files} open files (${perVu === 1 ? "a socket each" : "two sockets each, as the echo target runs in this process"}, plus ${OPEN_FILES_RESERVE} for loadr), above this process's limit of ${limit}: ` +
    `raise it to ${files} or more (\`ulimit -n ${files}\`; the hard limit is set in /etc/security/limits.conf or systemd's LimitNOFILE) or run fewer VUs`
  );
}
