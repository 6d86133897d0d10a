/**
 * The workloads and tooling ML platforms run next to the inference API, one chart per config
 * section present (each is off when absent):
 * - `gpu` → `gpu.yaml`: a vLLM-style server on GPU nodes, KEDA on waiting requests;
 * - `orchestrator` → `orchestrator.yaml`: the request orchestrator, KEDA on in-flight requests;
 * - `queueWorkers` → `queue-workers.yaml`: Celery workers, KEDA on RabbitMQ queue length;
 * - `prescaling` → KEDA cron triggers in the target's ScaledObject (no chart of its own);
 * - `loadTest` → `load-test.yaml`: a headless Locust run against the service;
 * - `dashboards` → `dashboards.yaml`: one Grafana dashboard per HTTP service.
 */
import type { Chart } from "cdk8s";
import { GrafanaDashboard, platformQueries, type PlatformQueries } from "../constructs/dashboard.js";
import { GpuInferenceService, VLLM_WAITING } from "../constructs/gpu-inference-service.js";
import { InferenceService } from "../constructs/inference-service.js";
import { KedaScaledObject } from "../constructs/keda-scaled-object.js";
import { standardLabels, selectorLabels, type ServiceIdentity } from "../kube/labels.js";
import { LoadTest } from "../constructs/load-test.js";
import { ContractError, DEFAULT_METRICS, PromQL, type MetricContract } from "../promql/metrics.js";
import { problem } from "../problems/problem.js";
import { PromQLError } from "../promql/parse.js";
import { BROKER_URL_ENV, QueueWorker } from "../constructs/queue-worker.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";
import { scrapeScope } from "../scrape/scope.js";
import { ServiceMonitor } from "../constructs/service-monitor.js";
import { workloadAlertRules, type WorkloadAlerts, type WorkloadAlertsProps } from "../rules/workload-alerts.js";
import type { EnvConfig } from "./config.js";
import { addRuleGroup } from "./monitoring.js";
import { hpaName, prometheusAddress } from "./naming.js";
import { cronTriggersFor } from "./prescaling.js";
import type { EnvironmentStack } from "./stack.js";
import { SynthError } from "./errors.js";

/** Pulumi secret config key holding the RabbitMQ connection string (AMQP URL) of the queue workers. */
export const RABBITMQ_CONFIG_KEY = "rabbitmqConnection";

/** What the orchestrator exports: the HTTP server metrics of the shared Python stack. */
export const ORCHESTRATOR_METRICS = DEFAULT_METRICS.filter((m) => m.name.startsWith("http_"));
/** The gauge the orchestrator scales on. */
export const ORCHESTRATOR_IN_FLIGHT = "http_requests_in_flight";

/** What `addExtras` built, for tests, checks and dashboards. */
export interface Extras {
  gpu?: GpuInferenceService;
  orchestrator?: { service: InferenceService; scaledObject: KedaScaledObject; promql: PromQL };
  queueWorkers: QueueWorker[];
  loadTest?: LoadTest;
  dashboards: GrafanaDashboard[];
  /** Scrape and KEDA health alerts of every workload beside the inference service, one group each. */
  alerts: WorkloadAlerts[];
}

const built = new WeakMap<EnvironmentStack, Extras>();

/** What addExtras built for `stack`. */
export function extrasOf(stack: EnvironmentStack): Extras {
  const e = built.get(stack);
  if (!e) throw new Error(`environment "${stack.config.name}" has no extras (addExtras was not called)`);
  return e;
}

/** The workload's TargetDown / KedaUnhealthy group, rendered beside its objects in `chart`. */
function addWorkloadAlerts(stack: EnvironmentStack, chart: Chart, props: Omit<WorkloadAlertsProps, "namespace" | "flavor" | "runbookBaseUrl">, labels: Readonly<Record<string, string>>): WorkloadAlerts {
  const { config } = stack;
  const alerts = workloadAlertRules({
    ...props,
    namespace: config.namespace,
    flavor: config.cluster.prometheusOperator ? "operator" : "plain",
    runbookBaseUrl: config.monitoring.alerts.runbookBaseUrl,
  });
  addRuleGroup(stack, chart, alerts.group, labels);
  return alerts;
}

/** The identity (labels) of an extra workload; its selector is what network policies select. */
export function identity(config: EnvConfig, name: string, component: string): ServiceIdentity {
  return { name, instance: `${name}-${config.name}`, component, partOf: config.service.partOf };
}

