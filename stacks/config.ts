/**
 * The typed, validated description of one environment. Every object the program renders is
 * derived from a parsed {@link EnvConfig}; nothing is built from unvalidated input.
 *
 * Env files under stacks/ export an {@link EnvConfigInput} (defaults may be left out); the
 * schema fills defaults and checks cross-field invariants before any construct runs.
 */
import { z } from "zod";
import { DEFAULT_LATENCY_BUCKETS, DEFAULT_METRICS, durationSeconds } from "../promql/metrics.js";
import { isQuantity, parseQuantity } from "../kube/quantity.js";
import { isTimeZone } from "../scaling/time-zone.js";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../kube/names.js";

const dnsLabel = (what: string) =>
  z
    .string()
    .min(1, { error: `${what} must not be empty. Fix: give a name` })
    .max(63, { error: `${what} must be at most 63 characters (a DNS label)` })
    .regex(DNS_LABEL, {
      error: `${what} must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit. Fix: use a name such as ml-serving-prod`,
    });

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelValue = (what: string) =>
  z
    .string()
    .max(63, { error: `${what} must be at most 63 characters (a label value)` })
    .regex(LABEL_VALUE, {
      error: `${what} must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, no spaces or line breaks (the API server refuses others). Fix: use ASCII letters and digits, e.g. ml-platform`,
    });

/** Kubernetes qualified names (label keys, nodeSelector keys, toleration keys): `[prefix/]name`, the API server's rule. */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** IsQualifiedName of k8s.io/apimachinery: optional DNS-subdomain prefix (≤ 253) and '/', then a name of ≤ 63 characters. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  if (parts.length === 2 && (parts[0]!.length > 253 || !DNS_SUBDOMAIN.test(parts[0]!))) return false;
  const name = parts[parts.length - 1]!;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

const labelKey = (what: string) =>
  z.string().refine(isQualifiedName, {
    error: `${what} keys must be Kubernetes qualified names: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (the API server refuses others). Fix: write it like app.kubernetes.io/part-of or release`,
    params: { code: "CONFIG_FORMAT" },
  });

/** A label/selector map the API server accepts: qualified-name keys, label values. */
const labelMap = (what: string) => z.record(labelKey(what), labelValue(`${what} values`));

const quantity = (what: string) =>
  z.string().refine(isQuantity, { error: `${what} must be a Kubernetes quantity. Fix: write it like 500m, 2, 512Mi or 4Gi`, params: { code: "CONFIG_FORMAT" } });

const httpPath = (what: string) =>
  z.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, { error: `${what} must be an HTTP path starting with '/'. Fix: write it like /readyz` });

const promDuration = (what: string) =>
  z.string().regex(/^\d+(s|m|h|d)$/, { error: `${what} must be a Prometheus duration. Fix: write it like 30s, 2m or 1h` });

const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .min(min, { error: `${what} must be at least ${min}` })
    .max(max, { error: `${what} must be at most ${max}` });

const num = (what: string, min: number, max: number, exclusiveMin = false) =>
  z
    .number({ error: `${what} must be a number` })
    .refine((n) => Number.isFinite(n) && (exclusiveMin ? n > min : n >= min) && n <= max, {
      error: `${what} must be ${exclusiveMin ? "greater than" : "at least"} ${min} and at most ${max}`,
      params: { code: "CONFIG_RANGE" },
    });

const percent = (what: string) => int(what, 1, 100);

/** Seconds between KEDA's metric queries: beyond 5 minutes the autoscaler reacts too late to matter. */
const MAX_POLLING_SECONDS = 300;
const pollingInterval = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .min(1, { error: `${what} must be at least 1` })
    .max(MAX_POLLING_SECONDS, {
      error: (iss) => `${what} must be at most ${MAX_POLLING_SECONDS} seconds, not ${String(iss.input)}: KEDA queries the metrics once per interval, so the workload would scale up to that late after the load arrives. Fix: poll every 15–60 s (default 15)`,
    });

// Container image: registry/path:tag, registry/path@sha256:digest or both; a tag or digest is required so rollouts are reproducible.
const IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;

/** The tag of an image reference (`1.4.2` of `registry:5000/ml/x:1.4.2@sha256:…`), undefined when it has none. */
export function imageTag(ref: string): string | undefined {
  const name = ref.split("@")[0]!;
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

/** Pinned by content: a @sha256 digest (with or without a tag). */
export function hasDigest(ref: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(ref);
}

/** `:latest` (or no tag) without a digest: the image changes under the same reference. */
const notLatest = (what: string) => ({
  check: (ref: string) => hasDigest(ref) || imageTag(ref) !== "latest",
  error: `${what} uses the tag "latest": which image runs changes with every push, so rollouts, rollbacks and two pods of one ReplicaSet may run different code. Fix: use a version tag (e.g. :1.4.2) or a @sha256 digest`,
});

export const MetricSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*" }),
  type: z.enum(["histogram", "gauge", "counter"]),
  labels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "label names must match [a-zA-Z_][a-zA-Z0-9_]*" })),
  buckets: z.array(z.number()).optional(),
  help: z.string().optional(),
});

