/**
 * The typed, validated description of one environment. Every object the program renders is
 * derived from a parsed {@link EnvConfig}; nothing is built from unvalidated input.
 *
 * Env files under stacks/ export an {@link EnvConfigInput} (defaults may be left out); the
 * schema fills defaults and checks each field on its own (formats, ranges, enums). Rules between
 * fields (min ≤ max, an activation below its threshold) are config-phase checks, stacks/checks/.
 */
import { z } from "zod";
import { DEFAULT_LATENCY_BUCKETS, DEFAULT_METRICS } from "../promql/metrics.js";
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

const isNonNegativeFinite = (n: number) => n >= 0 && Number.isFinite(n);

/** A Kubernetes quantity of a resource, never negative (the API server refuses negative requests, limits, quotas and volume sizes). */
const quantity = (what: string) =>
  z
    .string()
    .refine(isQuantity, {
      error: `${what} must be a Kubernetes quantity. Fix: write it like 500m, 2, 512Mi or 4Gi`,
      params: { code: "CONFIG_FORMAT" },
    })
    .refine((s) => !isQuantity(s) || isNonNegativeFinite(parseQuantity(s)), {
      error: `${what} must not be negative or infinite (the API server refuses a negative quantity). Fix: write it like 500m, 2, 512Mi or 4Gi`,
      params: { code: "CONFIG_RANGE" },
    });

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
  z.number({ error: `${what} must be a number` }).refine((n) => Number.isFinite(n) && (exclusiveMin ? n > min : n >= min) && n <= max, {
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
      error: (iss) =>
        `${what} must be at most ${MAX_POLLING_SECONDS} seconds, not ${String(iss.input)}: KEDA queries the metrics once per interval, so the workload would scale up to that late after the load arrives. Fix: poll every 15–60 s (default 15)`,
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
  /** Metric name as the service exports it (without the `_bucket`/`_sum`/`_count` suffixes of a histogram). */
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*" }),
  /** Prometheus metric type: decides which series exist (histograms: `_bucket`, `_sum`, `_count`) and which functions a query may apply. */
  type: z.enum(["histogram", "gauge", "counter"]),
  /** Labels every series of the metric carries (besides the scrape's `namespace`/`job`): a query may match only these. */
  labels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "label names must match [a-zA-Z_][a-zA-Z0-9_]*" })),
  /** Histogram bucket upper bounds, in the metric's unit (seconds for latency), strictly ascending; required for histograms. Every latency threshold must be one of them (LATENCY_THRESHOLD_NOT_BUCKET). */
  buckets: z.array(z.number()).optional(),
  /** The metric's help text, shown in docs and dashboards. Absent: none. */
  help: z.string().optional(),
});

