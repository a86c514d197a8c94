/**
 * The Kubernetes objects of a scale-out test (`loadr k8s render`, docs/distributed.md), for
 * Kubernetes ≥ 1.29: the plan and its files in a ConfigMap, secret files and the shared token in
 * a Secret, the aggregator as a one-pod Job behind a headless Service, and the parts as an
 * Indexed Job whose completion index + 1 is the part's `--segment`. Pure: the CLI
 * (src/cli/k8s.ts) reads the files and prints the objects as YAML. The objects are typed with
 * the Kubernetes API's own types (kubernetes-models, a devDependency: types only, erased from
 * the build), so a misspelt field fails the type check; test/k8s-render.test.ts validates them.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { Plan } from "../plan/schema.ts";
import { scheduleMs } from "../plan/scenario-bounds.ts";

/** where the aggregator listens inside its pod (and the Service's port) */
export const AGGREGATOR_PORT = 6570;
/** a ConfigMap (like every object) is at most 1 MiB (etcd's limit, less a little for metadata) */
export const CONFIGMAP_MAX_BYTES = 1_000_000;
/** the default start barrier of `loadr aggregate` (src/cli/scale-out-flags.ts) */
const BARRIER_S = 120;
/** past the plan's own length: pods starting, images pulled, the summary written */
const DEADLINE_SLACK_S = 120;
const PLAN_DIR = "/plan";
const RESULTS_DIR = "/results";

export interface BundledFile {
  /** the path under the plan's folder, as the plan names it (`data/users.csv`) */
  path: string;
  bytes: Uint8Array;
  secret: boolean;
}

export interface RenderInput {
  /** base name of every object (`<name>-aggregator`, `<name>-parts`, …) */
  name: string;
  namespace?: string;
  image: string;
  parts: number;
  /** the plan file's text, mounted as /plan/plan.yaml */
  planText: string;
  plan: Plan;
  files: BundledFile[];
  token: string;
  /** the parts' Job deadline when the plan has no length of its own (externally-controlled without duration) */
  deadlineS?: number;
  cpu: string;
  memory: string;
  ttlS: number;
  /** a PersistentVolumeClaim for the aggregator's exports; absent: an emptyDir (read before the pod goes) */
  resultsClaim?: string;
}

export class RenderError extends Error {}

export type K8sObject = IConfigMap | ISecret | IService | IJob;

/** the longest start_time + schedule + graceful_stop over the scenarios, in seconds (Infinity: open-ended) */
export function planLengthS(plan: Plan): number {
  const ends = Object.values(plan.scenarios).map((s) => s.start_time + scheduleMs(s) + s.graceful_stop);
  return Math.ceil(Math.max(0, ...ends) / 1000);
}

/** ConfigMap keys allow [-._a-zA-Z0-9]: each file gets an indexed key, mounted back at its path. */
const keyFor = (i: number, path: string) => `f${i}-${path.replace(/[^-._a-zA-Z0-9]/g, "_")}`.slice(0, 253);

const isUtf8 = (b: Uint8Array) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