const ServiceSchema = z.strictObject({
  /** Name of the Deployment, Service and everything that belongs to it. @default "inference" */
  name: dnsLabel("service.name").default("inference"),
  /** `app.kubernetes.io/part-of`. @default "ml-platform" */
  partOf: labelValue("service.partOf").default("ml-platform"),
  /** `app.kubernetes.io/component`. @default "inference-api" */
  component: labelValue("service.component").default("inference-api"),
  /** Container image with a tag or digest. */
  image: z
    .string({ error: "service.image is required" })
    .min(1, { error: "service.image must not be empty. Fix: set the image the service runs, e.g. registry.example.com/ml/inference:1.4.2" })
    .regex(IMAGE, { error: "service.image must be a lower-case image reference with a tag or @sha256 digest. Fix: write it like registry.example.com/ml/inference:1.4.2" })
    .refine(notLatest("service.image").check, { error: notLatest("service.image").error, params: { code: "CONFIG_INVALID_VALUE" } }),
  /** HTTP port the API listens on. @default 8000 */
  port: int("service.port", 1, 65535).default(8000),
  /** The metric contract: where the service exposes metrics and which metrics it exports. */
  metrics: z
    .strictObject({
      port: int("service.metrics.port", 1, 65535).default(9090),
      portName: z
        .string()
        .regex(DNS_LABEL, { error: "service.metrics.portName must be an IANA service name" })
        .max(15, { error: "service.metrics.portName must be at most 15 characters" })
        .default("metrics"),
      path: httpPath("service.metrics.path").default("/metrics"),
      metrics: z.array(MetricSpecSchema).min(1).default(DEFAULT_METRICS.map((m) => ({ ...m, labels: [...m.labels], buckets: m.buckets ? [...m.buckets] : undefined }))),
    })
    .prefault({}),
  resources: z.strictObject(
    {
      /** Requests are mandatory: utilization targets and capacity checks divide by them. */
      requests: z.strictObject(
        { cpu: quantity("service.resources.requests.cpu"), memory: quantity("service.resources.requests.memory") },
        { error: "service.resources.requests needs cpu and memory" },
      ),
      limits: z
        .strictObject({
          cpu: quantity("service.resources.limits.cpu").optional(),
          memory: quantity("service.resources.limits.memory"),
        })
        .optional(),
    },
    { error: "service.resources is required: set requests.cpu and requests.memory" },
  ),
  probes: z
    .strictObject({
      readinessPath: httpPath("service.probes.readinessPath").default("/readyz"),
      startupPath: httpPath("service.probes.startupPath").default("/health"),
      livenessPath: httpPath("service.probes.livenessPath").default("/health"),
      /** Seconds between readiness/startup probes. @default 5 */
      periodSeconds: int("service.probes.periodSeconds", 1, 300).default(5),
      /** Time the startup probe allows for the model to load (failureThreshold × period). @default 120 */
      modelLoadSeconds: int("service.probes.modelLoadSeconds", 10, 3600).default(120),
    })
    .prefault({}),
  tuning: z
    .strictObject({
      predictMaxConcurrency: int("service.tuning.predictMaxConcurrency", 1, 1024).default(4),
      uvicornWorkers: int("service.tuning.uvicornWorkers", 1, 64).default(1),
      prewarmModel: z.boolean().default(true),
      readinessCheckModel: z.boolean().default(true),
    })
    .prefault({}),
  /** Extra environment variables (plain values only; credentials belong in Secrets). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "env var names must match [A-Za-z_][A-Za-z0-9_]*" }), z.string()).default({}),
  terminationGracePeriodSeconds: int("service.terminationGracePeriodSeconds", 1, 3600).default(30),
  /** preStop sleep so endpoints are removed before the server stops accepting. @default 5 */
  preStopSleepSeconds: int("service.preStopSleepSeconds", 0, 300).default(5),
  /** PodDisruptionBudget maxUnavailable. @default 1 */
  maxUnavailable: int("service.maxUnavailable", 0, 1000).default(1),
  /** `require` refuses to co-schedule replicas on one node; `prefer` tries to spread. @default "prefer" */
  spread: z.enum(["prefer", "require"]).default("prefer"),
});

const BehaviorSchema = z
  .strictObject({
    scaleUp: z
      .strictObject({
        stabilizationWindowSeconds: int("scaling.behavior.scaleUp.stabilizationWindowSeconds", 0, 3600).default(60),
        pods: int("scaling.behavior.scaleUp.pods", 1, 1000).default(2),
        percent: int("scaling.behavior.scaleUp.percent", 1, 1000).default(50),
        periodSeconds: int("scaling.behavior.scaleUp.periodSeconds", 1, 1800).default(30),
      })
      .prefault({}),
    scaleDown: z
      .strictObject({
        stabilizationWindowSeconds: int("scaling.behavior.scaleDown.stabilizationWindowSeconds", 0, 3600).default(300),
        pods: int("scaling.behavior.scaleDown.pods", 1, 1000).default(1),
        podsPeriodSeconds: int("scaling.behavior.scaleDown.podsPeriodSeconds", 1, 1800).default(60),
        percent: int("scaling.behavior.scaleDown.percent", 1, 100).default(10),
        percentPeriodSeconds: int("scaling.behavior.scaleDown.percentPeriodSeconds", 1, 1800).default(120),
      })
      .prefault({}),
  })
  .prefault({});

const thresholdPair = (what: string, threshold: number, activation: number) =>
  z
    .strictObject({
      threshold: num(`${what}.threshold`, 0, 1e6, true).default(threshold),
      activation: num(`${what}.activation`, 0, 1e6).default(activation),
    })
    .prefault({});

// ---------------------------------------------------------------------------------------------
// Burst scaling, scale-to-zero wake-up and network policies. One block: the scaling
// signals Knative's KPA has and KEDA/HPA need spelled out, the external signal that wakes a
// service scaled to zero, and the per-namespace NetworkPolicy.

const ConcurrencySchema = z
  .strictObject({
    /** Scale on requests in flight per pod (keda: trigger `concurrency`; slo-hpa: the in-flight Pods metric's target). @default true */
    enabled: z.boolean().default(true),
    /**
     * Share of a pod's capacity (`service.tuning.predictMaxConcurrency × uvicornWorkers`) one pod
     * should carry: Knative's target utilisation. @default 70
     */
    utilization: percent("scaling.concurrency.utilization").default(70),
  })
  .prefault({});

const BurstSchema = z
  .strictObject({
    /** Add the short-window concurrency trigger (KPA's panic window, as far as an HPA can). @default false */
    enabled: z.boolean().default(false),
    /** Window of `max_over_time`; it must hold at least 2 scrapes. @default 2 × monitoring.scrapeIntervalSeconds */
    windowSeconds: int("scaling.burst.windowSeconds", 2, 600).optional(),
    /** Burst threshold as a multiple of the stable per-pod concurrency target (KPA's panic threshold 200 %). @default 2 */
    factor: num("scaling.burst.factor", 1, 10, true).default(2),
  })
  .prefault({});

const WakeUpSchema = z.strictObject({
  /**
   * The labels the scrape stores on the external series: the `namespace` and `job` of the
   * component that counts requests while no pod runs (a gateway, an ingress controller, the
   * orchestrator, a broker exporter). Never the scaled pods' own job.
   */
  source: z.strictObject({
    namespace: dnsLabel("scaling.wakeUp.source.namespace"),
    job: z.string().min(1, { error: "scaling.wakeUp.source.job must not be empty. Fix: give the scrape job of the gateway, e.g. traefik" }),
    /**
     * Who scrapes the source. `this-env`: the environment renders a pod-role scrape job named
     * `job` for `namespace` (pods annotated `prometheus.io/scrape: "true"`, at their
     * `prometheus.io/port` and `prometheus.io/path`), beside the service's own job.
     * `external`: a scrape outside this program already stores the series under that
     * namespace/job (declare it only when that is true: WAKEUP_SOURCE_NOT_SCRAPED trusts it).
     * @default "this-env"
     */
    scrapedBy: z.enum(["this-env", "external"], { error: "scaling.wakeUp.source.scrapedBy must be this-env or external" }).default("this-env"),
    /** Labels of the source's pods the rendered job keeps (with `scrapedBy: this-env`). @default {} (every annotated pod of the namespace) */
    podLabels: z.record(z.string(), z.string()).default({}),
  }),
  /** The external metric's contract: a counter (requests, wakes on its rate) or a gauge (backlog). */
  metric: MetricSpecSchema,
  /** Matchers selecting this service's share of the signal, e.g. `{ service: "ml-serving-dev-inference-8000@kubernetes" }`. @default {} */
  matchers: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "label names must match [a-zA-Z_][a-zA-Z0-9_]*" }), z.string()).default({}),
  /** KEDA activationThreshold: the service wakes when the signal is above it (requests/s or backlog). @default 0 */
  activation: num("scaling.wakeUp.activation", 0, 1e6).default(0),
  /** Per-replica target once awake (AverageValue: requests/s or backlog per pod). */
  threshold: num("scaling.wakeUp.threshold", 0, 1e6, true),
});