export const ServiceSchema = z.strictObject({
  /** Name of the Deployment, Service and everything that belongs to it. */
  name: dnsLabel("service.name").default("inference"),
  /** `app.kubernetes.io/part-of`. */
  partOf: labelValue("service.partOf").default("ml-platform"),
  /** `app.kubernetes.io/component`. */
  component: labelValue("service.component").default("inference-api"),
  /** Container image with a tag or digest. */
  image: z
    .string({ error: "service.image is required" })
    .min(1, { error: "service.image must not be empty. Fix: set the image the service runs, e.g. registry.example.com/ml/inference:1.4.2" })
    .regex(IMAGE, {
      error:
        "service.image must be a lower-case image reference with a tag or @sha256 digest. Fix: write it like registry.example.com/ml/inference:1.4.2",
    })
    .refine(notLatest("service.image").check, { error: notLatest("service.image").error, params: { code: "CONFIG_INVALID_VALUE" } }),
  /** HTTP port the API listens on. */
  port: int("service.port", 1, 65535).default(8000),
  /** The metric contract: where the service exposes metrics and which metrics it exports. */
  metrics: z
    .strictObject({
      /** Container port serving the metrics endpoint (the scrape targets it). */
      port: int("service.metrics.port", 1, 65535).default(9090),
      /** Name of the metrics container/Service port (an IANA service name, at most 15 characters): ServiceMonitors select the port by it. */
      portName: z
        .string()
        .regex(DNS_LABEL, { error: "service.metrics.portName must be an IANA service name" })
        .max(15, { error: "service.metrics.portName must be at most 15 characters" })
        .default("metrics"),
      /** HTTP path of the metrics endpoint. */
      path: httpPath("service.metrics.path").default("/metrics"),
      /** The metric contract: where the service exposes metrics and which metrics it exports; every query is built from it. */
      metrics: z
        .array(MetricSpecSchema)
        .min(1)
        .default(DEFAULT_METRICS.map((m) => ({ ...m, labels: [...m.labels], buckets: m.buckets ? [...m.buckets] : undefined }))),
    })
    .prefault({}),
  /** Requests and limits of the inference container. Required. */
  resources: z.strictObject(
    {
      /** Requests are mandatory: utilization targets and capacity checks divide by them. */
      requests: z.strictObject(
        {
          /** CPU request per pod (a quantity, e.g. 500m): utilization targets, the capacity check and the simulator's CPU model divide by it. Required. */
          cpu: quantity("service.resources.requests.cpu"),
          /** Memory request per pod (a quantity, e.g. 2Gi): what the scheduler reserves and the capacity check sums. Required. */
          memory: quantity("service.resources.requests.memory"),
        },
        { error: "service.resources.requests needs cpu and memory" },
      ),
      /** Limits of the inference container. Absent: no limits, which POD_RESOURCES_MISSING refuses for memory. */
      limits: z
        .strictObject({
          /** CPU limit (a quantity). Absent: no CPU limit; with one, the simulator stretches the service time when the pod is throttled. */
          cpu: quantity("service.resources.limits.cpu").optional(),
          /** Memory limit (a quantity): an unbounded pod can take its node down (POD_RESOURCES_MISSING). */
          memory: quantity("service.resources.limits.memory"),
        })
        .optional(),
    },
    { error: "service.resources is required: set requests.cpu and requests.memory" },
  ),
  /** HTTP probes of the inference container: readiness gates traffic, startup covers the model load, liveness restarts a hung server. */
  probes: z
    .strictObject({
      /** HTTP path of the readiness probe: a pod receives traffic only while it answers 2xx. */
      readinessPath: httpPath("service.probes.readinessPath").default("/readyz"),
      /** HTTP path of the startup probe, which holds off the other probes while the model loads. */
      startupPath: httpPath("service.probes.startupPath").default("/health"),
      /** HTTP path of the liveness probe: failing it restarts the container. */
      livenessPath: httpPath("service.probes.livenessPath").default("/health"),
      /** Seconds between readiness/startup probes. */
      periodSeconds: int("service.probes.periodSeconds", 1, 300).default(5),
      /** Time the startup probe allows for the model to load (failureThreshold × period). */
      modelLoadSeconds: int("service.probes.modelLoadSeconds", 10, 3600).default(120),
    })
    .prefault({}),
  /** Server tuning that decides one pod's capacity (concurrent predictions) and start-up behaviour. */
  tuning: z
    .strictObject({
      /** Predictions one worker runs at once (env PREDICT_MAX_CONCURRENCY); × uvicornWorkers is a pod's concurrency capacity, the unit of the concurrency target. */
      predictMaxConcurrency: int("service.tuning.predictMaxConcurrency", 1, 1024).default(4),
      /** Server worker processes per pod (env UVICORN_WORKERS). */
      uvicornWorkers: int("service.tuning.uvicornWorkers", 1, 64).default(1),
      /** Load and run the model once before the pod reports ready (env PREWARM_MODEL): the first real request does not pay the warm-up. */
      prewarmModel: z.boolean().default(true),
      /** Readiness also checks the model answers (env READINESS_CHECK_MODEL), not only that the server is up. */
      readinessCheckModel: z.boolean().default(true),
    })
    .prefault({}),
  /** Extra environment variables (plain values only; credentials belong in Secrets). */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "env var names must match [A-Za-z_][A-Za-z0-9_]*" }), z.string())
    .default({}),
  /** Seconds Kubernetes waits after SIGTERM before killing the pod: in-flight predictions finish within it (it must exceed preStopSleepSeconds plus the longest request). */
  terminationGracePeriodSeconds: int("service.terminationGracePeriodSeconds", 1, 3600).default(30),
  /** preStop sleep so endpoints are removed before the server stops accepting. */
  preStopSleepSeconds: int("service.preStopSleepSeconds", 0, 300).default(5),
  /** PodDisruptionBudget maxUnavailable. */
  maxUnavailable: int("service.maxUnavailable", 0, 1000).default(1),
  /** `require` refuses to co-schedule replicas on one node; `prefer` tries to spread. */
  spread: z.enum(["prefer", "require"]).default("prefer"),
});

const BehaviorSchema = z
  .strictObject({
    /** How fast the HPA (KEDA's too) may add replicas: autoscaling/v2 `behavior.scaleUp`. */
    scaleUp: z
      .strictObject({
        /** Seconds of scale-up stabilization: the HPA takes the lowest recommendation of this window, so a blip does not add pods (and a burst waits this long; keep it at or below the burst window). */
        stabilizationWindowSeconds: int("scaling.behavior.scaleUp.stabilizationWindowSeconds", 0, 3600).default(60),
        /** Pods the HPA may add per period (policy type Pods); the larger of the two policies wins. */
        pods: int("scaling.behavior.scaleUp.pods", 1, 1000).default(2),
        /** Percent of the current replicas the HPA may add per period (policy type Percent). */
        percent: int("scaling.behavior.scaleUp.percent", 1, 1000).default(50),
        /** Seconds of the scale-up policies' period. */
        periodSeconds: int("scaling.behavior.scaleUp.periodSeconds", 1, 1800).default(30),
      })
      .prefault({}),
    /** How fast the HPA may remove replicas: autoscaling/v2 `behavior.scaleDown`. */
    scaleDown: z
      .strictObject({
        /** Seconds of scale-down stabilization: the HPA takes the highest recommendation of this window, so a short lull does not remove pods that a returning load needs. */
        stabilizationWindowSeconds: int("scaling.behavior.scaleDown.stabilizationWindowSeconds", 0, 3600).default(300),
        /** Pods the HPA may remove per podsPeriodSeconds (policy type Pods); the smaller of the two policies wins, so scale-down is gradual. */
        pods: int("scaling.behavior.scaleDown.pods", 1, 1000).default(1),
        /** Seconds of the Pods scale-down policy's period. */
        podsPeriodSeconds: int("scaling.behavior.scaleDown.podsPeriodSeconds", 1, 1800).default(60),
        /** Percent of the current replicas the HPA may remove per percentPeriodSeconds (policy type Percent). */
        percent: int("scaling.behavior.scaleDown.percent", 1, 100).default(10),
        /** Seconds of the Percent scale-down policy's period. */
        percentPeriodSeconds: int("scaling.behavior.scaleDown.percentPeriodSeconds", 1, 1800).default(120),
      })
      .prefault({}),
  })
  .prefault({});

