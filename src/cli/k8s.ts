/**
 * `loadr k8s render <plan> --parts N` (docs/distributed.md): prints the Kubernetes objects of a
 * scale-out test as YAML (src/distributed/k8s-manifests.ts builds them); this file reads the plan
 * and the files it names, and says in one line what cannot travel in a ConfigMap.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, relative } from "node:path";
import { stringify } from "yaml";
import pkg from "../../package.json" with { type: "json" };
import { formatDiagnostic, loadPlan } from "../plan/load.ts";
import { planFiles } from "../plan/plan-files.ts";
import { type BundledFile, RenderError, renderManifests } from "../distributed/k8s-manifests.ts";
import { intFlag, parse } from "./args.ts";
import { CliError, UsageError } from "./errors.ts";
import { duration, sharedToken, TOKEN_ENV } from "./scale-out-flags.ts";

export const HELP = `Usage: loadr k8s render <plan.yaml> --parts <n> [options]

Prints the Kubernetes objects (Kubernetes 1.29 or later) that run the plan as a scale-out test
(docs/distributed.md): a ConfigMap with the plan and the files it names, a Secret with its secret
files and the shared token, the aggregator (a Job behind a headless Service) and the parts (an
Indexed Job: pod i runs --segment i+1/n). Apply with \`kubectl apply -f\`, read the result with
\`kubectl logs job/<name>-aggregator\`.

Options:
  --parts <n>            how many parts (pods that send load)
  --image <ref>          the loadr image (default loadr:${pkg.version}; build it from the Dockerfile)
  --namespace <ns>       the objects' namespace (default: kubectl's current one)
  --name <name>          base name of the objects (default: the plan file's name)
  --deadline <dur>       the longest the test may run (required when the plan has no end)
  --token-file <path>    the shared token (default: $${TOKEN_ENV}, else a random one)
  --cpu <q>              each pod's CPU request (default 1)
  --memory <q>           each pod's memory request and limit (default 1Gi)
  --ttl <dur>            delete the Jobs this long after they finish (default 1h)
  --results-claim <pvc>  write the aggregator's exports to this PersistentVolumeClaim`;

/** DNS-1123 label: what a Kubernetes object name may be (with room for `-aggregator`). */
const NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h") {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (sub !== "render") throw new UsageError(`k8s: ${sub === undefined ? "give a subcommand" : `unknown subcommand \`${sub}\``}: \`loadr k8s render <plan.yaml> --parts <n>\` (see \`loadr k8s --help\`)`);
  const { values, positionals } = parse("k8s render", rest, {
    parts: { type: "string" },
    image: { type: "string" },
    namespace: { type: "string" },
    name: { type: "string" },
    deadline: { type: "string" },
    "token-file": { type: "string" },
    cpu: { type: "string" },
    memory: { type: "string" },
    ttl: { type: "string" },
    "results-claim": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("k8s render: give one plan file, e.g. `loadr k8s render plan.yaml --parts 4`");
  const parts = intFlag("parts", values.parts, 1);
  if (parts === undefined) throw new UsageError("k8s render: give the number of parts, e.g. --parts 4");
  const file = positionals[0]!;
  const name = values.name ?? basename(file).replace(/\.(ya?ml|json)$/i, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  if (!NAME.test(name)) throw new UsageError(`--name \`${name}\` is not a Kubernetes name: lower-case letters, digits and '-', at most 42, starting and ending with a letter or digit`);
  const ns = values.namespace;
  if (ns !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) throw new UsageError(`--namespace \`${ns}\` is not a Kubernetes namespace name`);

  const loaded = await loadPlan(file, { checkFiles: true });
  for (const d of loaded.diagnostics) if (d.severity === "error") process.stderr.write(formatDiagnostic(d, file) + "\n");
  if (!loaded.plan || loaded.diagnostics.some((d) => d.severity === "error"))
    throw new CliError("test definition is invalid (fix the errors above; `loadr validate` lists them too)");
  const plan = loaded.plan;
  const baseDir = dirname(file);
  const warn = (line: string) => void process.stderr.write(`warning: ${line}\n`);

  const { files, templated } = planFiles(plan);
  const bundled: BundledFile[] = [];
  const add = (path: string, secret: boolean) => bundled.push({ path, bytes: readFileSync(join(baseDir, path)), secret });
  for (const f of files) {
    if (f.role === "plugin" || isAbsolute(f.path)) {
      warn(`${f.at}: ${f.path} is not sent with the plan: it must be at that path in the image`);
      continue;
    }
    const rel = normalize(f.path);
    if (rel.startsWith("..")) throw new CliError(`${f.at}: ${f.path} is outside the plan's folder: the pods see only that folder; move the file beside the plan, or bake it into the image and name it by an absolute path`);
    if (f.role === "proto-dir") {
      for (const p of walk(join(baseDir, rel))) add(relative(baseDir, p), false);
    } else add(rel, f.role === "secret");
  }
  for (const f of templated) warn(`${f.at}: ${f.path} is a template, known only while running: it is not sent; put such files in the image`);

  const token = sharedToken(values, process.env) ?? randomBytes(24).toString("base64url");
  try {
    const objects = renderManifests({
      name,
      namespace: values.namespace,
      image: values.image ?? `loadr:${pkg.version}`,
      parts,
      planText: readFileSync(file, "utf8"),
      plan,
      files: dedupe(bundled),
      token,
      deadlineS: values.deadline === undefined ? undefined : Math.ceil(duration(values, "deadline", 0) / 1000),
      cpu: values.cpu ?? "1",
      memory: values.memory ?? "1Gi",
      ttlS: Math.ceil(duration(values, "ttl", 3_600_000) / 1000),
      resultsClaim: values["results-claim"],
    });
    process.stdout.write(objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
  } catch (e) {
    if (e instanceof RenderError) throw new CliError(e.message);
    throw e;
  }
  return 0;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const dedupe = (files: BundledFile[]) => files.filter((f, i) => files.findIndex((g) => g.path === f.path) === i);