const peerSchema = (what: string) =>
  z.strictObject({
    /** Namespace of the peer pods (its `kubernetes.io/metadata.name` label). @default the environment's namespace */
    namespace: dnsLabel(`${what}.namespace`).optional(),
    /** Labels of the peer pods; empty selects every pod of that namespace. @default {} */
    podLabels: z.record(z.string(), z.string()).default({}),
  });

const NetworkPolicySchema = z
  .strictObject({
    /** Render the namespace's policies. Only `cluster.kind: local` may turn them off. @default true */
    enabled: z.boolean().default(true),
    /** The ingress controller / gateway that calls the HTTP services from outside the namespace. @default ingress-nginx's controller pods */
    ingressController: peerSchema("networkPolicy.ingressController").default({
      namespace: "ingress-nginx",
      podLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    }),
    /** More callers of the inference service's serving port (beside the orchestrator or the ingress controller). @default [] */
    callers: z.array(peerSchema("networkPolicy.callers[]")).default([]),
    /** Labels of the Prometheus server pods in `monitoring.prometheus.namespace` (both charts set this one). @default { "app.kubernetes.io/name": "prometheus" } */
    prometheusPodLabels: z.record(z.string(), z.string()).default({ "app.kubernetes.io/name": "prometheus" }),
    /** Who may read the metrics ports. @default the Prometheus pods above in monitoring.prometheus.namespace */
    metricsFrom: z.array(peerSchema("networkPolicy.metricsFrom[]")).optional(),
    /** Deny egress except DNS and the declared dependencies. @default false */
    egress: z.boolean().default(false),
    /** The cluster DNS pods egress must reach. @default kube-system, k8s-app=kube-dns */
    dns: peerSchema("networkPolicy.dns").default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }),
    /** The RabbitMQ broker queue workers reach (required with egress and queue workers). */
    rabbitmq: peerSchema("networkPolicy.rabbitmq").extend({ port: int("networkPolicy.rabbitmq.port", 1, 65535).default(5672) }).optional(),
  })
  .prefault({});

/** Per-pod concurrency capacity: concurrent predictions per worker × workers. */
export function podConcurrencyCapacity(service: { tuning: { predictMaxConcurrency: number; uvicornWorkers: number } }): number {
  return service.tuning.predictMaxConcurrency * service.tuning.uvicornWorkers;
}

/** Window of the burst trigger: the configured one, else two scrapes. */
export function burstWindowSeconds(c: { scaling: { burst: { windowSeconds?: number | undefined } }; monitoring: { scrapeIntervalSeconds: number } }): number {
  return c.scaling.burst.windowSeconds ?? 2 * c.monitoring.scrapeIntervalSeconds;
}

/** Cross-field rules of the block above. */
function checkBurstWakeUpPolicy(
  c: {
    name: string;
    cluster: { kind: string; keda: boolean };
    monitoring: { scrapeIntervalSeconds: number };
    scaling: z.output<typeof ScalingSchema>;
    networkPolicy: z.output<typeof NetworkPolicySchema>;
    queueWorkers?: unknown[] | undefined;
  },
  issue: Issue,
): void {
  const { scaling, networkPolicy: np } = c;
  const burst = scaling.burst;
  if (burst.enabled) {
    if (scaling.mode === "cpu-hpa") issue(["scaling", "burst", "enabled"], "the burst trigger reads in-flight requests, which mode cpu-hpa does not scale on. Fix: use mode keda or slo-hpa, or turn burst off");
    if (!scaling.concurrency.enabled) issue(["scaling", "burst", "enabled"], "the burst trigger is 2× the concurrency target, but scaling.concurrency.enabled is false. Fix: enable scaling.concurrency or turn burst off");
    const window = burstWindowSeconds(c);
    if (window < 2 * c.monitoring.scrapeIntervalSeconds) {
      issue(
        ["scaling", "burst", "windowSeconds"],
        `burst window ${window}s holds fewer than 2 scrapes of ${c.monitoring.scrapeIntervalSeconds}s: max_over_time would see one sample or none. Fix: set windowSeconds ≥ ${2 * c.monitoring.scrapeIntervalSeconds} or scrape more often`,
        "RATE_WINDOW_TOO_SHORT",
      );
    }
    const up = scaling.behavior.scaleUp.stabilizationWindowSeconds;
    if (up > window) {
      issue(
        ["scaling", "behavior", "scaleUp", "stabilizationWindowSeconds"],
        `scale-up stabilization ${up}s is longer than the burst window ${window}s: the HPA takes the lowest recommendation of the last ${up}s, so a burst is acted on only once it has lasted that long. Fix: set scaling.behavior.scaleUp.stabilizationWindowSeconds ≤ ${window} (the scale-down window keeps it from flapping)`,
      );
    }
  }
  if (scaling.wakeUp) {
    if (scaling.mode !== "keda") issue(["scaling", "wakeUp"], `a wake-up trigger is a KEDA trigger, but scaling.mode is "${scaling.mode}". Fix: use mode keda or remove scaling.wakeUp`);
    const m = scaling.wakeUp.metric;
    if (m.type === "histogram") issue(["scaling", "wakeUp", "metric", "type"], "a wake-up signal is a counter (requests) or a gauge (backlog), not a histogram. Fix: declare the gateway's request counter");
    for (const label of Object.keys(scaling.wakeUp.matchers)) {
      if (!m.labels.includes(label)) issue(["scaling", "wakeUp", "matchers", label], `label "${label}" is not declared on ${m.name} (labels: ${m.labels.join(", ") || "none"}). Fix: add it to scaling.wakeUp.metric.labels or match on a declared label`, "QUERY_LABEL_MISMATCH");
    }
    if (scaling.wakeUp.activation >= scaling.wakeUp.threshold) {
      issue(["scaling", "wakeUp", "activation"], `activation ${scaling.wakeUp.activation} must be below threshold ${scaling.wakeUp.threshold}. Fix: lower the activation value`);
    }
  }
  if (!np.enabled && c.cluster.kind !== "local") {
    issue(["networkPolicy", "enabled"], `network policies may be off only on a local cluster, and cluster.kind is "${c.cluster.kind}". Fix: remove networkPolicy.enabled (policies on) or set cluster.kind local for a laptop cluster`);
  }
  if (np.enabled && np.egress && c.queueWorkers?.length && !np.rabbitmq) {
    issue(["networkPolicy", "rabbitmq"], "egress is denied but the queue workers' broker is not declared: they could not reach RabbitMQ. Fix: set networkPolicy.rabbitmq { namespace, podLabels, port } or turn networkPolicy.egress off", "CONFIG_MISSING");
  }
}
// ---------------------------------------------------------------------------------------------