function serviceMonitorFor(chart: Chart, config: EnvConfig, svc: InferenceService, contract: MetricContract): ServiceMonitor {
  return new ServiceMonitor(chart, "ServiceMonitor", {
    serviceName: svc.name,
    namespace: config.namespace,
    labels: { ...config.monitoring.selectorLabels, ...standardLabels(svc.identity) },
    serviceSelector: selectorLabels(svc.identity),
    portName: contract.portName,
    port: contract.port,
    path: contract.path,
    intervalSeconds: config.monitoring.scrapeIntervalSeconds,
    exposedLabels: [...new Set(contract.metrics.flatMap((m) => m.labels))],
  });
}

function addGpu(stack: EnvironmentStack, g: NonNullable<EnvConfig["gpu"]>): GpuInferenceService {
  const { config } = stack;
  const chart = stack.addChart("gpu");
  const gpu = new GpuInferenceService(chart, "Gpu", {
    namespace: config.namespace,
    identity: identity(config, g.name, "llm-server"),
    image: g.image,
    model: g.model,
    scrape: scrapeScope(config.monitoring.scrape, config.namespace, g.name),
    resources: g.resources,
    gpus: g.gpus,
    gpuResource: g.gpuResource,
    nodeSelector: g.nodeSelector,
    tolerations: g.tolerations,
    modelLoadSeconds: g.modelLoadSeconds,
    maxNumSeqs: g.maxNumSeqs,
    gpuMemoryUtilization: g.gpuMemoryUtilization,
    modelCacheSize: g.modelCacheSize,
    shmSize: g.shmSize,
    replicas: Math.max(1, g.minReplicas),
    scrapeAnnotations: config.monitoring.scrape === "pod-annotations",
    autoscaling: {
      prometheusAddress: prometheusAddress(config),
      minReplicas: g.minReplicas,
      maxReplicas: g.maxReplicas,
      waitingPerReplica: g.waitingPerReplica,
      activationWaiting: g.activationWaiting,
      ...(g.cooldownSeconds !== undefined ? { cooldownSeconds: g.cooldownSeconds } : {}),
      ...(g.fallbackReplicas !== undefined ? { fallback: { failureThreshold: 3, replicas: g.fallbackReplicas } } : {}),
      pollingInterval: config.scaling.keda.pollingInterval,
      // Start a window early by the model load: the replicas must serve when the peak starts.
      extraTriggers: cronTriggersFor(config, g.name, g.modelLoadSeconds, { min: g.minReplicas, max: g.maxReplicas }),
    },
  });
  serviceMonitorFor(chart, config, gpu.service, gpu.contract);
  return gpu;
}

function addOrchestrator(stack: EnvironmentStack, o: NonNullable<EnvConfig["orchestrator"]>): NonNullable<Extras["orchestrator"]> {
  const { config } = stack;
  const chart = stack.addChart("orchestrator");
  const contract: MetricContract = { port: o.metricsPort, portName: "metrics", path: "/metrics", metrics: ORCHESTRATOR_METRICS };
  const service = new InferenceService(chart, "Orchestrator", {
    namespace: config.namespace,
    identity: identity(config, o.name, "orchestrator"),
    image: o.image,
    replicas: o.minReplicas,
    port: o.port,
    metrics: contract,
    resources: o.resources,
    // The orchestrator runs no model: the inference server's tuning variables mean nothing to it.
    tuningEnv: false,
    probes: { modelLoadSeconds: 30 },
    spread: config.cluster.kind === "local" ? "prefer" : config.service.spread,
    scrapeAnnotations: config.monitoring.scrape === "pod-annotations",
  });
  const promql = new PromQL(contract, scrapeScope(config.monitoring.scrape, config.namespace, o.name));
  serviceMonitorFor(chart, config, service, contract);
  const scaledObject = new KedaScaledObject(chart, "ScaledObject", {
    scaleTarget: {
      name: service.name,
      namespace: service.namespace,
      containers: [{ name: service.containerName, requests: service.resources.requests }],
      markHasAutoscaler: (owner) => service.markHasAutoscaler(owner),
    },
    labels: standardLabels(service.identity),
    pollingInterval: o.pollingInterval,
    cooldownPeriod: o.cooldownPeriod,
    minReplicaCount: o.minReplicas,
    maxReplicaCount: o.maxReplicas,
    // Prometheus down: hold the minimum's double rather than freezing at whatever was running.
    fallback: { failureThreshold: 3, replicas: Math.min(o.maxReplicas, Math.max(o.minReplicas, 2 * o.minReplicas)) },
    triggers: [
      {
        type: "prometheus",
        name: "in-flight",
        serverAddress: prometheusAddress(config),
        // 0 while the orchestrator is scraped but has served nothing yet; nothing (a scaler
        // error, so the fallback) when its scrape is lost.
        query: whileScraped(promql.sumGauge(ORCHESTRATOR_IN_FLIGHT), upSelector(promql.scope)),
        // Requests in flight add up across pods: AverageValue = total / per-replica target.
        signal: "additive",
        metricType: "AverageValue",
        threshold: o.inFlightPerReplica,
        activationThreshold: o.activation,
        ignoreNullValues: false,
      },
      ...cronTriggersFor(config, o.name, 60, { min: o.minReplicas, max: o.maxReplicas }),
    ],
  });
  return { service, scaledObject, promql };
}

