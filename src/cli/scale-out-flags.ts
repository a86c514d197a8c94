/**
 * The scale-out flags (docs/distributed.md): a part's (`loadr run --segment i/N --join
 * host:port`) and the aggregator's (`loadr aggregate --parts N --listen host:port`), parsed into
 * the run session's roles (src/run/scale-out.ts). The shared token comes from a file or the
 * environment, so it can live in a Kubernetes Secret.
 */
import { readFileSync } from "node:fs";
import { DurationError, parseDuration } from "../plan/duration.ts";
import { executionSegmentFlag, SegmentError, segmentFlag } from "../distributed/segment-spec.ts";
import type { AggregateRole, PartRole } from "../run/scale-out.ts";
import { intFlag } from "./args.ts";
import { UsageError } from "./errors.ts";

export const TOKEN_ENV = "LOADR_TOKEN";

export const PART_OPTIONS = {
  segment: { type: "string" },
  "execution-segment": { type: "string" },
  "execution-segment-sequence": { type: "string" },
  join: { type: "string" },
  "join-timeout": { type: "string" },
  "tls-ca": { type: "string" },
  "token-file": { type: "string" },
} as const;

export const AGGREGATE_OPTIONS = {
  parts: { type: "string" },
  listen: { type: "string" },
  "token-file": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "barrier-timeout": { type: "string" },
  "on-barrier-timeout": { type: "string" },
  "part-timeout": { type: "string" },
  "on-part-loss": { type: "string" },
} as const;

export const PART_HELP = `  --segment <i/N>             run part i of N of the test (1-based); with --join, one part of a
                              scale-out test (docs/distributed.md)
  --execution-segment <a:b>   k6's form: the slice a:b of the test (e.g. 1/4:1/2)
  --execution-segment-sequence <0,a,b,…,1>  the slices all parts use (k6's form)
  --join <host:port>          join the aggregator there (\`loadr aggregate\`): its start barrier,
                              thresholds, outputs and summary are the test's
  --join-timeout <dur>        how long to keep trying to reach the aggregator (default 2m)
  --token-file <path>         the shared token (default: $${TOKEN_ENV})
  --tls-ca <path>             the aggregator serves TLS with a certificate from this CA`;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const str = (v: Values[string]): string | undefined => (typeof v === "string" ? v : undefined);

export function duration(values: Values, flag: string, fallback: number): number {
  const v = str(values[flag]);
  if (v === undefined) return fallback;
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    throw new UsageError(`--${flag}: ${e.message}`);
  }
  throw new UsageError(`--${flag} must be greater than zero, got \`${v}\``);
}

function choice<T extends string>(values: Values, flag: string, allowed: readonly T[], fallback: T): T {
  const v = str(values[flag]);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be ${allowed.join(" or ")}, got \`${v}\``);
  return v as T;
}

/** `--token-file`, else $LOADR_TOKEN; a token file's trailing newline is not part of the token. */
export function sharedToken(values: Values, env: Record<string, string | undefined>): string | undefined {
  const file = str(values["token-file"]);
  let token: string | undefined;
  if (file !== undefined) {
    try {
      token = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new UsageError(`--token-file ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    if (token === "") throw new UsageError(`--token-file ${file} is empty: put the shared token in it`);
  } else if (env[TOKEN_ENV]) token = env[TOKEN_ENV];
  return token;
}

/** `loadr run`'s part flags, or undefined when the run is the whole test. */
export function partRole(values: Values, env: Record<string, string | undefined>): PartRole | undefined {
  const seg = str(values.segment);
  const exec = str(values["execution-segment"]);
  const seq = str(values["execution-segment-sequence"]);
  const join = str(values.join);
  if (seg !== undefined && exec !== undefined) throw new UsageError("give --segment i/N or --execution-segment a:b, not both");
  if (seq !== undefined && exec === undefined) throw new UsageError("--execution-segment-sequence goes with --execution-segment a:b");
  if (seg === undefined && exec === undefined) {
    if (join !== undefined) throw new UsageError("--join needs the part this process runs: --segment i/N (or --execution-segment a:b)");
    for (const f of ["join-timeout", "tls-ca", "token-file"]) if (values[f] !== undefined) throw new UsageError(`--${f} goes with --join`);
    return undefined;
  }
  let segment;
  try {
    segment = seg !== undefined ? segmentFlag(seg) : executionSegmentFlag(exec!, seq);
  } catch (e) {
    throw e instanceof SegmentError ? new UsageError(e.message) : e;
  }
  if (join === undefined) for (const f of ["join-timeout", "tls-ca", "token-file"]) if (values[f] !== undefined) throw new UsageError(`--${f} goes with --join`);
  return {
    role: "part",
    segment,
    join,
    token: join === undefined ? undefined : sharedToken(values, env),
    tlsCa: str(values["tls-ca"]),
    joinTimeoutMs: duration(values, "join-timeout", 120_000),
  };
}

/** `loadr aggregate`'s flags. */
export function aggregateRole(values: Values, env: Record<string, string | undefined>): AggregateRole {
  const parts = intFlag("parts", str(values.parts), 1);
  const listen = str(values.listen);
  if (parts === undefined || listen === undefined) throw new UsageError("aggregate: give the number of parts and where they join, e.g. `loadr aggregate plan.yaml --parts 4 --listen 0.0.0.0:6570`");
  const cert = str(values["tls-cert"]);
  const key = str(values["tls-key"]);
  if ((cert === undefined) !== (key === undefined)) throw new UsageError("--tls-cert and --tls-key go together (the aggregator's certificate and its key)");
  return {
    role: "aggregate",
    parts,
    listen,
    token: sharedToken(values, env),
    tls: cert !== undefined ? { cert, key: key! } : undefined,
    barrierTimeoutMs: duration(values, "barrier-timeout", 120_000),
    onBarrierTimeout: choice(values, "on-barrier-timeout", ["abort", "start"] as const, "abort"),
    partTimeoutMs: duration(values, "part-timeout", 10_000),
    onPartLoss: choice(values, "on-part-loss", ["continue", "abort"] as const, "continue"),
  };
}

