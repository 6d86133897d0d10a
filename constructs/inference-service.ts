/**
 * The inference API workload: Deployment + Service + PodDisruptionBudget + ServiceAccount, locked
 * down to the restricted Pod Security Standard and wired for Prometheus by its metric contract.
 */
import { InvariantError } from "../problems/problem.js";
import { JsonPatch } from "cdk8s";
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { selectorLabels, standardLabels, type ServiceIdentity } from "../kube/labels.js";
import { DEFAULT_CONTRACT, type MetricContract } from "../promql/metrics.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/pod-security.js";

export interface ResourceSpec {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export interface ProbeSettings {
  /** @default "/readyz" */
  readonly readinessPath?: string;
  /** @default "/health" */
  readonly startupPath?: string;
  /** @default "/health" */
  readonly livenessPath?: string;
  /** Seconds between readiness and startup probes. @default 5 */
  readonly periodSeconds?: number;
  /** Model load budget of the startup probe (failureThreshold × period ≥ this). @default 120 */
  readonly modelLoadSeconds?: number;
}

export interface TuningSettings {
  /** `PREDICT_MAX_CONCURRENCY`: concurrent predictions per worker. @default 4 */
  readonly predictMaxConcurrency?: number;
  /** `UVICORN_WORKERS`. @default 1 */
  readonly uvicornWorkers?: number;
  /** `PREWARM_MODEL`: run a warm-up inference before reporting ready. @default true */
  readonly prewarmModel?: boolean;
  /** `READINESS_CHECK_MODEL`: /readyz checks the model is loaded. @default true */
  readonly readinessCheckModel?: boolean;
}

export interface InferenceServiceProps {
  readonly namespace: string;
  readonly identity: ServiceIdentity;
  /** Container image with a tag or digest. */
  readonly image: string;
  /** Fixed replica count; not rendered once an autoscaler owns the Deployment. @default 1 */
  readonly replicas?: number;
  /** API container port (named `http`). @default 8000 */
  readonly port?: number;
  /** Where and what the service exports for Prometheus. @default DEFAULT_CONTRACT */
  readonly metrics?: MetricContract;
  /** Requests are mandatory: utilization-based autoscaling divides by them. */
  readonly resources: ResourceSpec;
  /** @default see {@link ProbeSettings} */
  readonly probes?: ProbeSettings;
  /** @default see {@link TuningSettings} */
  readonly tuning?: TuningSettings;
  /** Extra plain environment variables (never credentials). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** preStop sleep so the endpoint is removed from the Service before the server stops. @default 5 */
  readonly preStopSleepSeconds?: number;
  /** PodDisruptionBudget maxUnavailable. @default 1 */
  readonly maxUnavailable?: number;
  /** `require` never co-schedules two replicas on one node; `prefer` tries to. @default "prefer" */
  readonly spread?: "prefer" | "require";
  /** Add `prometheus.io/scrape|port|path` pod annotations (plain Prometheus discovery). @default true */
  readonly scrapeAnnotations?: boolean;
  /**
   * Extended resources in whole units, e.g. `{ "nvidia.com/gpu": 1 }`: rendered as equal request
   * and limit (Kubernetes requires that of extended resources). @default {}
   */
  readonly extendedResources?: Readonly<Record<string, number>>;
  /** Pod nodeSelector, e.g. GPU node labels. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Pod tolerations, e.g. for tainted GPU nodes. @default [] */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Container args (the image's entrypoint stays). @default none */
  readonly args?: readonly string[];
  /** Render the tuning env vars; false for servers configured by args only (vLLM). @default true */
  readonly tuningEnv?: boolean;
  /** Extra writable emptyDir mounts beside /tmp (model cache, /dev/shm). @default [] */
  readonly scratchVolumes?: readonly ScratchVolume[];
}

/** A writable emptyDir volume (the root filesystem is read-only). */
export interface ScratchVolume {
  /** Volume name (DNS label). */
  readonly name: string;
  readonly mountPath: string;
  readonly sizeLimit: string;
  /** `Memory` backs it with RAM (e.g. /dev/shm). @default disk */
  readonly medium?: "Memory";
}

const CONTAINER = "server";

/** The props with every default filled in. */
type ResolvedProps = Required<Omit<InferenceServiceProps, "args">> & Pick<InferenceServiceProps, "args">;

function withDefaults(props: InferenceServiceProps): ResolvedProps {
  return {
    replicas: 1,
    port: 8000,
    metrics: DEFAULT_CONTRACT,
    probes: {},
    tuning: {},
    env: {},
    terminationGracePeriodSeconds: 30,
    preStopSleepSeconds: 5,
    maxUnavailable: 1,
    spread: "prefer",
    scrapeAnnotations: true,
    extendedResources: {},
    nodeSelector: {},
    tolerations: [],
    tuningEnv: true,
    scratchVolumes: [],
    ...definedOnly(props),
  };
}

/** `props` without the keys explicitly set to undefined (which destructuring defaults would replace). */
function definedOnly<T extends object>(props: T): T {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as T;
}

/** A server that exports /metrics on its API port (vLLM) declares the contract's port name "http". */
function metricsOnApiPort(p: ResolvedProps): boolean {
  return p.metrics.port === p.port && p.metrics.portName === "http";
}

/** The constructor's invariants, each message naming the offending values. */
function checkProps(p: ResolvedProps): void {
  const name = p.identity.name;
  if (!Number.isInteger(p.replicas) || p.replicas < 0)
    throw new InvariantError(`InferenceService ${name}: replicas ${p.replicas} must be a whole number ≥ 0`);
  if (p.metrics.port === p.port && !metricsOnApiPort(p)) {
    throw new InvariantError(
      `InferenceService ${name}: metrics port ${p.metrics.port} must differ from the API port ${p.port} (or name the contract port "http" when the API port serves /metrics)`,
    );
  }
  for (const [resource, n] of Object.entries(p.extendedResources)) {
    if (!Number.isInteger(n) || n < 1)
      throw new InvariantError(`InferenceService ${name}: extended resource ${resource}: ${n} must be a whole number ≥ 1`);
  }
  for (const v of p.scratchVolumes) {
    if (v.name === "tmp" || v.mountPath === "/tmp")
      throw new InvariantError(
        `InferenceService ${name}: scratch volume ${v.name} at ${v.mountPath} collides with the built-in /tmp volume`,
      );
  }
  if (!p.resources.requests.cpu || !p.resources.requests.memory) {
    throw new InvariantError(`InferenceService ${name}: resources.requests.cpu and .memory are required (autoscaling divides by them)`);
  }
  if (p.preStopSleepSeconds >= p.terminationGracePeriodSeconds) {
    throw new InvariantError(
      `InferenceService ${name}: preStop sleep ${p.preStopSleepSeconds}s must be shorter than terminationGracePeriodSeconds ${p.terminationGracePeriodSeconds}s`,
    );
  }
}

/** The tuning env vars (unless turned off) and the extra ones, sorted by name; an extra one may not shadow a tuning one. */
function containerEnv(p: ResolvedProps): k8s.EnvVar[] {
  const { tuning } = p;
  const tuningEnv: Record<string, string> = !p.tuningEnv
    ? {}
    : {
        PREDICT_MAX_CONCURRENCY: String(tuning.predictMaxConcurrency ?? 4),
        UVICORN_WORKERS: String(tuning.uvicornWorkers ?? 1),
        PREWARM_MODEL: String(tuning.prewarmModel ?? true),
        READINESS_CHECK_MODEL: String(tuning.readinessCheckModel ?? true),
        METRICS_PORT: String(p.metrics.port),
      };
  for (const key of Object.keys(p.env)) {
    if (key in tuningEnv)
      throw new InvariantError(`InferenceService ${p.identity.name}: env ${key} is set by the tuning props; set it there instead`);
  }
  const allEnv = { ...tuningEnv, ...p.env };
  return Object.keys(allEnv)
    .sort()
    .map((name) => ({ name, value: allEnv[name]! }));
}

const q = (v: string) => k8s.Quantity.fromString(v);

/** Requests (extended resources included), and limits when any is set; extended resources get equal request and limit. */
function containerResources(p: ResolvedProps): k8s.ResourceRequirements {
  const { resources, extendedResources } = p;
  const limits: Record<string, k8s.Quantity> = {};
  if (resources.limits?.cpu) limits.cpu = q(resources.limits.cpu);
  if (resources.limits?.memory) limits.memory = q(resources.limits.memory);
  const extended = Object.fromEntries(
    Object.keys(extendedResources)
      .sort()
      .map((k) => [k, k8s.Quantity.fromNumber(extendedResources[k]!)]),
  );
  Object.assign(limits, extended);
  return {
    requests: { cpu: q(resources.requests.cpu), memory: q(resources.requests.memory), ...extended },
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

const httpGet = (path: string, portName: string) => ({ path, port: k8s.IntOrString.fromString(portName) });

/** Startup (covers the model load), readiness and liveness probes on the API port. */
function containerProbes(probes: ProbeSettings): Pick<k8s.Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  const modelLoadSeconds = probes.modelLoadSeconds ?? 120;
  const period = probes.periodSeconds ?? 5;
  return {
    startupProbe: {
      httpGet: httpGet(probes.startupPath ?? "/health", "http"),
      periodSeconds: period,
      timeoutSeconds: 2,
      // failureThreshold × period covers the model load; liveness starts only after.
      failureThreshold: Math.ceil(modelLoadSeconds / period),
    },
    readinessProbe: {
      httpGet: httpGet(probes.readinessPath ?? "/readyz", "http"),
      periodSeconds: period,
      timeoutSeconds: 2,
      failureThreshold: 3,
      successThreshold: 1,
    },
    livenessProbe: {
      httpGet: httpGet(probes.livenessPath ?? "/health", "http"),
      periodSeconds: 10,
      timeoutSeconds: 5,
      // Generous: a pod busy with a long batch must not be killed for one slow answer.
      failureThreshold: 6,
    },
  };
}

/** The server container: API and metrics ports, env, resources, probes, preStop sleep, restricted security context. */
function serverContainer(p: ResolvedProps): k8s.Container {
  return {
    name: CONTAINER,
    image: p.image,
    imagePullPolicy: "IfNotPresent",
    ...(p.args ? { args: [...p.args] } : {}),
    ports: [
      { name: "http", containerPort: p.port, protocol: "TCP" },
      ...(metricsOnApiPort(p) ? [] : [{ name: p.metrics.portName, containerPort: p.metrics.port, protocol: "TCP" }]),
    ],
    env: containerEnv(p),
    resources: containerResources(p),
    ...containerProbes(p.probes),
    lifecycle: {
      preStop: { exec: { command: ["sleep", String(p.preStopSleepSeconds)] } },
    },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...p.scratchVolumes.map((v) => ({ name: v.name, mountPath: v.mountPath }))],
  };
}

/** One replica per node and zone where possible (per node required with spread "require"). */
function spreadConstraints(p: ResolvedProps, selector: Readonly<Record<string, string>>): k8s.TopologySpreadConstraint[] {
  const spreadConstraint = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...selector } },
    // Count only pods of the current ReplicaSet, so a rollout is not blocked by the old one.
    matchLabelKeys: ["pod-template-hash"],
  });
  return [
    spreadConstraint("kubernetes.io/hostname", p.spread === "require" ? "DoNotSchedule" : "ScheduleAnyway"),
    spreadConstraint("topology.kubernetes.io/zone", "ScheduleAnyway"),
  ];
}