function addQueueWorkers(stack: EnvironmentStack, workers: NonNullable<EnvConfig["queueWorkers"]>): QueueWorker[] {
  const { config } = stack;
  const chart = stack.addChart("queue-workers");
  return workers.map((w) => {
    const secretName = w.connectionSecret.name ?? `${w.name}-rabbitmq`;
    const worker = new QueueWorker(chart, w.name, {
      namespace: config.namespace,
      identity: identity(config, w.name, "queue-worker"),
      image: w.image,
      app: w.app,
      queueName: w.queueName,
      resources: w.resources,
      concurrency: w.concurrency,
      connectionSecret: { name: secretName, key: w.connectionSecret.key },
      minReplicas: w.minReplicas,
      maxReplicas: w.maxReplicas,
      mode: w.mode,
      targetPerReplica: w.targetPerReplica,
      activationValue: w.activationValue,
      pollingInterval: w.pollingInterval,
      cooldownPeriod: w.cooldownPeriod,
      terminationGracePeriodSeconds: w.terminationGracePeriodSeconds,
      env: w.env,
      extraTriggers: cronTriggersFor(config, w.name, 60, { min: w.minReplicas, max: w.maxReplicas }),
    });
    // The Secret is referenced, never rendered: infra/ creates it from Pulumi secret config.
    if (!stack.requiredSecrets.some((s) => s.namespace === config.namespace && s.name === secretName && s.key === w.connectionSecret.key)) {
      stack.requiredSecrets.push({
        namespace: config.namespace,
        name: secretName,
        key: w.connectionSecret.key,
        configKey: RABBITMQ_CONFIG_KEY,
        description: `RabbitMQ connection string (amqp://user:password@host:5672/vhost) of queue worker ${w.name}: read by the worker (${BROKER_URL_ENV}) and by KEDA's TriggerAuthentication ${w.name}-rabbitmq`,
      });
    }
    return worker;
  });
}

function addLoadTest(stack: EnvironmentStack, t: NonNullable<EnvConfig["loadTest"]>): LoadTest {
  const { config } = stack;
  const chart = stack.addChart("load-test");
  return new LoadTest(chart, "LoadTest", {
    namespace: config.namespace,
    name: t.name,
    instance: `${t.name}-${config.name}`,
    partOf: config.service.partOf,
    targetHost: `http://${stack.service.name}.${config.namespace}.svc.cluster.local:${stack.service.port}`,
    path: t.path ?? config.scaling.endpoint,
    payload: t.payload,
    stages: t.stages,
    requestsPerUserPerSecond: t.requestsPerUserPerSecond ?? config.simulation.requestsPerUserPerSecond,
    image: t.image,
    workers: t.workers,
    statsStorage: t.statsStorage,
    ...(t.storageClassName ? { storageClassName: t.storageClassName } : {}),
  });
}