const ScalingSchema = z.strictObject({
  /** Which autoscaler owns the Deployment. */
  mode: z.enum(["cpu-hpa", "slo-hpa", "keda"], { error: "scaling.mode must be one of cpu-hpa, slo-hpa, keda" }),
  minReplicas: int("scaling.minReplicas", 0, 1000).default(2),
  maxReplicas: int("scaling.maxReplicas", 1, 1000).default(20),
  /** Endpoint whose latency drives scaling. @default "/predict" */
  endpoint: httpPath("scaling.endpoint").default("/predict"),
  behavior: BehaviorSchema,
  /** In-flight requests per pod against a share of the pod's capacity (keda, slo-hpa). */
  concurrency: ConcurrencySchema,
  /** The short-window concurrency trigger reacting to bursts. */
  burst: BurstSchema,
  /** Signal from outside the scaled pods that wakes a service scaled to zero (mode keda). @default none */
  wakeUp: WakeUpSchema.optional(),
  cpuHpa: z.strictObject({ cpuUtilization: percent("scaling.cpuHpa.cpuUtilization").default(70) }).prefault({}),
  sloHpa: z
    .strictObject({
      p95LatencySeconds: num("scaling.sloHpa.p95LatencySeconds", 0, 3600, true).default(0.5),
      /** Per-pod in-flight target. @default predictMaxConcurrency × uvicornWorkers × scaling.concurrency.utilization */
      inFlightPerPod: num("scaling.sloHpa.inFlightPerPod", 0, 1e6, true).optional(),
      cpuUtilization: percent("scaling.sloHpa.cpuUtilization").default(80),
    })
    .prefault({}),
  keda: z
    .strictObject({
      p95Latency: thresholdPair("scaling.keda.p95Latency", 0.5, 0.3),
      queueLength: thresholdPair("scaling.keda.queueLength", 20, 10),
      cpuUtilization: percent("scaling.keda.cpuUtilization").default(85),
      memoryUtilization: percent("scaling.keda.memoryUtilization").default(80),
      pollingInterval: pollingInterval("scaling.keda.pollingInterval").default(15),
      cooldownPeriod: int("scaling.keda.cooldownPeriod", 0, 86400).default(300),
      initialCooldownPeriod: int("scaling.keda.initialCooldownPeriod", 0, 86400).optional(),
      idleReplicaCount: int("scaling.keda.idleReplicaCount", 0, 1000).optional(),
      fallback: z
        .strictObject({
          failureThreshold: int("scaling.keda.fallback.failureThreshold", 1, 100).default(3),
          /** Replicas to hold while the scaler fails. @default max(minReplicas, ceil(maxReplicas / 2)) */
          replicas: int("scaling.keda.fallback.replicas", 1, 1000).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});

const MonitoringSchema = z
  .strictObject({
    /** `service-monitor` for the Prometheus Operator; `pod-annotations` plus a scrape job for plain Prometheus. */
    scrape: z.enum(["service-monitor", "pod-annotations"]).default("service-monitor"),
    scrapeIntervalSeconds: int("monitoring.scrapeIntervalSeconds", 1, 300).default(15),
    /** rate()/histogram_quantile() window; at least 4× the scrape interval. @default "2m" */
    queryWindow: promDuration("monitoring.queryWindow").default("2m"),
    prometheus: z
      .strictObject({
        service: dnsLabel("monitoring.prometheus.service").default("kube-prometheus-stack-prometheus"),
        namespace: dnsLabel("monitoring.prometheus.namespace").default("monitoring"),
        port: int("monitoring.prometheus.port", 1, 65535).default(9090),
        /** An explicitly declared Prometheus outside the cluster (https URL, no credentials). */
        externalUrl: z.url({ protocol: /^https?$/, error: "monitoring.prometheus.externalUrl must be an http(s) URL. Fix: write it like https://prometheus.example.com" }).optional(),
      })
      .prefault({}),
    /** Labels the Prometheus Operator selects ServiceMonitors and PrometheusRules by. */
    selectorLabels: labelMap("monitoring.selectorLabels").default({ release: "kube-prometheus-stack" }),
    alerts: z
      .strictObject({
        p95LatencySeconds: num("monitoring.alerts.p95LatencySeconds", 0, 3600, true).default(1),
        errorRatio: num("monitoring.alerts.errorRatio", 0, 1, true).default(0.01),
        queueBacklog: num("monitoring.alerts.queueBacklog", 0, 1e6, true).default(30),
        runbookBaseUrl: z.url().default("https://runbooks.example.com/inference-scaling"),
      })
      .prefault({}),
  })
  .prefault({});

const SloSchema = z
  .strictObject({
    period: z.enum(["30d", "28d"]).default("30d"),
    availability: z
      .strictObject({ objective: num("slo.availability.objective", 50, 99.999).default(99.9) })
      .prefault({}),
    latency: z
      .strictObject({
        objective: num("slo.latency.objective", 50, 99.999).default(99),
        thresholdSeconds: num("slo.latency.thresholdSeconds", 0, 3600, true).default(0.5),
      })
      .prefault({}),
  })
  .prefault({});

const ClusterSchema = z
  .strictObject({
    /** `local` is a single-node cluster (docker-desktop, k3d): spreading is best effort only. */
    kind: z.enum(["local", "cloud"]).default("cloud"),
    /** KEDA runs in the cluster (installed by infra/ or already present). */
    keda: z.boolean().default(true),
    /** The Prometheus Operator CRDs (ServiceMonitor, PrometheusRule) exist. */
    prometheusOperator: z.boolean().default(true),
  })
  .prefault({});

const SimulationSchema = z
  .strictObject({
    /** Mean service time of one /predict request on an idle pod. @default 0.12 */
    serviceTimeSeconds: num("simulation.serviceTimeSeconds", 0, 600, true).default(0.12),
    /** Coefficient of variation of the service time. @default 1 */
    serviceTimeCv: num("simulation.serviceTimeCv", 0, 10).default(1),
    /** CPU seconds one request costs. @default 0.1 */
    cpuSecondsPerRequest: num("simulation.cpuSecondsPerRequest", 0, 600).default(0.1),
    /** Image pull + model load until the pod is ready. @default 90 */
    podStartupSeconds: int("simulation.podStartupSeconds", 0, 3600).default(90),
    /** Requests per second one simulated user sends. @default 1 */
    requestsPerUserPerSecond: num("simulation.requestsPerUserPerSecond", 0, 1000, true).default(1),
  })
  .prefault({});

// ---------------------------------------------------------------------------------------------
// Optional workloads and tooling beside the inference service (stacks/extras.ts renders one chart
// per section present). Each section is off when absent.

const IANA_TIME_ZONE = (what: string) =>
  z.string().refine(isTimeZone, {
    error: `${what} must be an IANA time zone. Fix: use a name such as Europe/Berlin, America/New_York or UTC`,
  });

const clockTime = (what: string) =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: `${what} must be a 24-hour HH:MM time. Fix: write it like 08:00 or 17:30` });

const image = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(IMAGE, { error: `${what} must be a lower-case image reference with a tag or @sha256 digest. Fix: write it like registry.example.com/ml/worker:1.0.0` })
    .refine(notLatest(what).check, { error: notLatest(what).error, params: { code: "CONFIG_INVALID_VALUE" } });

/** Requests and a memory limit: the pod checks require both on every long-running container. */
const workloadResources = (what: string) =>
  z.strictObject(
    {
      requests: z.strictObject(
        { cpu: quantity(`${what}.requests.cpu`), memory: quantity(`${what}.requests.memory`) },
        { error: `${what}.requests needs cpu and memory. Fix: set both, e.g. { cpu: "500m", memory: "512Mi" }` },
      ),
      limits: z.strictObject(
        { cpu: quantity(`${what}.limits.cpu`).optional(), memory: quantity(`${what}.limits.memory`) },
        { error: `${what}.limits needs memory. Fix: set limits.memory, e.g. "1Gi"` },
      ),
    },
    { error: `${what} is required. Fix: set requests.cpu, requests.memory and limits.memory` },
  );

const PrescaleWindowSchema = z.strictObject({
  /** Names the KEDA trigger `prescale-<name>`. */
  name: dnsLabel("prescaling[].name"),
  /** Workload whose ScaledObject gets the window: an orchestrator, queue worker or GPU service name. */
  target: dnsLabel("prescaling[].target"),
  /** @default "UTC" */
  timezone: IANA_TIME_ZONE("prescaling[].timezone").default("UTC"),
  /** Days the window starts on. @default Monday to Friday */
  weekdays: z
    .array(z.enum(["sun", "mon", "tue", "wed", "thu", "fri", "sat"], { error: "weekdays must be sun, mon, tue, wed, thu, fri or sat" }))
    .min(1, { error: "prescaling[].weekdays must list at least one day. Fix: e.g. [mon, tue, wed, thu, fri]" })
    .default(["mon", "tue", "wed", "thu", "fri"]),
  /** When the replicas must be ready (the scale-up starts earlier by the workload's start-up time). */
  start: clockTime("prescaling[].start"),
  /** When the window closes; earlier than start means the next day. */
  end: clockTime("prescaling[].end"),
  replicas: int("prescaling[].replicas", 1, 1000),
});

const QueueWorkerSchema = z.strictObject({
  name: dnsLabel("queueWorkers[].name"),
  image: image("queueWorkers[].image"),
  /** Celery application module (`celery -A <app>`). */
  app: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:]*$/, { error: "queueWorkers[].app must be a Python module path. Fix: write it like tasks.app" }),
  queueName: z.string().min(1, { error: "queueWorkers[].queueName must not be empty. Fix: name the RabbitMQ queue the worker consumes" }),
  /** Tasks per worker pod (`--concurrency`). @default 4 */
  concurrency: int("queueWorkers[].concurrency", 1, 256).default(4),
  resources: workloadResources("queueWorkers[].resources"),
  minReplicas: int("queueWorkers[].minReplicas", 0, 1000).default(2),
  maxReplicas: int("queueWorkers[].maxReplicas", 1, 1000).default(20),
  /** `QueueLength`: messages per replica; `MessageRate`: publish rate per replica. @default "QueueLength" */
  mode: z.enum(["QueueLength", "MessageRate"]).default("QueueLength"),
  targetPerReplica: num("queueWorkers[].targetPerReplica", 0, 1e6, true).default(20),
  activationValue: num("queueWorkers[].activationValue", 0, 1e6).default(5),
  pollingInterval: pollingInterval("queueWorkers[].pollingInterval").default(15),
  cooldownPeriod: int("queueWorkers[].cooldownPeriod", 0, 86400).default(300),
  /** Celery warm shutdown: time to finish running tasks. @default 300 */
  terminationGracePeriodSeconds: int("queueWorkers[].terminationGracePeriodSeconds", 1, 3600).default(300),
  /** Secret (never rendered; created by infra/ from Pulumi secret config) with the AMQP URL. @default `<name>-rabbitmq`, key `host` */
  connectionSecret: z
    .strictObject({ name: dnsLabel("queueWorkers[].connectionSecret.name").optional(), key: z.string().regex(/^[-._a-zA-Z0-9]+$/).default("host") })
    .prefault({}),
  /** Plain environment variables; the broker URL is not one of them. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "env var names must match [A-Za-z_][A-Za-z0-9_]*" }), z.string()).default({}),
});

const OrchestratorSchema = z.strictObject({
  /** @default "orchestrator" */
  name: dnsLabel("orchestrator.name").default("orchestrator"),
  image: image("orchestrator.image"),
  port: int("orchestrator.port", 1, 65535).default(8000),
  metricsPort: int("orchestrator.metricsPort", 1, 65535).default(9090),
  resources: workloadResources("orchestrator.resources"),
  minReplicas: int("orchestrator.minReplicas", 1, 1000).default(2),
  maxReplicas: int("orchestrator.maxReplicas", 1, 1000).default(10),
  /** Requests in flight one replica should carry (KEDA AverageValue on http_requests_in_flight). @default 20 */
  inFlightPerReplica: num("orchestrator.inFlightPerReplica", 0, 1e6, true).default(20),
  activation: num("orchestrator.activation", 0, 1e6).default(5),
  pollingInterval: pollingInterval("orchestrator.pollingInterval").default(15),
  cooldownPeriod: int("orchestrator.cooldownPeriod", 0, 86400).default(300),
});

