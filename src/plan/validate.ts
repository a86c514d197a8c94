/**
 * Semantic checks that need the whole plan (§1.13): cross-references between blocks, warnings,
 * and (optionally) referenced files. Checks local to one node live in the zod schemas, so they
 * run even when another part of the plan is broken.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Segment } from "./locate.ts";
import type { Plan } from "./schema.ts";
import { STANDARD_METHODS } from "./schema/request.ts";
import type { Step } from "./schema/steps.ts";
import { didYouMean } from "./suggest.ts";
import { compileTemplate, templateExprs } from "./template.ts";
import { stringLeaves } from "./schema/common.ts";
import { walkSteps } from "./walk.ts";
import { MAX_RATE_PER_PROCESS, peakRate } from "./scenario-bounds.ts";
import { openFilesShortfall } from "./open-files.ts";
import { openFileLimit } from "../util/open-file-limit.ts";
import type { RawDiagnostic } from "./zod-issues.ts";
import { formatPath } from "./diagnostics.ts";
import { unservedRequests, type ProtocolCatalogue } from "./protocol-check.ts";
import { planFileProblem, type PlanFileKind } from "../util/plan-file.ts";

export interface SemanticDiagnostic extends RawDiagnostic {
  severity: "error" | "warning";
}

/** The protocol names the plan format knows (reference §1.8); which of them this build serves is src/protocols/'s to say. */
export const BUILTIN_PROTOCOLS = ["http", "https", "ws", "websocket", "grpc", "graphql", "sse", "sses", "browser", "tcp", "udp"];
const BUILTIN_NAMES = new Set(["vu", "iteration", "scenario"]);

export interface ValidateOptions {
  baseDir: string;
  checkFiles: boolean;
  /** the handlers this build has, for the plan's `plugins:` (src/protocols/builtins.ts); absent: requests are not checked against them */
  protocols?: ProtocolCatalogue;
  /** the share of the load this process sends (src/plan/load.ts LoadOptions.share); default 1 */
  share?: number;
}

