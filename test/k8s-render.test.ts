/**
 * `loadr k8s render` (docs/distributed.md) through dist/loadr: the objects validate against the
 * Kubernetes object schemas (kubernetes-models, a pinned devDependency: offline), they hold
 * what the issue names (an Indexed Job, deadlines, grace, TTL, anti-affinity, the token in a
 * Secret), and they work: with no cluster here, the pods are played on this machine — their
 * volumes laid out from the ConfigMap and the Secret as the projected volume would, their
 * commands run as written (the parts' through /bin/sh with JOB_COMPLETION_INDEX) — and the test
 * runs to one summary with every iteration counted.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { Job } from "kubernetes-models/batch/v1";
import { LOADR, loadr, scratch } from "./support/cli.ts";
import { freePort, spawnLoadr } from "./support/scale-out.ts";
import { summaryQueries } from "./support/run-plan.ts";

setDefaultTimeout(60_000);

const PLAN = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
data:
  users: { type: csv, path: data/users.csv, mode: shared, on_eof: stop }
secrets:
  api_key: { file: secrets/key.txt }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 4
    iterations: 5
    graceful_stop: 7s
    flow:
      - request: { url: "/echo?u=\${data.users.name}", headers: { x-key: "\${secrets.api_key}" } }
thresholds:
  http_req_failed: ["rate<0.01"]
`;
const FILES = { "plan.yaml": PLAN, "data/users.csv": "name\n" + Array.from({ length: 40 }, (_, i) => `u${i}`).join("\n") + "\n", "secrets/key.txt": "k-123\n" };

const MODELS: Record<string, (o: any) => { validate(): void }> = {
  ConfigMap: (o) => new ConfigMap(o),
  Secret: (o) => new Secret(o),
  Service: (o) => new Service(o),
  Job: (o) => new Job(o),
};

/** The files under a fresh folder (`../x` lands beside it), and the render of its plan.yaml. */
async function render(args: string[], files: Record<string, string> = FILES) {
  const dir = join(scratch(), "w");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = await loadr(["k8s", "render", join(dir, "plan.yaml"), ...args], { cwd: dir, timeoutMs: 20_000 });
  const objects = r.code === 0 ? parseAllDocuments(r.stdout).map((d) => d.toJS()) : [];
  return { ...r, dir, objects, byName: (name: string, kind?: string) => objects.find((o) => o.metadata.name === name && (kind === undefined || o.kind === kind)) };
}