export function renderManifests(o: RenderInput): K8sObject[] {
  const graceS = Math.ceil(Math.max(0, ...Object.values(o.plan.scenarios).map((s) => s.graceful_stop)) / 1000);
  const lengthS = planLengthS(o.plan);
  let runS = lengthS;
  if (!Number.isFinite(lengthS)) {
    if (o.deadlineS === undefined)
      throw new RenderError("the plan has no end (an externally-controlled scenario without duration): give --deadline <dur>, the longest the test may run");
    runS = o.deadlineS;
  } else if (o.deadlineS !== undefined) runS = o.deadlineS;
  const deadline = runS + BARRIER_S + DEADLINE_SLACK_S;

  const meta = (suffix: string, component: string) => ({
    name: `${o.name}-${suffix}`,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    labels: { "app.kubernetes.io/name": "loadr", "app.kubernetes.io/instance": o.name, "app.kubernetes.io/component": component },
  });
  const selector = (component: string) => ({ "app.kubernetes.io/instance": o.name, "app.kubernetes.io/component": component });

  const configData: Record<string, string> = { "plan.yaml": o.planText };
  const binaryData: Record<string, string> = {};
  const secretData: Record<string, string> = { token: Buffer.from(o.token).toString("base64") };
  const configItems = [{ key: "plan.yaml", path: "plan.yaml" }];
  const secretItems: { key: string; path: string }[] = [];
  o.files.forEach((f, i) => {
    const key = keyFor(i, f.path);
    if (f.secret) {
      secretData[key] = Buffer.from(f.bytes).toString("base64");
      secretItems.push({ key, path: f.path });
    } else {
      if (isUtf8(f.bytes)) configData[key] = new TextDecoder().decode(f.bytes);
      else binaryData[key] = Buffer.from(f.bytes).toString("base64");
      configItems.push({ key, path: f.path });
    }
  });
  const configBytes = [...Object.entries(configData), ...Object.entries(binaryData)].reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
  if (configBytes > CONFIGMAP_MAX_BYTES)
    throw new RenderError(
      `the plan and its files come to ${configBytes} bytes, past a ConfigMap's ${CONFIGMAP_MAX_BYTES}: bake the files into the image (FROM loadr, COPY them beside the plan) or mount a volume, and render a plan that names them there`,
    );

  const volumes: IVolume[] = [
    {
      name: "plan",
      projected: {
        sources: [{ configMap: { name: `${o.name}-plan`, items: configItems } }, ...(secretItems.length > 0 ? [{ secret: { name: `${o.name}-secrets`, items: secretItems } }] : [])],
      },
    },
  ];
  const planMount = { name: "plan", mountPath: PLAN_DIR, readOnly: true };
  const tokenEnv = { name: "LOADR_TOKEN", valueFrom: { secretKeyRef: { name: `${o.name}-secrets`, key: "token" } } };
  const resources = { requests: { cpu: o.cpu, memory: o.memory }, limits: { memory: o.memory } };
  const security = { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65534, capabilities: { drop: ["ALL"] } };
  const join = `${o.name}-aggregator:${AGGREGATOR_PORT}`;

  const aggregatorPod: IPodTemplateSpec = {
    metadata: { labels: selector("aggregator") },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: graceS + 10,
      // the exports' volume (a claim too) writable by the unprivileged user
      securityContext: { fsGroup: 65534 },
      containers: [
        {
          name: "aggregator",
          image: o.image,
          args: ["aggregate", `${PLAN_DIR}/plan.yaml`, "--parts", String(o.parts), "--listen", `0.0.0.0:${AGGREGATOR_PORT}`, "--summary-export", `${RESULTS_DIR}/summary.json`, "--no-color"],
          env: [tokenEnv],
          ports: [{ name: "parts", containerPort: AGGREGATOR_PORT }],
          resources,
          securityContext: security,
          volumeMounts: [planMount, { name: "results", mountPath: RESULTS_DIR }],
        },
      ],
      volumes: [...volumes, o.resultsClaim !== undefined ? { name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } } : { name: "results", emptyDir: {} }],
    },
  };

  const partsPod: IPodTemplateSpec = {
    metadata: { labels: selector("part") },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: graceS + 10,
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector("part") } } },
          ],
        },
      },
      containers: [
        {
          name: "part",
          image: o.image,
          // the Job's completion index counts from 0, --segment from 1
          command: ["/bin/sh", "-c", `exec loadr run ${PLAN_DIR}/plan.yaml --segment "$((JOB_COMPLETION_INDEX + 1))/${o.parts}" --join ${join} --no-color`],
          env: [tokenEnv],
          resources,
          securityContext: security,
          volumeMounts: [planMount],
        },
      ],
      volumes,
    },
  };

  const configMap: IConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: meta("plan", "plan"), data: configData, ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}) };
  const secret: ISecret = { apiVersion: "v1", kind: "Secret", metadata: meta("secrets", "secrets"), type: "Opaque", data: secretData };
  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta("aggregator", "aggregator"),
    spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: selector("aggregator"), ports: [{ name: "parts", port: AGGREGATOR_PORT, targetPort: AGGREGATOR_PORT }] },
  };
  const aggregatorJob: IJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta("aggregator", "aggregator"),
    spec: { backoffLimit: 0, activeDeadlineSeconds: deadline, ttlSecondsAfterFinished: o.ttlS, template: aggregatorPod },
  };
  const partsJob: IJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta("parts", "part"),
    spec: {
      completionMode: "Indexed",
      completions: o.parts,
      parallelism: o.parts,
      backoffLimitPerIndex: 0,
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: o.ttlS,
      template: partsPod,
    },
  };
  return [configMap, secret, service, aggregatorJob, partsJob];
}