export function validatePlan(plan: Plan, opts: ValidateOptions): SemanticDiagnostic[] {
  const out: SemanticDiagnostic[] = [];
  const error = (path: Segment[], message: string, suggestion?: string) => out.push({ severity: "error", path, message, suggestion });
  const warn = (path: Segment[], message: string, suggestion?: string) => out.push({ severity: "warning", path, message, suggestion });

  if (Object.keys(plan.scenarios).length === 0) error(["scenarios"], "a test needs at least one scenario");

  // The JS module.
  if (plan.js && plan.js.file === undefined && plan.js.script === undefined) warn(["js"], "empty `js:` block (set `file` or `script`)");
  const pluginNames = plan.plugins.map((p) => p.name);
  // an entry's name is how the plan refers to it (`plugin:`, `protocol:`, hook lists): one entry per name
  plan.plugins.forEach((p, i) => {
    if (pluginNames.indexOf(p.name) !== i) error(["plugins", i, "name"], `a second \`plugins:\` entry named \`${p.name}\`; entry names must be unique`);
  });
  const unknownHook = (path: Segment[], name: string) =>
    error(path, `unknown plugin \`${name}\`; hook lists name \`plugins:\` entries`, didYouMean(name, pluginNames));
  const protocols = [...BUILTIN_PROTOCOLS, ...pluginNames];
  const variables = Object.keys(plan.variables);
  const secrets = Object.keys(plan.secrets);
  const dataSources = Object.keys(plan.data);

  // files read at run start are also checked for what they are and their size (src/util/plan-file.ts)
  const checkFile = (path: Segment[], file: string | undefined, what: string, kind?: PlanFileKind) => {
    if (!opts.checkFiles || file === undefined) return;
    const full = isAbsolute(file) ? file : resolve(opts.baseDir, file);
    if (!existsSync(full)) error(path, `${what} \`${file}\` not found (looked in ${full})`);
    else if (kind !== undefined) {
      const problem = planFileProblem(full, kind);
      if (problem !== undefined) error(path, `${what} \`${file}\`: ${problem}`);
    }
  };

  const tls = plan.defaults.http.tls;
  checkFile(["defaults", "http", "tls", "ca_file"], tls.ca_file, "TLS CA file", "tls");
  checkFile(["defaults", "http", "tls", "cert_file"], tls.cert_file, "TLS certificate file", "tls");
  checkFile(["defaults", "http", "tls", "key_file"], tls.key_file, "TLS key file", "tls");
  for (const [name, s] of Object.entries(plan.secrets)) checkFile(["secrets", name, "file"], s.file, "secret file", "secret");
  for (const [name, d] of Object.entries(plan.data)) if (d.type !== "inline") checkFile(["data", name, "path"], d.path, "data file", "data");
  if (plan.js) checkFile(["js", "file"], plan.js.file, "JS file", "script");

  // What one process can run (docs/reliability.md): the rate it can start, the sockets its open-file
  // limit allows (a machine's property: checked with the files, a warning here, a refusal at run start).
  // A part of a scale-out test runs its share of each (src/engine/segments.ts: within one VU or arrival).
  const share = opts.share ?? 1;
  const ownVus = share === 1 ? undefined : (n: number) => Math.ceil(n * share);
  for (const [sname, sc] of Object.entries(plan.scenarios)) {
    const rate = peakRate(sc) * share;
    if (rate > MAX_RATE_PER_PROCESS)
      error(
        ["scenarios", sname, sc.executor === "constant-arrival-rate" ? "rate" : "stages"],
        `${Math.round(rate).toLocaleString("en-US")} iterations/s is more than one loadr process can start (at most ${MAX_RATE_PER_PROCESS.toLocaleString("en-US")}/s): lower the rate or split the load over several loadr processes (a scale-out test: docs/distributed.md)`,
      );
  }
  if (opts.checkFiles) {
    const shortfall = openFilesShortfall(plan, Object.keys(plan.scenarios), openFileLimit(), ownVus);
    if (shortfall !== undefined) warn(["scenarios"], shortfall);
  }

  for (const [sname, sc] of Object.entries(plan.scenarios)) {
    const sp: Segment[] = ["scenarios", sname];
    sc.plugins?.forEach((n, i) => pluginNames.includes(n) || unknownHook([...sp, "plugins", i], n));
    for (const key of ["exec", "on_start", "on_stop"] as const)
      if (sc[key] !== undefined && !plan.js) error([...sp, key], `\`${key}\` needs a \`js:\` block`);

    // Names produced so far in this scenario (extractors, in flow order).
    const produced = new Set<string>();
    walkSteps(sc.flow, [...sp, "flow"], ({ step, path, scopeVars }) => {
      checkStep(step, path, scopeVars);
    });

    function checkStep(step: Step, path: Segment[], scopeVars: ReadonlySet<string>): void {
      if ("js" in step && typeof step.js === "object" && step.js.call !== undefined && !plan.js)
        error([...path, "js", "call"], "`js.call` needs a `js:` block");
      if ("group" in step && step.group.steps.length === 0) warn([...path, "group"], "empty group");
      if ("repeat" in step && step.repeat.times === 0) warn([...path, "repeat", "times"], "`repeat.times` is 0; the steps never run");
      if ("during" in step && step.during.duration === 0) warn([...path, "during", "duration"], "`during.duration` is zero; the steps never run");
      if ("retry" in step && step.retry.times === 0) warn([...path, "retry", "times"], "`retry.times` is 0; the steps run once");
      if (!("request" in step)) return;
      const r = step.request;
      const rp = [...path, "request"];
      r.hooks?.forEach((n, i) => pluginNames.includes(n) || unknownHook([...rp, "hooks", i], n));
      if (!STANDARD_METHODS.includes(r.method)) warn([...rp, "method"], `non-standard HTTP method \`${r.method}\``);
      if (r.protocol !== undefined && !protocols.includes(r.protocol))
        error([...rp, "protocol"], `unknown protocol \`${r.protocol}\`; use a built-in one (${BUILTIN_PROTOCOLS.join(", ")}) or the name of a \`plugins:\` entry`, didYouMean(r.protocol, protocols));
      if (r.body !== undefined && typeof r.body === "object") {
        checkFile([...rp, "body", "file"], r.body.file, "body file", "body");
        r.body.multipart?.forEach((part, i) => checkFile([...rp, "body", "multipart", i, "file"], part.file, "multipart file", "body"));
      }
      r.extract.forEach((e, i) => {
        if ("chain" in e && e.check && ["equals", "matches", "one_of", "min", "max", "not_empty"].every((k) => e.check![k as keyof typeof e.check] === undefined))
          warn([...rp, "extract", i, "check"], "empty `check` on chain; it always passes");
      });
      r.grpc?.proto_files?.forEach((f, i) => checkFile([...rp, "grpc", "proto_files", i], f, "proto file", "proto"));
      for (const [list, key] of [[r.extract, "extract"], [r.assert, "assert"], [r.checks, "checks"]] as const)
        list.forEach((e, i) => {
          if ("type" in e && e.type === "plugin" && !pluginNames.includes(e.plugin))
            error([...rp, key, i, "plugin"], `unknown plugin \`${e.plugin}\`; add it to \`plugins:\``, didYouMean(e.plugin, pluginNames));
        });
      // `${vars.x}` / `${secrets.x}` / `${data.src.col}` must name defined entries, in every
      // templated field of the request (the reference checks URLs only); a bare `${name}` that
      // nothing produced only warns, and only in the URL, as the reference does.
      for (const [field, src] of requestTemplates(r)) {
        let exprs: string[];
        try {
          exprs = templateExprs(compileTemplate(src));
        } catch {
          continue; // a template syntax error is reported by the schema
        }
        for (const expr of exprs) {
          const m = /^(vars|secrets|data)\.([^.]+)(?:\.(.*))?$/.exec(expr);
          if (m) {
            const [, ns, name] = m as unknown as [string, string, string];
            const known = ns === "vars" ? variables : ns === "secrets" ? secrets : dataSources;
            const block = ns === "vars" ? "variables" : ns;
            if (!known.includes(name))
              error([...rp, ...field], `\`\${${expr}}\` refers to \`${name}\`, which is not defined in \`${block}:\``, didYouMean(name, known));
            else if (ns === "data" && m[3] === undefined)
              error([...rp, ...field], `\`\${${expr}}\` needs a column: \`\${data.${name}.<column>}\``);
          } else if (field[0] === "url" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(expr) && !BUILTIN_NAMES.has(expr) && !variables.includes(expr) && !produced.has(expr) && !scopeVars.has(expr)) {
            warn(
              [...rp, "url"],
              `\`\${${expr}}\` is neither a \`variables:\` key nor extracted by an earlier request in this scenario`,
              didYouMean(expr, [...variables, ...produced, ...scopeVars]),
            );
          }
        }
      }
      for (const e of r.extract) produced.add("chain" in e ? e.chain : e.name);
    }
  }

  // Requests no handler of this build serves: a warning here, a refusal at `loadr run` (one rule: protocol-check.ts).
  if (opts.protocols) {
    const flagged = new Set(out.map((d) => formatPath(d.path)));
    for (const p of unservedRequests(plan, opts.protocols, opts.baseDir))
      if (!flagged.has(formatPath(p.path))) warn(p.path, `${p.message}; \`loadr run\` refuses this plan`);
  }

  // Threshold metric names are checked against the run's metric catalogue, which knows the
  // handlers and plugins (src/run/metric-check.ts, given to loadPlan as a check).
  return out;
}

/** Every templated string of a request step with its path below `request` (§1.11 "Where templates apply"). */
function requestTemplates(r: Extract<Step, { request: unknown }>["request"]): [Segment[], string][] {
  const out: [Segment[], string][] = [[["url"], r.url]];
  if (r.name !== undefined) out.push([["name"], r.name]);
  for (const [k, v] of Object.entries(r.headers ?? {})) out.push([["headers", k], v]);
  for (const [k, v] of Object.entries(r.params ?? {})) out.push([["params", k], v]);
  const b = r.body as unknown;
  if (typeof b === "string") out.push([["body"], b]);
  else if (b !== null && typeof b === "object") {
    const body = b as { form?: Record<string, string>; multipart?: { value?: string }[]; json?: unknown };
    for (const [k, v] of Object.entries(body.form ?? {})) out.push([["body", "form", k], v]);
    body.multipart?.forEach((p, i) => p.value !== undefined && out.push([["body", "multipart", i, "value"], p.value]));
    for (const [v, path] of stringLeaves(body.json, ["body", "json"])) out.push([path, v]);
  }
  return out;
}