describe("loadr k8s render", () => {
  test("the objects validate against the Kubernetes schemas and say what the test needs", async () => {
    const r = await render(["--parts", "3", "--image", "registry.local/loadr:1", "--namespace", "perf", "--token-file", "secrets/key.txt"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ConfigMap/plan-plan", "Secret/plan-secrets", "Service/plan-aggregator", "Job/plan-aggregator", "Job/plan-parts"]);
    for (const o of r.objects) {
      expect(o.metadata.namespace).toBe("perf");
      expect(() => MODELS[o.kind]!(o).validate()).not.toThrow();
    }
    // the schemas are really checked: a wrong type is refused
    const broken = structuredClone(r.byName("plan-parts"));
    broken.spec.completions = "three";
    expect(() => new Job(broken).validate()).toThrow("must be integer");

    const parts = r.byName("plan-parts").spec;
    expect([parts.completionMode, parts.completions, parts.parallelism, parts.backoffLimitPerIndex]).toEqual(["Indexed", 3, 3, 0]);
    expect(parts.template.spec.restartPolicy).toBe("Never");
    expect(parts.template.spec.terminationGracePeriodSeconds).toBe(17); // graceful_stop 7 s + 10
    expect(parts.ttlSecondsAfterFinished).toBe(3600);
    // the plan's length (its default max_duration 10m + graceful_stop 7 s) + the barrier + slack
    expect(parts.activeDeadlineSeconds).toBe(600 + 7 + 120 + 120);
    expect(parts.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    const part = parts.template.spec.containers[0];
    expect(part.image).toBe("registry.local/loadr:1");
    expect(part.command.at(-1)).toContain('--segment "$((JOB_COMPLETION_INDEX + 1))/3" --join plan-aggregator:6570');
    const svc = r.objects.find((o) => o.kind === "Service").spec;
    expect([svc.clusterIP, svc.ports[0].port]).toEqual(["None", 6570]);
    const secret = r.byName("plan-secrets");
    expect(Buffer.from(secret.data.token, "base64").toString()).toBe("k-123");
    // the secret file is in the Secret, not in the ConfigMap
    const cm = r.byName("plan-plan");
    expect(Object.keys(cm.data).sort()).toEqual(["f0-data_users.csv", "plan.yaml"]);
    expect(Object.values(secret.data).map((v) => Buffer.from(v as string, "base64").toString())).toContain("k-123\n");
  });

  test("the rendered pods, played on this machine, run the test to one summary", async () => {
    const r = await render(["--parts", "2"]);
    expect(r.code).toBe(0);
    const cm = r.byName("plan-plan");
    const secret = r.byName("plan-secrets");
    const token = Buffer.from(secret.data.token, "base64").toString();
    expect(token.length).toBeGreaterThanOrEqual(24); // a random one without --token-file
    // the projected volume, laid out as the kubelet would
    const vol = scratch();
    const planDir = join(vol, "plan");
    for (const src of r.byName("plan-parts").spec.template.spec.volumes[0].projected.sources) {
      for (const item of (src.configMap ?? src.secret).items) {
        const path = join(planDir, item.path);
        mkdirSync(dirname(path), { recursive: true });
        const text = src.configMap ? cm.data[item.key] : Buffer.from(secret.data[item.key], "base64").toString();
        writeFileSync(path, text);
      }
    }
    const bin = join(vol, "bin");
    mkdirSync(bin);
    symlinkSync(LOADR, join(bin, "loadr"));
    const results = join(vol, "results");
    mkdirSync(results);
    const port = freePort();
    // the pods' paths and the Service's address, mapped to this machine
    const local = (s: string) => s.replaceAll("/plan/", planDir + "/").replaceAll("/results/", results + "/").replace("0.0.0.0:6570", `127.0.0.1:${port}`).replace("plan-aggregator:6570", `127.0.0.1:${port}`);
    const env = { LOADR_TOKEN: token, PATH: `${bin}:/usr/bin:/bin` };
    const agg = spawnLoadr(r.byName("plan-aggregator", "Job").spec.template.spec.containers[0].args.map(local), { cwd: vol, env });
    const cmd: string[] = r.byName("plan-parts").spec.template.spec.containers[0].command.map(local);
    const pods = [0, 1].map((i) => {
      const p = Bun.spawn(cmd, { cwd: vol, env: { ...env, JOB_COMPLETION_INDEX: String(i) }, stdout: "pipe", stderr: "pipe" });
      return Promise.all([p.exited, new Response(p.stderr).text()]);
    });
    const [a, ...ps] = await Promise.all([agg.done, ...pods]);
    expect({ code: a!.code, out: a!.code === 0 ? "" : a!.stdout + a!.stderr }).toEqual({ code: 0, out: "" });
    for (const [code, stderr] of ps as [number, string][]) {
      expect(code).toBe(0);
      expect(stderr).toMatch(/part [12]\/2 done/);
    }
    expect(a!.stderr).toContain("part 1/2 joined");
    expect(a!.stderr).toContain("part 2/2 joined");
    const summary = JSON.parse(readFileSync(join(results, "summary.json"), "utf8"));
    expect(summaryQueries(summary).sum("iterations")).toBe(20);
    expect(summary.thresholds.map((t: any) => t.passed)).toEqual([true]);
  });

  test("bad input: one line each", async () => {
    const noEnd = PLAN.replace("executor: per-vu-iterations\n    vus: 4\n    iterations: 5", "executor: externally-controlled\n    vus: 1\n    max_vus: 2");
    const cases: [string[], Record<string, string>, string][] = [
      [[], FILES, "error: k8s render: give the number of parts, e.g. --parts 4"],
      [["--parts", "2", "--name", "Big_Name"], FILES, "error: --name `Big_Name` is not a Kubernetes name"],
      [["--parts", "2"], { ...FILES, "plan.yaml": noEnd }, "error: the plan has no end (an externally-controlled scenario without duration): give --deadline <dur>"],
      [["--parts", "2"], { ...FILES, "plan.yaml": PLAN.replace("data/users.csv", "../users.csv"), "../users.csv": "name\nx\n" }, "error: data.users.path: ../users.csv is outside the plan's folder"],
      [["--parts", "2"], { ...FILES, "data/users.csv": "name\n" + "x".repeat(1_100_000) + "\n" }, "past a ConfigMap's 1000000: bake the files into the image"],
    ];
    for (const [args, files, line] of cases) {
      const r = await render(args, files);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(line);
    }
    for (const [args, line] of [
      [["k8s"], "error: k8s: give a subcommand: `loadr k8s render <plan.yaml> --parts <n>`"],
      [["k8s", "apply"], "error: k8s: unknown subcommand `apply`: `loadr k8s render <plan.yaml> --parts <n>`"],
      [["k8s", "render", "p.yaml", "--parts", "2", "--namespace", "Perf"], "error: --namespace `Perf` is not a Kubernetes namespace name"],
    ] as const) {
      const r = await loadr([...args], { timeoutMs: 15_000 });
      expect([r.code, r.stderr.trim().split("\n").length]).toEqual([1, 1]);
      expect(r.stderr).toContain(line);
    }
    // with --deadline, the open-ended plan renders, its Jobs bounded by it
    const ok = await render(["--parts", "2", "--deadline", "15m"], { ...FILES, "plan.yaml": noEnd });
    expect(ok.code).toBe(0);
    expect(ok.byName("plan-parts").spec.activeDeadlineSeconds).toBe(900 + 240);
    expect(existsSync(ok.dir)).toBe(true);
  });
});