function addDashboards(stack: EnvironmentStack, d: NonNullable<EnvConfig["dashboards"]>, extras: Extras): GrafanaDashboard[] {
  const { config } = stack;
  const chart = stack.addChart("dashboards");
  const namespace = d.namespace ?? config.namespace;
  const platform: PlatformQueries = platformQueries(config.namespace, { kubeStateMetrics: d.kubeStateMetricsJob, kubelet: d.kubeletJob });
  const window = config.monitoring.queryWindow;
  const common = (name: string) => ({
    namespace,
    name: `${name}-dashboard`,
    // Grafana uids are global: include the environment.
    uid: `${config.name}-${name}`.slice(0, 40),
    labels: { "app.kubernetes.io/part-of": config.service.partOf, "app.kubernetes.io/instance": `${name}-${config.name}` },
    tags: ["inference-scaling", config.name],
    ...(d.folder ? { folder: d.folder } : {}),
    platform,
    window,
  });
  const out: GrafanaDashboard[] = [];
  const svc = stack.service;
  const promql = stack.promql;
  const endpoint = { endpoint: config.scaling.endpoint };
  out.push(
    new GrafanaDashboard(chart, "Inference", {
      ...common(svc.name),
      title: `${svc.name} (${config.name})`,
      promql,
      workload: { deployment: svc.name, container: svc.containerName, hpa: hpaName(config) },
      ...(promql.has("http_request_duration_seconds") ? { latency: { metric: "http_request_duration_seconds", matchers: endpoint, sloThresholdSeconds: config.slo.latency.thresholdSeconds } } : {}),
      ...(promql.has("http_requests_total") ? { requests: { metric: "http_requests_total" } } : {}),
      ...(promql.has("http_request_errors_total") ? { errors: { metric: "http_request_errors_total" }, availabilityObjective: config.slo.availability.objective } : {}),
      ...(promql.has("http_requests_in_flight") ? { inFlight: { metric: "http_requests_in_flight" } } : {}),
      ...(promql.has("inference_queue_len") ? { queue: { metric: "inference_queue_len" } } : {}),
    }),
  );
  if (extras.orchestrator) {
    const o = extras.orchestrator;
    out.push(
      new GrafanaDashboard(chart, "Orchestrator", {
        ...common(o.service.name),
        title: `${o.service.name} (${config.name})`,
        promql: o.promql,
        workload: { deployment: o.service.name, container: o.service.containerName, hpa: o.scaledObject.hpaName },
        latency: { metric: "http_request_duration_seconds" },
        requests: { metric: "http_requests_total" },
        errors: { metric: "http_request_errors_total" },
        availabilityObjective: config.slo.availability.objective,
        inFlight: { metric: ORCHESTRATOR_IN_FLIGHT },
      }),
    );
  }
  if (extras.gpu) {
    const g = extras.gpu;
    out.push(
      new GrafanaDashboard(chart, "Gpu", {
        ...common(g.name),
        title: `${g.name} (${config.name}, vLLM)`,
        promql: g.promql,
        workload: { deployment: g.name, container: g.service.containerName, ...(g.scaledObject ? { hpa: g.scaledObject.hpaName } : {}) },
        latency: { metric: "vllm:e2e_request_latency_seconds" },
        requests: { metric: "vllm:request_success_total" },
        inFlight: { metric: "vllm:num_requests_running" },
        queue: { metric: VLLM_WAITING },
        extraGauges: [{ title: "GPU KV-cache usage (sum over replicas)", metric: "vllm:gpu_cache_usage_perc", unit: "percentunit" }],
      }),
    );
  }
  return out;
}

/**
 * Adds a chart per optional section present in the config. A construct that refuses the config
 * becomes a {@link SynthError} naming the environment (never a stack trace).
 */
export function addExtras(stack: EnvironmentStack): Extras {
  const c = stack.config;
  try {
    const extras: Extras = { queueWorkers: [], dashboards: [], alerts: [] };
    if (c.gpu) {
      const gpu = addGpu(stack, c.gpu);
      extras.gpu = gpu;
      extras.alerts.push(
        addWorkloadAlerts(
          stack,
          gpu.node.scope as Chart,
          { workload: gpu.name, description: "the GPU LLM server", scrape: gpu.promql.scope, expectTargets: c.gpu.minReplicas > 0, ...(gpu.scaledObject ? { scaledObject: gpu.scaledObject.name } : {}) },
          standardLabels(gpu.service.identity),
        ),
      );
    }
    if (c.orchestrator) {
      const o = addOrchestrator(stack, c.orchestrator);
      extras.orchestrator = o;
      extras.alerts.push(
        addWorkloadAlerts(stack, o.scaledObject.node.scope as Chart, { workload: o.service.name, description: "the orchestrator", scrape: o.promql.scope, expectTargets: c.orchestrator.minReplicas > 0, scaledObject: o.scaledObject.name }, standardLabels(o.service.identity)),
      );
    }
    if (c.queueWorkers?.length) {
      extras.queueWorkers = addQueueWorkers(stack, c.queueWorkers);
      // Queue workers export no metrics: their RabbitMQ trigger's health is what KEDA reports.
      for (const w of extras.queueWorkers) {
        extras.alerts.push(addWorkloadAlerts(stack, w.node.scope as Chart, { workload: w.name, description: `queue worker ${w.name}`, expectTargets: false, scaledObject: w.scaledObject.name }, standardLabels(identity(c, w.name, "queue-worker"))));
      }
    }
    if (c.loadTest) extras.loadTest = addLoadTest(stack, c.loadTest);
    if (c.dashboards) extras.dashboards = addDashboards(stack, c.dashboards, extras);
    built.set(stack, extras);
    return extras;
  } catch (e) {
    // Contract and PromQL errors point at the workload's contract; other refusals (autoscalers,
    // pre-scaling windows) carry their own fix and reach buildStack as they are.
    if (e instanceof ContractError || e instanceof PromQLError) {
      throw new SynthError([
        problem({ code: "CONSTRUCT_INVARIANT", env: c.name, message: e.message.split("\n")[0]!, fix: "query only metrics the workload's contract exports" }),
      ]);
    }
    throw e;
  }
}