const thresholdPair = (what: string, threshold: number, activation: number) =>
  z
    .strictObject({
      /** Target of the KEDA trigger (its `threshold`), in the signal's unit: the default is the trigger's, given where the pair is used. */
      threshold: num(`${what}.threshold`, 0, 1e6, true).default(threshold),
      /** KEDA `activationThreshold`, in the signal's unit: below it the trigger counts as inactive (the ScaledObject may scale to zero when all are); it must be below the threshold. */
      activation: num(`${what}.activation`, 0, 1e6).default(activation),
    })
    .prefault({});

// ---------------------------------------------------------------------------------------------
// Burst scaling, scale-to-zero wake-up and network policies. One block: the scaling
// signals Knative's KPA has and KEDA/HPA need spelled out, the external signal that wakes a
// service scaled to zero, and the per-namespace NetworkPolicy.

const ConcurrencySchema = z
  .strictObject({
    /** Scale on requests in flight per pod (keda: trigger `concurrency`; slo-hpa: the in-flight Pods metric's target). */
    enabled: z.boolean().default(true),
    /**
     * Share of a pod's capacity (`service.tuning.predictMaxConcurrency × uvicornWorkers`) one pod
     * should carry, in percent: Knative's target utilisation (the default is Knative's).
     */
    utilization: percent("scaling.concurrency.utilization").default(70),
  })
  .prefault({});

const BurstSchema = z
  .strictObject({
    /** Add the short-window concurrency trigger (KPA's panic window, as far as an HPA can). */
    enabled: z.boolean().default(false),
    /** Window of `max_over_time`; it must hold at least 2 scrapes. @default 2 × monitoring.scrapeIntervalSeconds */
    windowSeconds: int("scaling.burst.windowSeconds", 2, 600).optional(),
    /** Burst threshold as a multiple of the stable per-pod concurrency target (KPA's panic threshold 200 %). */
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
    /** `namespace` label of the source's series (the namespace its pods run in). */
    namespace: dnsLabel("scaling.wakeUp.source.namespace"),
    /** `job` label of the source's series (its scrape job), e.g. traefik. */
    job: z.string().min(1, { error: "scaling.wakeUp.source.job must not be empty. Fix: give the scrape job of the gateway, e.g. traefik" }),
    /**
     * Who scrapes the source. `this-env`: the environment renders a pod-role scrape job named
     * `job` for `namespace` (pods annotated `prometheus.io/scrape: "true"`, at their
     * `prometheus.io/port` and `prometheus.io/path`), beside the service's own job.
     * `external`: a scrape outside this program already stores the series under that
     * namespace/job (declare it only when that is true: WAKEUP_SOURCE_NOT_SCRAPED trusts it).
     */
    scrapedBy: z
      .enum(["this-env", "external"], { error: "scaling.wakeUp.source.scrapedBy must be this-env or external" })
      .default("this-env"),
    /** Labels of the source's pods the rendered job keeps (with `scrapedBy: this-env`). Empty keeps every annotated pod of the namespace. */
    podLabels: labelMap("scaling.wakeUp.source.podLabels").default({}),
  }),
  /** The external metric's contract: a counter (requests, wakes on its rate) or a gauge (backlog). */
  metric: MetricSpecSchema,
  /** Matchers selecting this service's share of the signal, e.g. `{ service: "ml-serving-dev-inference-8000@kubernetes" }`. */
  matchers: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "label names must match [a-zA-Z_][a-zA-Z0-9_]*" }), z.string())
    .default({}),
  /** KEDA activationThreshold: the service wakes when the signal is above it (requests/s or backlog). */
  activation: num("scaling.wakeUp.activation", 0, 1e6).default(0),
  /** Per-replica target once awake (AverageValue: requests/s or backlog per pod). */
  threshold: num("scaling.wakeUp.threshold", 0, 1e6, true),
});

const peerSchema = (what: string) =>
  z.strictObject({
    /** Namespace of the peer pods (its `kubernetes.io/metadata.name` label). @default the environment's namespace */
    namespace: dnsLabel(`${what}.namespace`).optional(),
    /** Labels of the peer pods; empty selects every pod of that namespace. */
    podLabels: labelMap(`${what}.podLabels`).default({}),
  });

const NetworkPolicySchema = z
  .strictObject({
    /** Render the namespace's policies. Only `cluster.kind: local` may turn them off. */
    enabled: z.boolean().default(true),
    /** The ingress controller / gateway that calls the HTTP services from outside the namespace. The default is ingress-nginx's controller pods. */
    ingressController: peerSchema("networkPolicy.ingressController").default({
      namespace: "ingress-nginx",
      podLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    }),
    /** More callers of the inference service's serving port (beside the orchestrator or the ingress controller). */
    callers: z.array(peerSchema("networkPolicy.callers[]")).default([]),
    /** Labels of the Prometheus server pods in `monitoring.prometheus.namespace` (both charts set this one). */
    prometheusPodLabels: labelMap("networkPolicy.prometheusPodLabels").default({ "app.kubernetes.io/name": "prometheus" }),
    /** Who may read the metrics ports. @default the Prometheus pods above in monitoring.prometheus.namespace */
    metricsFrom: z.array(peerSchema("networkPolicy.metricsFrom[]")).optional(),
    /** Deny egress except DNS and the declared dependencies. */
    egress: z.boolean().default(false),
    /** The cluster DNS pods egress must reach. The default is kube-dns in kube-system. */
    dns: peerSchema("networkPolicy.dns").default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }),
    /** The RabbitMQ broker queue workers reach (required with egress and queue workers). Absent: none declared. */
    rabbitmq: peerSchema("networkPolicy.rabbitmq")
      .extend({
        /** AMQP port of the broker the queue workers may reach. */
        port: int("networkPolicy.rabbitmq.port", 1, 65535).default(5672),
      })
      .optional(),
  })
  .prefault({});

