/**
 * The run session's two scale-out roles (docs/distributed.md), assembled from src/distributed/:
 *
 * - a **part** (`loadr run --segment i/N --join host:port`) runs its segment of every scenario
 *   with the coordinator as usual, every sample tagged `instance`; it joins the aggregator before
 *   its workers start, waits at the start barrier, forwards every delta, obeys the aggregator's
 *   control, and evaluates no threshold of its own;
 * - the **aggregator** (`loadr aggregate --parts N --listen host:port`) starts no service and no
 *   worker: an AggregateRun takes the coordinator's place, and the outputs, dashboard, control
 *   API, summary and exports are the whole test's.
 *
 * Outputs split by what they need: those that stream every raw sample (json, csv, statsd, output
 * plugins that want samples) run on each part, the per-second ones (prometheus, influxdb, otlp)
 * on the aggregator, which has no raw samples.
 *
 * The `js:` module's run-level functions run once for the whole test, on the aggregator (a joined
 * part runs none): setup() once the parts are at the start barrier, its data sent to every part
 * with the start (the part's coordinator hands it to its workers with `go`); teardown() after the
 * last part ended (also after an abort or a lost part); handleSummary() over the whole test's
 * summary. Their requests are the aggregator's own samples, tagged `instance: aggregator`, merged
 * like a part's; the aggregator starts the plan's services for them (otherwise it starts none).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import pkg from "../../package.json" with { type: "json" };
import type { RunStatus } from "../control/status.ts";
import type { MetricsFeed } from "../engine/coordinator/metrics-feed.ts";
import type { Run, RunOptions } from "../engine/coordinator/coordinator.ts";
import type { Output } from "../outputs/types.ts";
import type { ThresholdSpec } from "../plan/thresholds.ts";
import { type AggregatePolicy, AggregateRun } from "../distributed/aggregate-run.ts";
import { JoinError, PartLink } from "../distributed/part-link.ts";
import { planHash } from "../distributed/plan-hash.ts";
import type { PartStatus } from "../distributed/protocol.ts";
import type { PartSpec } from "../distributed/segment-spec.ts";
import { RunSetupError } from "./errors.ts";
import type { PreparedRun } from "./prepare.ts";

export interface PartRole {
  role: "part";
  segment: PartSpec;
  /** the aggregator: `host:port` or a ws:// / wss:// URL; absent: the part runs on its own (its own thresholds) */
  join?: string;
  token?: string;
  /** a CA file to trust for a TLS aggregator (makes the connection wss://) */
  tlsCa?: string;
  /** how long to keep trying to reach the aggregator (at the start, and after a dropped connection) */
  joinTimeoutMs: number;
}

export interface AggregateRole extends AggregatePolicy {
  role: "aggregate";
  /** certificate and key files: the parts then join with wss:// */
  tls?: { cert: string; key: string };
}

export type ScaleOut = PartRole | AggregateRole;

/**
 * A part's coordinator: its segment and every sample tagged `instance` (the segment's label);
 * joined to an aggregator, the start barrier, every delta to it — and no thresholds of its own:
 * they are the aggregator's, on the merged whole.
 */
export function partWiring(run: PreparedRun, role: PartRole, link: PartLink | undefined): Partial<RunOptions> {
  const { plan } = run;
  const tagged = { ...plan, defaults: { ...plan.defaults, tags: { ...(plan.defaults.tags ?? {}), instance: role.segment.label } } };
  if (link === undefined) return { plan: tagged, part: role.segment.part };
  return { plan: tagged, part: role.segment.part, gate: () => link.gate(), onDelta: (delta) => link.push(delta), thresholds: [] };
}

/** The `instance` tag of the aggregator's own samples: the js module's setup() and teardown() requests. */
export const AGGREGATOR_INSTANCE = "aggregator";

/**
 * The plan's services (targets) this process starts: all of them, but on an aggregator only for
 * the module's setup()/teardown() to reach (it sends no load).
 */
export function servicesHere<T>(run: PreparedRun, role: ScaleOut["role"] | undefined, services: T[]): T[] {
  if (role !== "aggregate") return services;
  return run.js?.exports.setup?.fn === true || run.js?.exports.teardown?.fn === true ? services : [];
}

/** The aggregator's control, applied to this part's coordinator. */
export function obey(link: PartLink, run: Run): void {
  link.onControl = (c) => {
    if (c.action === "stop") run.stop(c.reason);
    else if (c.action === "kill") run.kill();
    else if (c.action === "pause") run.pause();
    else if (c.action === "resume") run.resume();
    else {
      try {
        run.scale(c.scenario, c.vus);
      } catch {} // the aggregator checked it; a part already stopping just ignores it
    }
  };
}

/** Which outputs run in this process: raw-sample ones on the parts, per-second ones on the aggregator. */
export function outputsHere(role: ScaleOut["role"] | undefined): ((o: Output, from: "plan" | "flag") => boolean) | undefined {
  if (role === "part") return (o, from) => from === "flag" || o.wantsSamples;
  if (role === "aggregate")
    return (o, from) => {
      if (!o.wantsSamples) return true;
      if (from === "flag")
        throw new Error(`the ${o.name} output streams every raw sample, which stay on the parts: give it to each part's \`loadr run\` (its samples carry the \`instance\` tag)`);
      return false; // the plan's: each part runs it
    };
  return undefined;
}

/** A part dials in before its workers start: a refusal or no answer is a RunSetupError, before any load. */
export async function joinAggregator(run: PreparedRun, role: PartRole & { join: string }, say: (line: string) => void): Promise<PartLink> {
  try {
    return await PartLink.join({
      address: role.join,
      tlsCa: role.tlsCa === undefined ? undefined : readTlsFile(role.tlsCa, "--tls-ca"),
      token: role.token,
      timeoutMs: role.joinTimeoutMs,
      hello: {
        loadr: pkg.version,
        plan: planHash(run.plan, run.baseDir),
        segment: role.segment,
        instance: role.segment.label,
        host: hostname(),
      },
      say,
    });
  } catch (e) {
    throw e instanceof JoinError ? new RunSetupError(e.message) : e;
  }
}

/** The aggregator listens at once: a port in use or an unreadable certificate is a RunSetupError. */
export function openAggregate(
  run: PreparedRun,
  role: AggregateRole,
  thresholds: ThresholdSpec[],
  hooks: { onTick(feed: MetricsFeed): void; say(line: string): void; warn(line: string): void; setup?(): Promise<string | undefined> },
): AggregateRun {
  const { role: _, tls: files, ...policy } = role;
  const tls = files && { cert: readTlsFile(files.cert, "--tls-cert"), key: readTlsFile(files.key, "--tls-key") };
  try {
    return new AggregateRun({
      ...policy,
      plan: run.plan,
      scenarios: run.scenarios,
      thresholds,
      planHash: planHash(run.plan, run.baseDir),
      version: pkg.version,
      tls,
      ...hooks,
    });
  } catch (e) {
    throw new RunSetupError(`--listen ${role.listen}: ${(e as Error).message}`);
  }
}

/** What a part tells the aggregator about itself once a second (its peak also counts the workers' own, for runs shorter than a status report). */
export function partStatus(s: RunStatus, feed: MetricsFeed): PartStatus {
  return { vus: s.vus, vus_max: Math.max(s.vus_max, feed.vusPeak), workers: s.workers, scenarios: s.scenarios };
}

function readTlsFile(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new RunSetupError(`${flag} ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}