const TolerationSchema = z.strictObject({
  key: z.string().refine(isQualifiedName, {
    error: "gpu.tolerations[].key must be a Kubernetes qualified name (optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'). Fix: e.g. nvidia.com/gpu",
    params: { code: "CONFIG_FORMAT" },
  }),
  operator: z.enum(["Exists", "Equal"]).default("Exists"),
  value: labelValue("gpu.tolerations[].value").optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
});

const GpuSchema = z.strictObject({
  /** @default "llm" */
  name: dnsLabel("gpu.name").default("llm"),
  /** vLLM OpenAI-compatible server image. */
  image: image("gpu.image"),
  /** Model the server loads, e.g. a Hugging Face id. */
  model: z.string().min(1, { error: "gpu.model must not be empty. Fix: name the model, e.g. meta-llama/Llama-3.1-8B-Instruct" }),
  gpus: int("gpu.gpus", 1, 16).default(1),
  gpuResource: z.string().regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, { error: "gpu.gpuResource must be an extended resource name. Fix: e.g. nvidia.com/gpu" }).default("nvidia.com/gpu"),
  nodeSelector: labelMap("gpu.nodeSelector").default({ "nvidia.com/gpu.present": "true" }),
  tolerations: z.array(TolerationSchema).default([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]),
  resources: workloadResources("gpu.resources"),
  /** Start-up probe budget: image pull, weights download, load into GPU memory. @default 900 */
  modelLoadSeconds: int("gpu.modelLoadSeconds", 60, 3600).default(900),
  maxNumSeqs: int("gpu.maxNumSeqs", 1, 4096).default(256),
  gpuMemoryUtilization: num("gpu.gpuMemoryUtilization", 0, 1, true).default(0.9),
  modelCacheSize: quantity("gpu.modelCacheSize").default("50Gi"),
  shmSize: quantity("gpu.shmSize").default("2Gi"),
  minReplicas: int("gpu.minReplicas", 0, 100).default(1),
  maxReplicas: int("gpu.maxReplicas", 1, 100).default(4),
  /** Waiting requests per replica before another is added. @default 10 */
  waitingPerReplica: num("gpu.waitingPerReplica", 0, 1e6, true).default(10),
  activationWaiting: num("gpu.activationWaiting", 0, 1e6).default(1),
  /** Keep replicas this long after the load is gone; at least modelLoadSeconds. @default max(600, modelLoadSeconds) */
  cooldownSeconds: int("gpu.cooldownSeconds", 0, 86400).optional(),
  /** Replicas KEDA holds after 3 failed polls of the waiting-requests trigger (lost scrape). @default max(minReplicas, ceil(maxReplicas / 2)) */
  fallbackReplicas: int("gpu.fallbackReplicas", 1, 100).optional(),
});

