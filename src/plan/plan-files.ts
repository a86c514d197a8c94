/**
 * The files a plan names, as written (relative to the plan's folder unless absolute): what must
 * travel with the plan to another machine — a scale-out part checks that its copy is the
 * aggregator's (src/distributed/plan-hash.ts), `loadr k8s render` puts them in a ConfigMap or a
 * Secret. A path with a template (`${…}`) is only known while running: it is listed apart.
 */
import type { Plan } from "./schema.ts";
import { walkSteps } from "./walk.ts";

export type PlanFileRole = "data" | "script" | "body" | "proto" | "proto-dir" | "tls" | "secret" | "plugin";

export interface PlanFile {
  path: string;
  role: PlanFileRole;
  /** where the plan names it, for messages (`data.users.path`) */
  at: string;
}

export function planFiles(plan: Plan): { files: PlanFile[]; templated: PlanFile[] } {
  const all: PlanFile[] = [];
  const add = (path: string | undefined, role: PlanFileRole, at: string) => {
    if (path !== undefined) all.push({ path, role, at });
  };
  for (const [name, d] of Object.entries(plan.data ?? {})) if (d.type !== "inline") add(d.path, "data", `data.${name}.path`);
  add(plan.js?.file, "script", "js.file");
  for (const [name, s] of Object.entries(plan.secrets ?? {})) add(s.file, "secret", `secrets.${name}.file`);
  const tls = plan.defaults?.http?.tls;
  add(tls?.ca_file, "tls", "defaults.http.tls.ca_file");
  add(tls?.cert_file, "tls", "defaults.http.tls.cert_file");
  add(tls?.key_file, "secret", "defaults.http.tls.key_file");
  for (const p of plan.plugins ?? []) add(p.path, "plugin", `plugins.${p.name}.path`);
  for (const [sname, sc] of Object.entries(plan.scenarios))
    walkSteps(sc.flow ?? [], ["scenarios", sname, "flow"], ({ step, path }) => {
      if (!("request" in step)) return;
      const at = path.join(".") + ".request";
      const r = step.request;
      if (typeof r.body === "object" && r.body !== null) {
        add(r.body.file, "body", `${at}.body.file`);
        r.body.multipart?.forEach((p, i) => add(p.file, "body", `${at}.body.multipart.${i}.file`));
      }
      r.grpc?.proto_files?.forEach((f, i) => add(f, "proto", `${at}.grpc.proto_files.${i}`));
      r.grpc?.proto_includes?.forEach((f, i) => add(f, "proto-dir", `${at}.grpc.proto_includes.${i}`));
    });
  const seen = new Set<string>();
  const unique = all.filter((f) => !seen.has(f.role + "\0" + f.path) && seen.add(f.role + "\0" + f.path));
  return { files: unique.filter((f) => !f.path.includes("${")), templated: unique.filter((f) => f.path.includes("${")) };
}