/** Per-pod concurrency capacity: concurrent predictions per worker × workers. */
export function podConcurrencyCapacity(service: { tuning: { predictMaxConcurrency: number; uvicornWorkers: number } }): number {
  return service.tuning.predictMaxConcurrency * service.tuning.uvicornWorkers;
}

/** Window of the burst trigger: the configured one, else two scrapes. */
export function burstWindowSeconds(c: {
  scaling: { burst: { windowSeconds?: number | undefined } };
  monitoring: { scrapeIntervalSeconds: number };
}): number {
  return c.scaling.burst.windowSeconds ?? 2 * c.monitoring.scrapeIntervalSeconds;
}

// ---------------------------------------------------------------------------------------------

export const ScalingSchema = z.strictObject({
  /** Which autoscaler owns the Deployment. */
  mode: z.enum(["cpu-hpa", "slo-hpa", "keda"], { error: "scaling.mode must be one of cpu-hpa, slo-hpa, keda" }),
  /** Fewest replicas the autoscaler keeps. 0 lets KEDA scale to zero (then a wake-up signal is needed: ZERO_WITHOUT_WAKEUP); the default of two keeps one pod serving while the other restarts. */
  minReplicas: int("scaling.minReplicas", 0, 1000).default(2),
  /** Most replicas the autoscaler may run; with the requests it bounds what the namespace quota must hold (CAPACITY_EXCEEDED). */
  maxReplicas: int("scaling.maxReplicas", 1, 1000).default(20),
  /** Endpoint whose latency drives scaling. */
  endpoint: httpPath("scaling.endpoint").default("/predict"),
  /** The HPA's scale-up and scale-down rates (KEDA passes them to the HPA it creates). */
  behavior: BehaviorSchema,
  /** In-flight requests per pod against a share of the pod's capacity (keda, slo-hpa). */
  concurrency: ConcurrencySchema,
  /** The short-window concurrency trigger reacting to bursts. */
  burst: BurstSchema,
  /** Signal from outside the scaled pods that wakes a service scaled to zero (mode keda). @default none */
  wakeUp: WakeUpSchema.optional(),
  /** Target CPU utilization, percent of the CPU request. */
  /** Settings of mode cpu-hpa: an autoscaling/v2 HPA on CPU only. */
  cpuHpa: z
    .strictObject({
      /** Target CPU utilization, percent of the CPU request. */
      cpuUtilization: percent("scaling.cpuHpa.cpuUtilization").default(70),
    })
    .prefault({}),
  /** Settings of mode slo-hpa: an HPA on the p95 latency and in-flight requests (through prometheus-adapter), with CPU as a floor. */
  sloHpa: z
    .strictObject({
      /** Target per-pod p95 latency, in seconds (a bucket boundary of the latency histogram). */
      p95LatencySeconds: num("scaling.sloHpa.p95LatencySeconds", 0, 3600, true).default(0.5),
      /** Per-pod in-flight target. @default predictMaxConcurrency × uvicornWorkers × scaling.concurrency.utilization */
      inFlightPerPod: num("scaling.sloHpa.inFlightPerPod", 0, 1e6, true).optional(),
      /** Target CPU utilization, percent of the CPU request: the safety net when the latency metric is missing. */
      cpuUtilization: percent("scaling.sloHpa.cpuUtilization").default(80),
    })
    .prefault({}),
  /** Settings of mode keda: a ScaledObject with Prometheus, CPU and memory triggers. */
  keda: z
    .strictObject({
      /** The p95 latency trigger, in seconds (threshold and activation are bucket boundaries): scale when the service's p95 over the query window exceeds the threshold. */
      p95Latency: thresholdPair("scaling.keda.p95Latency", 0.5, 0.3),
      /** The queue trigger, in queued requests per pod (AverageValue): scale when the backlog per replica exceeds the threshold. */
      queueLength: thresholdPair("scaling.keda.queueLength", 20, 10),
      /** CPU trigger target, percent of the CPU request. */
      cpuUtilization: percent("scaling.keda.cpuUtilization").default(85),
      /** Memory trigger target, percent of the memory request. */
      memoryUtilization: percent("scaling.keda.memoryUtilization").default(80),
      /** Seconds between KEDA's queries of the triggers; the default is KEDA's. */
      pollingInterval: pollingInterval("scaling.keda.pollingInterval").default(15),
      /** Seconds after the last active trigger before KEDA scales to zero (only with minReplicas 0 or idleReplicaCount); the default is KEDA's. */
      cooldownPeriod: int("scaling.keda.cooldownPeriod", 0, 86400).default(300),
      /** Seconds after the ScaledObject is created before the cooldown may start. Absent: KEDA's default (0). */
      initialCooldownPeriod: int("scaling.keda.initialCooldownPeriod", 0, 86400).optional(),
      /** Replicas while every trigger is inactive: KEDA takes only 0 (scale to zero; the HPA cannot hold another idle count). Absent: minReplicas. */
      idleReplicaCount: int("scaling.keda.idleReplicaCount", 0, 1000)
        .refine((n) => n === 0, {
          error: (iss) =>
            `scaling.keda.idleReplicaCount must be 0, not ${String(iss.input)}: KEDA supports only 0 (the HPA cannot hold another idle count). Fix: set it to 0 for scale to zero, or leave it out`,
          params: { code: "CONFIG_RANGE" },
        })
        .optional(),
      /** What KEDA does when a trigger keeps failing (e.g. Prometheus unreachable): hold a fixed replica count instead of freezing. */
      fallback: z
        .strictObject({
          /** Failed polls in a row before the fallback replicas apply. */
          failureThreshold: int("scaling.keda.fallback.failureThreshold", 1, 100).default(3),
          /** Replicas to hold while the scaler fails. @default max(minReplicas, ceil(maxReplicas / 2)) */
          replicas: int("scaling.keda.fallback.replicas", 1, 1000).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});

export const MonitoringSchema = z
  .strictObject({
    /** `service-monitor` for the Prometheus Operator; `pod-annotations` plus a scrape job for plain Prometheus. */
    scrape: z.enum(["service-monitor", "pod-annotations"]).default("service-monitor"),
    /** Seconds between scrapes of the service's metrics; rate windows must hold at least 4 of them (RATE_WINDOW_TOO_SHORT). */
    scrapeIntervalSeconds: int("monitoring.scrapeIntervalSeconds", 1, 300).default(15),
    /** rate()/histogram_quantile() window; at least 4× the scrape interval. */
    queryWindow: promDuration("monitoring.queryWindow").default("2m"),
    /** The Prometheus that scrapes the service and that KEDA and prometheus-adapter query. */
    prometheus: z
      .strictObject({
        /** Name of the Prometheus Service; the default is kube-prometheus-stack's. */
        service: dnsLabel("monitoring.prometheus.service").default("kube-prometheus-stack-prometheus"),
        /** Namespace of the Prometheus Service (and of prometheus-adapter). */
        namespace: dnsLabel("monitoring.prometheus.namespace").default("monitoring"),
        /** Port of the Prometheus Service. */
        port: int("monitoring.prometheus.port", 1, 65535).default(9090),
        /** An explicitly declared Prometheus outside the cluster (https URL, no credentials). */
        externalUrl: z
          .url({
            protocol: /^https?$/,
            error: "monitoring.prometheus.externalUrl must be an http(s) URL. Fix: write it like https://prometheus.example.com",
          })
          .optional(),
      })
      .prefault({}),
    /** Labels the Prometheus Operator selects ServiceMonitors and PrometheusRules by. */
    selectorLabels: labelMap("monitoring.selectorLabels").default({ release: "kube-prometheus-stack" }),
    /** Thresholds of the service's alerts; each must sit above the scaling target of the same signal (SCALES_AFTER_ALERT). */
    alerts: z
      .strictObject({
        /** HighLatency fires when the p95 latency exceeds this many seconds (a bucket boundary, below the largest bucket). */
        p95LatencySeconds: num("monitoring.alerts.p95LatencySeconds", 0, 3600, true).default(1),
        /** HighErrorRate fires when the share of 5xx responses exceeds this ratio (0–1). */
        errorRatio: num("monitoring.alerts.errorRatio", 0, 1, true).default(0.01),
        /** QueueBacklog fires when this many requests wait in the service's queue (in total). */
        queueBacklog: num("monitoring.alerts.queueBacklog", 0, 1e6, true).default(30),
        /** Base URL of the runbooks; each alert's `runbook_url` is `<base>/<alert>`. */
        runbookBaseUrl: z.url().default("https://runbooks.example.com/inference-scaling"),
      })
      .prefault({}),
  })
  .prefault({});

export const SloSchema = z
  .strictObject({
    /** The SLO's compliance period: the error budget is spent over it and the burn-rate alerts are derived from it. */
    period: z.enum(["30d", "28d"]).default("30d"),
    /** The availability SLO: the share of requests answered without a server error. */
    availability: z
      /** Target share of requests without a server error, in percent. */
      .strictObject({
        /** Target share of requests without a server error, in percent. */
        objective: num("slo.availability.objective", 50, 99.999).default(99.9),
      })
      .prefault({}),
    /** The latency SLO: the share of requests answered within thresholdSeconds. */
    latency: z
      .strictObject({
        /** Target share of requests faster than thresholdSeconds, in percent. */
        objective: num("slo.latency.objective", 50, 99.999).default(99),
        /** Seconds a request may take to count as good; a bucket boundary of the latency histogram, or its requests cannot be counted (LATENCY_THRESHOLD_NOT_BUCKET). */
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

export const SimulationSchema = z
  .strictObject({
    /** Mean service time of one /predict request on an idle pod. */
    serviceTimeSeconds: num("simulation.serviceTimeSeconds", 0, 600, true).default(0.12),
    /** Coefficient of variation of the service time. */
    serviceTimeCv: num("simulation.serviceTimeCv", 0, 10).default(1),
    /** CPU seconds one request costs. */
    cpuSecondsPerRequest: num("simulation.cpuSecondsPerRequest", 0, 600).default(0.1),
    /** Image pull + model load until the pod is ready. */
    podStartupSeconds: int("simulation.podStartupSeconds", 0, 3600).default(90),
    /** Requests per second one simulated user sends. */
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
    .regex(IMAGE, {
      error: `${what} must be a lower-case image reference with a tag or @sha256 digest. Fix: write it like registry.example.com/ml/worker:1.0.0`,
    })
    .refine(notLatest(what).check, { error: notLatest(what).error, params: { code: "CONFIG_INVALID_VALUE" } });

/** Requests and a memory limit: the pod checks require both on every long-running container. */
const workloadResources = (what: string) =>
  z.strictObject(
    {
      /** Requests of the workload's container. Required: autoscaling and the capacity check divide by them. */
      requests: z.strictObject(
        {
          /** CPU request per pod (a quantity): what the scheduler reserves and the capacity check sums. Required. */
          cpu: quantity(`${what}.requests.cpu`),
          /** Memory request per pod (a quantity): what the scheduler reserves and the capacity check sums. Required. */
          memory: quantity(`${what}.requests.memory`),
        },
        { error: `${what}.requests needs cpu and memory. Fix: set both, e.g. { cpu: "500m", memory: "512Mi" }` },
      ),
      /** Limits of the workload's container; memory is required. */
      limits: z.strictObject(
        {
          /** CPU limit per pod (a quantity). Absent: no CPU limit, so the pod may burst on idle cores. */
          cpu: quantity(`${what}.limits.cpu`).optional(),
          /** Memory limit per pod (a quantity): required, an unbounded pod can take its node down (POD_RESOURCES_MISSING). */
          memory: quantity(`${what}.limits.memory`),
        },
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
  /** IANA time zone the window's start and end are in (KEDA's cron `timezone`). */
  timezone: IANA_TIME_ZONE("prescaling[].timezone").default("UTC"),
  /** Days the window starts on. The default is the working week. */
  weekdays: z
    .array(z.enum(["sun", "mon", "tue", "wed", "thu", "fri", "sat"], { error: "weekdays must be sun, mon, tue, wed, thu, fri or sat" }))
    .min(1, { error: "prescaling[].weekdays must list at least one day. Fix: e.g. [mon, tue, wed, thu, fri]" })
    .default(["mon", "tue", "wed", "thu", "fri"]),
  /** When the replicas must be ready (the scale-up starts earlier by the workload's start-up time). */
  start: clockTime("prescaling[].start"),
  /** When the window closes; earlier than start means the next day. */
  end: clockTime("prescaling[].end"),
  /** Replicas the window holds as the workload's floor (above its minReplicas, at most its maxReplicas). */
  replicas: int("prescaling[].replicas", 1, 1000),
});

const QueueWorkerSchema = z.strictObject({
  /** Names the worker's Deployment, ScaledObject and connection Secret. */
  name: dnsLabel("queueWorkers[].name"),
  /** Worker image with a tag or @sha256 digest. */
  image: image("queueWorkers[].image"),
  /** Celery application module (`celery -A <app>`). */
  app: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.:]*$/, { error: "queueWorkers[].app must be a Python module path. Fix: write it like tasks.app" }),
  /** RabbitMQ queue the worker consumes and KEDA measures. */
  queueName: z
    .string()
    .min(1, { error: "queueWorkers[].queueName must not be empty. Fix: name the RabbitMQ queue the worker consumes" })
    // AMQP writes a queue name as a short string: RabbitMQ refuses one over 255 bytes, so KEDA could never read its length.
    .refine((s) => new TextEncoder().encode(s).length <= 255, {
      error: "queueWorkers[].queueName must be at most 255 bytes (UTF-8), RabbitMQ's limit. Fix: use the queue's real, shorter name",
      params: { code: "CONFIG_RANGE" },
    }),
  /** Tasks per worker pod (`--concurrency`). */
  concurrency: int("queueWorkers[].concurrency", 1, 256).default(4),
  /** Requests and limits of the worker container. */
  resources: workloadResources("queueWorkers[].resources"),
  /** Fewest worker replicas (0: KEDA scales the workers to zero while the queue is empty). */
  minReplicas: int("queueWorkers[].minReplicas", 0, 1000).default(2),
  /** Most worker replicas. */
  maxReplicas: int("queueWorkers[].maxReplicas", 1, 1000).default(20),
  /** `QueueLength`: messages per replica; `MessageRate`: publish rate per replica. */
  mode: z.enum(["QueueLength", "MessageRate"]).default("QueueLength"),
  /** Messages (QueueLength) or messages per second (MessageRate) one replica should carry. */
  targetPerReplica: num("queueWorkers[].targetPerReplica", 0, 1e6, true).default(20),
  /** Below this many messages (or messages per second) the trigger is inactive, so the workers may scale to zero. */
  activationValue: num("queueWorkers[].activationValue", 0, 1e6).default(5),
  /** Seconds between KEDA's queries of the queue. */
  pollingInterval: pollingInterval("queueWorkers[].pollingInterval").default(15),
  /** Seconds after the queue drained before KEDA scales the workers to zero. */
  cooldownPeriod: int("queueWorkers[].cooldownPeriod", 0, 86400).default(300),
  /** Celery warm shutdown: time to finish running tasks. */
  terminationGracePeriodSeconds: int("queueWorkers[].terminationGracePeriodSeconds", 1, 3600).default(300),
  /** Secret (never rendered; created by infra/ from Pulumi secret config) with the AMQP URL. */
  connectionSecret: z
    .strictObject({
      /** Name of the Secret. Absent: `<worker name>-rabbitmq`. */
      name: dnsLabel("queueWorkers[].connectionSecret.name").optional(),
      /** Key inside the Secret holding the AMQP URL (KEDA's rabbitmq `host` parameter reads it). */
      key: z
        .string()
        .regex(/^[-._a-zA-Z0-9]+$/)
        .default("host"),
    })
    .prefault({}),
  /** Plain environment variables; the broker URL is not one of them. */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "env var names must match [A-Za-z_][A-Za-z0-9_]*" }), z.string())
    .default({}),
});

const OrchestratorSchema = z.strictObject({
  /** Names the orchestrator's Deployment, Service and ScaledObject. */
  name: dnsLabel("orchestrator.name").default("orchestrator"),
  /** Orchestrator image with a tag or @sha256 digest. */
  image: image("orchestrator.image"),
  /** HTTP port the orchestrator serves on. */
  port: int("orchestrator.port", 1, 65535).default(8000),
  /** Port of the orchestrator's metrics endpoint. */
  metricsPort: int("orchestrator.metricsPort", 1, 65535).default(9090),
  /** Requests and limits of the orchestrator container. */
  resources: workloadResources("orchestrator.resources"),
  /** Fewest orchestrator replicas. */
  minReplicas: int("orchestrator.minReplicas", 1, 1000).default(2),
  /** Most orchestrator replicas. */
  maxReplicas: int("orchestrator.maxReplicas", 1, 1000).default(10),
  /** Requests in flight one replica should carry (KEDA AverageValue on http_requests_in_flight). */
  inFlightPerReplica: num("orchestrator.inFlightPerReplica", 0, 1e6, true).default(20),
  /** Below this many requests in flight the trigger is inactive. */
  activation: num("orchestrator.activation", 0, 1e6).default(5),
  /** Seconds between KEDA's queries of the orchestrator's metrics. */
  pollingInterval: pollingInterval("orchestrator.pollingInterval").default(15),
  /** Seconds after the last activity before KEDA may deactivate the ScaledObject. */
  cooldownPeriod: int("orchestrator.cooldownPeriod", 0, 86400).default(300),
});

const TolerationSchema = z.strictObject({
  /** Taint key the GPU pods tolerate (a qualified name). */
  key: z.string().refine(isQualifiedName, {
    error:
      "gpu.tolerations[].key must be a Kubernetes qualified name (optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'). Fix: e.g. nvidia.com/gpu",
    params: { code: "CONFIG_FORMAT" },
  }),
  /** `Exists` tolerates the key with any value; `Equal` only `value`. */
  operator: z.enum(["Exists", "Equal"]).default("Exists"),
  /** Taint value tolerated with operator Equal. Absent: none. */
  value: labelValue("gpu.tolerations[].value").optional(),
  /** Taint effect tolerated. Absent: every effect. */
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
});

const GpuSchema = z.strictObject({
  /** Names the GPU server's Deployment, Service and ScaledObject. */
  name: dnsLabel("gpu.name").default("llm"),
  /** vLLM OpenAI-compatible server image. */
  image: image("gpu.image"),
  /** Model the server loads, e.g. a Hugging Face id. */
  model: z
    .string()
    .min(1, { error: "gpu.model must not be empty. Fix: name the model, e.g. meta-llama/Llama-3.1-8B-Instruct" })
    // It is a container argument: a NUL cannot be passed to a process, a line break or tab is a pasting slip.
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    .regex(/^[^\x00-\x1f\x7f]*$/, {
      error:
        "gpu.model must not hold control characters (a NUL, a tab, a line break). Fix: name the model, e.g. meta-llama/Llama-3.1-8B-Instruct",
    }),
  /** GPUs per replica (the extended resource's request and limit). */
  gpus: int("gpu.gpus", 1, 16).default(1),
  /** Extended resource name of a GPU on the nodes (the device plugin's). */
  gpuResource: z
    .string()
    .regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, { error: "gpu.gpuResource must be an extended resource name. Fix: e.g. nvidia.com/gpu" })
    .default("nvidia.com/gpu"),
  /** Labels of the GPU nodes the pods must run on; the default is NVIDIA's GPU feature discovery label. */
  nodeSelector: labelMap("gpu.nodeSelector").default({ "nvidia.com/gpu.present": "true" }),
  /** Taints of the GPU nodes the pods tolerate; the default tolerates NVIDIA's usual taint. */
  tolerations: z.array(TolerationSchema).default([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]),
  /** CPU/memory requests and limits of the server container (beside the GPUs). */
  resources: workloadResources("gpu.resources"),
  /** Start-up probe budget: image pull, weights download, load into GPU memory. */
  modelLoadSeconds: int("gpu.modelLoadSeconds", 60, 3600).default(900),
  /** Sequences vLLM batches at once (`--max-num-seqs`). */
  maxNumSeqs: int("gpu.maxNumSeqs", 1, 4096).default(256),
  /** Share of GPU memory vLLM may use (`--gpu-memory-utilization`, 0–1). */
  gpuMemoryUtilization: num("gpu.gpuMemoryUtilization", 0, 1, true).default(0.9),
  /** Size of the model cache volume (a quantity) the weights are downloaded into. */
  modelCacheSize: quantity("gpu.modelCacheSize").default("50Gi"),
  /** Size of the in-memory /dev/shm volume (a quantity) tensor-parallel workers share. */
  shmSize: quantity("gpu.shmSize").default("2Gi"),
  /** Fewest GPU replicas (0: scale to zero while nothing waits). */
  minReplicas: int("gpu.minReplicas", 0, 100).default(1),
  /** Most GPU replicas. */
  maxReplicas: int("gpu.maxReplicas", 1, 100).default(4),
  /** Waiting requests per replica before another is added. */
  waitingPerReplica: num("gpu.waitingPerReplica", 0, 1e6, true).default(10),
  /** Below this many waiting requests the trigger is inactive (the server may scale to zero). */
  activationWaiting: num("gpu.activationWaiting", 0, 1e6).default(1),
  /** Keep replicas this long after the load is gone; at least modelLoadSeconds. @default max(600, modelLoadSeconds) */
  cooldownSeconds: int("gpu.cooldownSeconds", 0, 86400).optional(),
  /** Replicas KEDA holds after 3 failed polls of the waiting-requests trigger (lost scrape). @default max(minReplicas, ceil(maxReplicas / 2)) */
  fallbackReplicas: int("gpu.fallbackReplicas", 1, 100).optional(),
});

const LoadStageSchema = z.strictObject({
  /** Simulated users during the stage. */
  users: int("loadTest.stages[].users", 1, 100000),
  /** Users started per second until the stage's count is reached. */
  spawnRate: num("loadTest.stages[].spawnRate", 0, 10000, true),
  /** Seconds the stage runs. */
  durationSeconds: int("loadTest.stages[].durationSeconds", 10, 86400),
});

const LoadTestSchema = z.strictObject({
  /** Objects are `<name>-master`, `<name>-workers`, `<name>-stats`. */
  name: dnsLabel("loadTest.name").default("locust"),
  /** Locust image with a tag or digest; the default is the version the locustfile was written for. */
  image: image("loadTest.image").default("locustio/locust:2.31.8"),
  /** Locust worker pods generating the load. */
  workers: int("loadTest.workers", 1, 100).default(2),
  /** The user matrix, run in order. */
  stages: z
    .array(LoadStageSchema)
    .min(1, { error: "loadTest.stages must list at least one stage. Fix: add { users, spawnRate, durationSeconds }" }),
  /** HTTP path the simulated users request. Absent: scaling.endpoint, the path the autoscaler watches. */
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
      { error: 'loadTest.payload must be JSON. Fix: write it like {"inputs": [[0.1, 0.2]]}' },
    )
    .default('{"inputs": [[0.1, 0.2, 0.3, 0.4]]}'),
  /** Requests per second one Locust user sends. Absent: simulation.requestsPerUserPerSecond, so the load test and the simulator mean the same load by one user. */
  requestsPerUserPerSecond: num("loadTest.requestsPerUserPerSecond", 0, 1000, true).optional(),
  /** Size of the volume the run's CSV statistics are written to (a quantity). */
  statsStorage: quantity("loadTest.statsStorage")
    .refine((s) => !isQuantity(s) || parseQuantity(s) > 0, {
      error:
        "loadTest.statsStorage must be greater than 0: the API server refuses a PersistentVolumeClaim for no storage. Fix: write it like 1Gi",
      params: { code: "CONFIG_RANGE" },
    })
    .default("1Gi"),
  /** StorageClass of that volume. Absent: the cluster's default class. */
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
  /** `job` of kube-state-metrics' series. The default is kube-prometheus-stack's. */
  kubeStateMetricsJob: z.string().min(1).default("kube-state-metrics"),
  /** `job` of the kubelet's cAdvisor series. The default is kube-prometheus-stack's. */
  kubeletJob: z.string().min(1).default("kubelet"),
});

/** The optional sections, spread into the env schema. */
export const EXTRA_SECTIONS = {
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

export const EnvConfigSchema = z.strictObject({
  /** Environment name: dist/<name>/, the Pulumi stack and every message name it. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
    error: "name must be lower-case letters, digits and '-' (≤ 31 chars). Fix: use a name such as prod",
  }),
  /** Namespace everything of the environment is rendered into (created with the restricted Pod Security Standard). */
  namespace: dnsLabel("namespace"),
  /** What the cluster offers (KEDA, the Prometheus Operator) and whether it is a laptop cluster. */
  cluster: ClusterSchema,
  /** The inference service: its image, resources, probes and metric contract. */
  service: ServiceSchema,
  /** How the service scales: the autoscaler (scaling.mode), its bounds and its signals. */
  scaling: ScalingSchema,
  /** How the service is scraped and alerted on. */
  monitoring: MonitoringSchema,
  /** The service's SLOs, rendered as Sloth-style recording rules and burn-rate alerts. */
  slo: SloSchema,
  /** Namespace quota the autoscaler's maximum must fit into. */
  capacity: z
    .strictObject({
      /** Sum of CPU requests the namespace may hold (a quantity, e.g. 16). */
      cpu: quantity("capacity.cpu"),
      /** Sum of memory requests the namespace may hold (a quantity, e.g. 64Gi). */
      memory: quantity("capacity.memory"),
    })
    .optional(),
  /** What a pod costs, for the simulator's cost column. */
  cost: z
    .strictObject({
      /** Price of one pod for one hour, in the currency the report shows (no unit is assumed). 0: costs are not reported. */
      pricePerPodHour: num("cost.pricePerPodHour", 0, 1000).default(0),
    })
    .prefault({}),
  /** The service model the simulator runs (and the idle-latency check reads). */
  simulation: SimulationSchema,
  /** Per-namespace NetworkPolicy: default-deny ingress, callers, the scrape, optional egress. */
  networkPolicy: NetworkPolicySchema,
  ...EXTRA_SECTIONS,
});

/**
 * One inference service's view of its environment: the environment's shared sections with the
 * service's own `service`, `scaling`, `slo` and `monitoring.alerts` (stacks/services.ts builds one
 * per entry of `services`). Every construct and check reads a service through this shape.
 */
export type ServiceEnvConfig = z.output<typeof EnvConfigSchema>;
/**
 * A parsed, defaulted, validated environment: the first service's view (what the single-service
 * code paths read, keeping the first service's object names) plus every service's view in
 * `services` (`services[0]` is the first service's view itself). A config assembled by hand
 * without `services` is a one-service environment.
 */
export type EnvConfig = ServiceEnvConfig & {
  /** Every inference service's view, in config order. @default [this config] */
  readonly services?: readonly ServiceEnvConfig[];
};
/** The per-service view as an env file would spell it (the old single-service form; internal). */
export type ServiceEnvConfigInput = z.input<typeof EnvConfigSchema>;
export type { EnvConfigInput } from "./services.js";

export { DEFAULT_LATENCY_BUCKETS };

/**
 * Defaults of fields that code reading raw (unparsed) input needs, taken from the schema: a
 * default is written once, in its `.default(...)`, never retyped elsewhere.
 */
export const INPUT_DEFAULTS = {
  serviceName: ServiceSchema.shape.name.parse(undefined),
  minReplicas: ScalingSchema.shape.minReplicas.parse(undefined),
} as const;