const LoadStageSchema = z.strictObject({
  users: int("loadTest.stages[].users", 1, 100000),
  spawnRate: num("loadTest.stages[].spawnRate", 0, 10000, true),
  durationSeconds: int("loadTest.stages[].durationSeconds", 10, 86400),
});

const LoadTestSchema = z.strictObject({
  /** Objects are `<name>-master`, `<name>-workers`, `<name>-stats`. @default "locust" */
  name: dnsLabel("loadTest.name").default("locust"),
  image: image("loadTest.image").default("locustio/locust:2.31.8"),
  workers: int("loadTest.workers", 1, 100).default(2),
  /** The user matrix, run in order. */
  stages: z.array(LoadStageSchema).min(1, { error: "loadTest.stages must list at least one stage. Fix: add { users, spawnRate, durationSeconds }" }),
  /** @default scaling.endpoint */
  path: httpPath("loadTest.path").optional(),
  /** JSON body of each request. */
  payload: z
    .string()
    .refine(
      (s) => {
        try {
          JSON.parse(s);
          return true;
        } catch {
          return false;
        }
      },
      { error: "loadTest.payload must be JSON. Fix: write it like {\"inputs\": [[0.1, 0.2]]}" },
    )
    .default('{"inputs": [[0.1, 0.2, 0.3, 0.4]]}'),
  /** @default simulation.requestsPerUserPerSecond */
  requestsPerUserPerSecond: num("loadTest.requestsPerUserPerSecond", 0, 1000, true).optional(),
  statsStorage: quantity("loadTest.statsStorage").default("1Gi"),
  storageClassName: dnsLabel("loadTest.storageClassName").optional(),
});

const DashboardsSchema = z.strictObject({
  /** Namespace of the dashboard ConfigMaps (the Grafana sidecar must search it). @default the env namespace */
  namespace: dnsLabel("dashboards.namespace").optional(),
  /**
   * Grafana folder (the ConfigMaps' `grafana_folder` annotation; the Grafana sidecar honours it only
   * with `sidecar.dashboards.folderAnnotation` and `provider.foldersFromFilesStructure`, which the
   * Grafana this program installs has). @default none (General)
   */
  folder: z.string().min(1).max(100).optional(),
  /** `job` of kube-state-metrics' series. @default "kube-state-metrics" (kube-prometheus-stack) */
  kubeStateMetricsJob: z.string().min(1).default("kube-state-metrics"),
  /** `job` of the kubelet's cAdvisor series. @default "kubelet" (kube-prometheus-stack) */
  kubeletJob: z.string().min(1).default("kubelet"),
});

/** The optional sections, spread into the env schema. */
const EXTRA_SECTIONS = {
  /** Celery-style RabbitMQ workers scaled by KEDA on queue length. */
  queueWorkers: z.array(QueueWorkerSchema).optional(),
  /** A request orchestrator scaled by KEDA on its in-flight requests. */
  orchestrator: OrchestratorSchema.optional(),
  /** KEDA cron windows raising the floor of a ScaledObject before known peaks. */
  prescaling: z.array(PrescaleWindowSchema).optional(),
  /** A vLLM-style server on GPU nodes, scaled by KEDA on waiting requests. */
  gpu: GpuSchema.optional(),
  /** A headless Locust run against the service (off unless present). */
  loadTest: LoadTestSchema.optional(),
  /** Grafana dashboards (ConfigMaps for the Grafana sidecar). */
  dashboards: DashboardsSchema.optional(),
};

type ExtraSections = z.output<z.ZodObject<typeof EXTRA_SECTIONS>>;
/** Adds a custom issue; `code` is the stable code (default CONFIG_CONFLICT) or the code of the check it mirrors. */
type Issue = (path: (string | number)[], message: string, code?: string) => void;

