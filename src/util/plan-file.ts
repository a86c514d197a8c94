/**
 * Reading a file a plan names — the plan itself, data sources, request bodies, secrets, TLS
 * certificates and keys, gRPC proto files, the JS module and what it imports or open()s, the WASM
 * plugins and manifests its `plugins:` entries point at — or `loadr report` is given, with a
 * bound. Only a regular file (or a symlink to one: Kubernetes mounts secrets as symlinks) or a
 * FIFO is read, and never past its kind's cap: `/dev/zero` as a body or a CSV, or a plan that is
 * a named pipe fed forever, is one clear error instead of a run that reads until memory is gone.
 * Every reader of such a file goes through readPlanFile(); `loadr validate` asks
 * planFileProblem() the same questions without reading.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";

export type PlanFileKind = "plan" | "data" | "body" | "secret" | "tls" | "proto" | "script" | "component" | "manifest" | "results";

const MiB = 1024 * 1024;

/** The most bytes read from each kind of file (docs/plan.md "Files a plan names"). */
export const PLAN_FILE_CAPS: Readonly<Record<PlanFileKind, number>> = {
  plan: 16 * MiB,
  data: 256 * MiB,
  body: 256 * MiB,
  secret: 1 * MiB,
  tls: 4 * MiB, // a CA bundle is ~220 KiB (Debian's ca-certificates.crt)
  proto: 16 * MiB,
  script: 16 * MiB,
  component: 256 * MiB, // a JavaScript component (StarlingMonkey inside) is ~10 MB
  manifest: 1 * MiB,
  results: 1024 * MiB, // `loadr report`'s input: a summary, or the json output's NDJSON of a long run
};

const KIND_NAME: Record<PlanFileKind, string> = {
  plan: "a plan",
  data: "a data file",
  body: "a body file",
  secret: "a secret file",
  tls: "a TLS file",
  proto: "a proto file",
  script: "a JavaScript file",
  component: "a WASM plugin",
  manifest: "a plugin manifest",
  results: "a results file",
};

/** Why a file cannot be read (one clause, no path: the caller names the file). */
export class PlanFileError extends Error {
  override name = "PlanFileError";
}

function fmtSize(bytes: number): string {
  return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

const limit = (kind: PlanFileKind) => `the ${fmtSize(PLAN_FILE_CAPS[kind])} limit for ${KIND_NAME[kind]}`;
/** `size` known (a regular file's stat) or not (a FIFO, or a file that grew while read) */
const tooBig = (kind: PlanFileKind, size?: number) =>
  size !== undefined ? `it is ${fmtSize(size)}, over ${limit(kind)}` : `it holds more than ${limit(kind)}`;

/** What kind of file `st` is, for the refusal of one that is neither regular nor a FIFO. */
function typeName(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** The problem with a stat'ed file, before any read; undefined when it may be read. */
function statProblem(st: Stats, kind: PlanFileKind): string | undefined {
  if (st.isFIFO()) return undefined; // its size is known only by reading it, up to the cap
  if (!st.isFile()) return `it is ${typeName(st)}; name a regular file, a symlink to one, or a FIFO`;
  if (st.size > PLAN_FILE_CAPS[kind]) return tooBig(kind, st.size);
  return undefined;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory; name a regular file, a symlink to one, or a FIFO";
  return (e as Error).message;
}

/** Without reading it: why `path` could not be read as this kind of file, or undefined. */
export function planFileProblem(path: string, kind: PlanFileKind): string | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return errnoText(e);
  }
  return statProblem(st, kind);
}

/**
 * The bytes of `path` (symlinks followed), at most its kind's cap. Throws PlanFileError with the
 * reason: missing, unreadable, not a regular file or FIFO, or over the cap (a regular file by its
 * size before anything is read; a FIFO, or a file that grows while read, once the cap is passed).
 */
export function readPlanFile(path: string, kind: PlanFileKind): Uint8Array {
  const cap = PLAN_FILE_CAPS[kind];
  let fd: number;
  try {
    // a refusal by stat first: opening a device or a FIFO can have effects (or block), a directory cannot be read
    const problem = statProblem(statSync(path), kind);
    if (problem !== undefined) throw new PlanFileError(problem);
    fd = openSync(path, "r");
  } catch (e) {
    throw e instanceof PlanFileError ? e : new PlanFileError(errnoText(e));
  }
  try {
    const st = fstatSync(fd);
    // the file opened may not be the one stat'ed (replaced in between): check it again
    const problem = statProblem(st, kind);
    if (problem !== undefined) throw new PlanFileError(problem);
    // one byte past the cap tells "exactly the cap" from "more"
    let buf = new Uint8Array(st.isFIFO() ? Math.min(64 * 1024, cap + 1) : st.size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > cap) throw new PlanFileError(tooBig(kind));
        const grown = new Uint8Array(Math.min(buf.length * 2, cap + 1));
        grown.set(buf);
        buf = grown;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > cap) throw new PlanFileError(tooBig(kind));
    return n === buf.length ? buf : buf.subarray(0, n);
  } catch (e) {
    throw e instanceof PlanFileError ? e : new PlanFileError(errnoText(e));
  } finally {
    closeSync(fd);
  }
}

const decoder = new TextDecoder();

/** readPlanFile() as UTF-8 text. */
export function readPlanText(path: string, kind: PlanFileKind): string {
  return decoder.decode(readPlanFile(path, kind));
}