/** The pod template: labels, scrape annotations, and a pod spec that passes the restricted Pod Security Standard. */
function podTemplate(
  p: ResolvedProps,
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): k8s.PodTemplateSpec {
  const annotations: Record<string, string> = {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(p.metrics.port),
    "prometheus.io/path": p.metrics.path,
  };
  return {
    metadata: { labels, ...(p.scrapeAnnotations ? { annotations } : {}) },
    spec: {
      serviceAccountName: p.identity.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
      securityContext: restrictedPodSecurityContext(),
      ...(Object.keys(p.nodeSelector).length ? { nodeSelector: { ...p.nodeSelector } } : {}),
      ...(p.tolerations.length ? { tolerations: [...p.tolerations] } : {}),
      topologySpreadConstraints: spreadConstraints(p, selector),
      containers: [serverContainer(p)],
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: q("1Gi") } },
        ...p.scratchVolumes.map((v) => ({
          name: v.name,
          emptyDir: { sizeLimit: q(v.sizeLimit), ...(v.medium ? { medium: v.medium } : {}) },
        })),
      ],
    },
  };
}

export class InferenceService extends Construct {
  readonly namespace: string;
  readonly name: string;
  readonly identity: ServiceIdentity;
  readonly containerName = CONTAINER;
  readonly port: number;
  readonly contract: MetricContract;
  readonly resources: ResourceSpec;
  /** Labels on the pods (what Services, PDBs and scrape jobs select). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly pdb: k8s.KubePodDisruptionBudget;
  private autoscaler?: string;
  readonly replicas: number;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    const p = withDefaults(props);
    checkProps(p);
    const { identity, metrics, port } = p;

    this.namespace = p.namespace;
    this.name = identity.name;
    this.identity = identity;
    this.port = port;
    this.contract = metrics;
    this.resources = p.resources;
    this.replicas = p.replicas;
    this.selector = selectorLabels(identity);
    const labels = standardLabels(identity);
    this.podLabels = labels;
    const meta = { name: identity.name, namespace: p.namespace, labels };

    this.serviceAccount = new k8s.KubeServiceAccount(this, "ServiceAccount", {
      metadata: meta,
      // The server never calls the Kubernetes API: no token in the pod.
      automountServiceAccountToken: false,
    });

    this.deployment = new k8s.KubeDeployment(this, "Deployment", {
      metadata: meta,
      spec: {
        replicas: p.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: "RollingUpdate",
          // Keep serving capacity during a rollout: add a pod before removing one.
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString("25%"), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: podTemplate(p, labels, this.selector),
      },
    });

    this.service = new k8s.KubeService(this, "Service", {
      metadata: meta,
      spec: {
        type: "ClusterIP",
        selector: { ...this.selector },
        ports: [
          { name: "http", port, targetPort: k8s.IntOrString.fromString("http"), protocol: "TCP" },
          ...(metricsOnApiPort(p)
            ? []
            : [{ name: metrics.portName, port: metrics.port, targetPort: k8s.IntOrString.fromString(metrics.portName), protocol: "TCP" }]),
        ],
      },
    });

    this.pdb = new k8s.KubePodDisruptionBudget(this, "PodDisruptionBudget", {
      metadata: meta,
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(p.maxUnavailable),
        selector: { matchLabels: { ...this.selector } },
        // A pod that never became ready must not block a node drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    });
  }

  /**
   * Hands the replica count to an autoscaler: the Deployment stops rendering `spec.replicas`, so
   * no `kubectl apply` or `pulumi up` resets what the autoscaler chose. One owner only.
   */
  markHasAutoscaler(owner: string): void {
    if (this.autoscaler !== undefined) {
      throw new InvariantError(
        `Deployment ${this.namespace}/${this.name} is already scaled by ${this.autoscaler}; ${owner} would fight it (AmbiguousSelector). Use one autoscaler per workload`,
      );
    }
    this.autoscaler = owner;
    this.deployment.addJsonPatch(JsonPatch.remove("/spec/replicas"));
  }

  /** The autoscaler that owns the replica count, if any (`Kind/name`). */
  get autoscaledBy(): string | undefined {
    return this.autoscaler;
  }
}