/** KEDA's cooldownPeriod shorter than its pollingInterval: scale-to-zero would act on a gap between two polls. */
function cooldownAfterPolling(issue: Issue, path: (string | number)[], k: { pollingInterval: number; cooldownPeriod: number }): void {
  // An out-of-range pollingInterval is already refused on its own line.
  if (k.pollingInterval <= MAX_POLLING_SECONDS && k.cooldownPeriod < k.pollingInterval) {
    issue(
      [...path, "cooldownPeriod"],
      `cooldownPeriod ${k.cooldownPeriod} s is shorter than pollingInterval ${k.pollingInterval} s: KEDA sees activity only once per poll, so it would deactivate (scale to zero) between two polls that both saw load. Fix: set cooldownPeriod ≥ ${k.pollingInterval} (default 300)`,
    );
  }
}

/** Cross-field rules of the optional sections. */
function checkExtras(
  c: ExtraSections & {
    service: { name: string };
    cluster: { keda: boolean };
    monitoring: { scrape: string };
    scaling: { mode: string; minReplicas: number; maxReplicas: number };
  },
  issue: Issue,
): void {
  const scaled: Map<string, { min: number; max: number; path: (string | number)[] }> = new Map();
  // The inference service takes pre-scaling windows (applied as cron triggers when KEDA scales it;
  // the HPA modes have no schedule, and the checks warn that the windows are not applied there).
  scaled.set(c.service.name, { min: c.scaling.minReplicas, max: c.scaling.maxReplicas, path: ["scaling"] });
  const claim = (name: string, path: (string | number)[], min: number, max: number) => {
    if (name === c.service.name || scaled.has(name)) {
      issue([...path, "name"], `name "${name}" is already used by ${name === c.service.name ? "the inference service" : "another workload"}. Fix: give each workload its own name`);
    } else scaled.set(name, { min, max, path });
    if (min > max) issue([...path, "minReplicas"], `minReplicas ${min} is greater than maxReplicas ${max}. Fix: lower minReplicas or raise maxReplicas`);
  };
  const needsKeda = (path: string, what: string) => {
    if (!c.cluster.keda) issue([path], `${what} is scaled by KEDA, but cluster.keda is false. Fix: set cluster.keda true or remove ${path}`);
  };
  const needsServiceMonitor = (path: string) => {
    if (c.monitoring.scrape !== "service-monitor") {
      issue(
        [path],
        `${path} is scraped through a ServiceMonitor, but monitoring.scrape is "${c.monitoring.scrape}". Fix: use monitoring.scrape "service-monitor" (Prometheus Operator) or remove ${path}`,
        "METRIC_NOT_SCRAPED",
      );
    }
  };
  c.queueWorkers?.forEach((w, i) => {
    const path = ["queueWorkers", i];
    claim(w.name, path, w.minReplicas, w.maxReplicas);
    cooldownAfterPolling(issue, path, w);
    if (w.activationValue >= w.targetPerReplica) {
      issue([...path, "activationValue"], `activationValue ${w.activationValue} must be below targetPerReplica ${w.targetPerReplica}. Fix: lower the activation value`);
    }
    if ("CELERY_BROKER_URL" in w.env) {
      issue(
        [...path, "env", "CELERY_BROKER_URL"],
        "the broker URL is a credential and comes from the connection Secret. Fix: remove it from env and set it with pulumi config set --secret rabbitmqConnection",
        "PLAINTEXT_CREDENTIAL",
      );
    }
  });
  if (c.queueWorkers?.length) needsKeda("queueWorkers", "a queue worker");
  if (c.orchestrator) {
    const o = c.orchestrator;
    claim(o.name, ["orchestrator"], o.minReplicas, o.maxReplicas);
    cooldownAfterPolling(issue, ["orchestrator"], o);
    if (o.activation >= o.inFlightPerReplica) issue(["orchestrator", "activation"], `activation ${o.activation} must be below inFlightPerReplica ${o.inFlightPerReplica}. Fix: lower the activation value`);
    if (o.port === o.metricsPort) issue(["orchestrator", "metricsPort"], `metricsPort ${o.metricsPort} equals the API port. Fix: use a separate port (default 9090)`);
    needsKeda("orchestrator", "the orchestrator");
    needsServiceMonitor("orchestrator");
  }
  if (c.gpu) {
    const g = c.gpu;
    claim(g.name, ["gpu"], g.minReplicas, g.maxReplicas);
    if (g.activationWaiting >= g.waitingPerReplica) issue(["gpu", "activationWaiting"], `activationWaiting ${g.activationWaiting} must be below waitingPerReplica ${g.waitingPerReplica}. Fix: lower the activation value`);
    if (g.cooldownSeconds !== undefined && g.cooldownSeconds < g.modelLoadSeconds) {
      issue(
        ["gpu", "cooldownSeconds"],
        `cooldownSeconds ${g.cooldownSeconds} is shorter than modelLoadSeconds ${g.modelLoadSeconds}: a replica would be removed sooner than one takes to start. Fix: set cooldownSeconds ≥ ${g.modelLoadSeconds}`,
      );
    }
    if (g.fallbackReplicas !== undefined && (g.fallbackReplicas < g.minReplicas || g.fallbackReplicas > g.maxReplicas)) {
      issue(["gpu", "fallbackReplicas"], `fallbackReplicas ${g.fallbackReplicas} is outside minReplicas ${g.minReplicas} … maxReplicas ${g.maxReplicas} (the HPA would clamp it). Fix: hold a count between the bounds`);
    }
    needsKeda("gpu", "the GPU service");
    needsServiceMonitor("gpu");
  }
  const windowNames = new Set<string>();
  c.prescaling?.forEach((w, i) => {
    const target = scaled.get(w.target);
    const key = `${w.target}/${w.name}`;
    if (windowNames.has(key)) issue(["prescaling", i, "name"], `window "${w.name}" is defined twice for ${w.target}. Fix: give each window its own name`);
    windowNames.add(key);
    if (!target) {
      const known = [...scaled.keys()];
      issue(
        ["prescaling", i, "target"],
        `"${w.target}" is not a workload pre-scaling can target. Fix: target ${known.length ? `one of ${known.join(", ")}` : "an orchestrator, queue worker or GPU service (none is configured)"}`,
      );
      return;
    }
    if (w.replicas > target.max) issue(["prescaling", i, "replicas"], `replicas ${w.replicas} exceed ${w.target}'s maxReplicas ${target.max}. Fix: lower replicas or raise maxReplicas`);
    else if (w.replicas <= target.min) {
      issue(["prescaling", i, "replicas"], `replicas ${w.replicas} do not raise ${w.target}'s minReplicas ${target.min}: the window would do nothing. Fix: ask for more than ${target.min}`);
    }
    if (w.start === w.end) issue(["prescaling", i, "end"], `start and end are both ${w.start}: the window has no length. Fix: give different times`);
  });
}

export const EnvConfigSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "name must be lower-case letters, digits and '-' (≤ 31 chars). Fix: use a name such as prod" }),
    namespace: dnsLabel("namespace"),
    cluster: ClusterSchema,
    service: ServiceSchema,
    scaling: ScalingSchema,
    monitoring: MonitoringSchema,
    slo: SloSchema,
    /** Namespace quota the autoscaler's maximum must fit into. */
    capacity: z
      .strictObject({ cpu: quantity("capacity.cpu"), memory: quantity("capacity.memory") })
      .optional(),
    cost: z.strictObject({ pricePerPodHour: num("cost.pricePerPodHour", 0, 1000).default(0) }).prefault({}),
    simulation: SimulationSchema,
    /** Per-namespace NetworkPolicy: default-deny ingress, callers, the scrape, optional egress. */
    networkPolicy: NetworkPolicySchema,
    ...EXTRA_SECTIONS,
  })
  .superRefine((c, ctx) => {
    // `params.code` is the stable code stacks/validate.ts prints; cross-field conflicts default to CONFIG_CONFLICT,
    // invariants a stacks/checks check also enforces on rendered objects reuse that check's code.
    const issue = (path: (string | number)[], message: string, code = "CONFIG_CONFLICT") =>
      ctx.addIssue({ code: "custom", path, message, params: { code } });
    const { scaling, service, monitoring } = c;
    checkExtras(c, issue);
    checkBurstWakeUpPolicy(c, issue);
    if (scaling.minReplicas > scaling.maxReplicas) {
      issue(
        ["scaling", "minReplicas"],
        `minReplicas ${scaling.minReplicas} is greater than maxReplicas ${scaling.maxReplicas}. Fix: lower minReplicas or raise maxReplicas`,
      );
    }
    if (scaling.mode !== "keda" && scaling.minReplicas < 1) {
      issue(["scaling", "minReplicas"], `an HPA cannot scale to 0 (minReplicas ${scaling.minReplicas}). Fix: set minReplicas ≥ 1 or use mode keda`);
    }
    const lim = service.resources.limits;
    for (const r of ["cpu", "memory"] as const) {
      const limit = lim?.[r];
      // Cross-field checks see values whose own checks failed too: only compare well-formed ones.
      if (limit !== undefined && isQuantity(limit) && isQuantity(service.resources.requests[r]) && parseQuantity(service.resources.requests[r]) > parseQuantity(limit)) {
        issue(
          ["service", "resources", "requests", r],
          `request ${service.resources.requests[r]} is above the limit ${limit}. Fix: lower the request or raise the limit`,
        );
      }
    }
    if (service.metrics.port === service.port) {
      issue(["service", "metrics", "port"], `metrics port ${service.metrics.port} equals the API port. Fix: use a separate port (default 9090)`);
    }
    if (service.preStopSleepSeconds >= service.terminationGracePeriodSeconds) {
      issue(
        ["service", "preStopSleepSeconds"],
        `preStop sleep ${service.preStopSleepSeconds}s leaves no time to drain within terminationGracePeriodSeconds ${service.terminationGracePeriodSeconds}. Fix: make the sleep shorter than the grace period`,
      );
    }
    const names = service.metrics.metrics.map((m) => m.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) issue(["service", "metrics", "metrics"], `metric "${dup}" is declared twice. Fix: keep one declaration`);
    service.metrics.metrics.forEach((m, i) => {
      if (m.type === "histogram" && (!m.buckets || m.buckets.length === 0)) {
        issue(["service", "metrics", "metrics", i, "buckets"], `histogram "${m.name}" needs buckets. Fix: list its bucket boundaries`);
      }
      if (m.buckets && m.buckets.some((b, j) => j > 0 && b <= m.buckets![j - 1]!)) {
        issue(["service", "metrics", "metrics", i, "buckets"], `buckets of "${m.name}" must be strictly ascending`);
      }
    });
    const k = scaling.keda;
    if (scaling.mode === "keda") cooldownAfterPolling(issue, ["scaling", "keda"], k);
    for (const key of ["p95Latency", "queueLength"] as const) {
      if (k[key].activation >= k[key].threshold) {
        issue(
          ["scaling", "keda", key, "activation"],
          `activation ${k[key].activation} must be below threshold ${k[key].threshold}. Fix: lower the activation value`,
        );
      }
    }
    if (k.idleReplicaCount !== undefined && k.idleReplicaCount >= scaling.minReplicas) {
      issue(
        ["scaling", "keda", "idleReplicaCount"],
        `idleReplicaCount ${k.idleReplicaCount} must be below minReplicas ${scaling.minReplicas} (KEDA rule). Fix: lower it or remove it`,
      );
    }
    if (k.fallback.replicas !== undefined && k.fallback.replicas > scaling.maxReplicas) {
      issue(
        ["scaling", "keda", "fallback", "replicas"],
        `fallback replicas ${k.fallback.replicas} exceed maxReplicas ${scaling.maxReplicas}. Fix: hold at most maxReplicas`,
      );
    }
    const windowSeconds = /^\d+(s|m|h|d)$/.test(monitoring.queryWindow) ? durationSeconds(monitoring.queryWindow) : Infinity;
    if (windowSeconds < 4 * monitoring.scrapeIntervalSeconds) {
      issue(
        ["monitoring", "queryWindow"],
        `query window ${monitoring.queryWindow} is shorter than 4× the scrape interval (${4 * monitoring.scrapeIntervalSeconds}s): rate() would see too few samples. Fix: use at least ${Math.ceil((4 * monitoring.scrapeIntervalSeconds) / 60)}m`,
        "RATE_WINDOW_TOO_SHORT",
      );
    }
    if (monitoring.scrape === "service-monitor" && !c.cluster.prometheusOperator) {
      issue(
        ["monitoring", "scrape"],
        `scrape "service-monitor" needs the Prometheus Operator, but cluster.prometheusOperator is false. Fix: use "pod-annotations" or enable the operator`,
        "METRIC_NOT_SCRAPED",
      );
    }
    if (scaling.mode === "keda" && !c.cluster.keda) {
      issue(["scaling", "mode"], `mode "keda" needs KEDA in the cluster, but cluster.keda is false. Fix: set cluster.keda true or pick an HPA mode`);
    }
  });

/** A parsed, defaulted, validated environment. */
export type EnvConfig = z.output<typeof EnvConfigSchema>;
/** What an env file writes: defaults may be omitted. */
export type EnvConfigInput = z.input<typeof EnvConfigSchema>;

export { DEFAULT_LATENCY_BUCKETS };
