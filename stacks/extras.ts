/**
 * The workloads and tooling ML platforms run next to the inference API, one chart per config
 * section present (each is off when absent):
 * - `gpu` → `gpu.yaml`: a vLLM-style server on GPU nodes, KEDA on waiting requests;
 * - `orchestrator` → `orchestrator.yaml`: the request orchestrator, KEDA on in-flight requests;
 * - `queueWorkers` → `queue-workers.yaml`: Celery workers, KEDA on RabbitMQ queue length;
 * - `prescaling` → KEDA cron triggers in the target's ScaledObject (no chart of its own);
 * - `loadTest` → `load-test.yaml`: a headless Locust run against each inference service;
 * - `dashboards` → `dashboards.yaml`: one Grafana dashboard per HTTP service.
 */
import type { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { deploymentScaleTarget } from "../scaling/autoscaler-common.js";
import { GrafanaDashboard, platformQueries, type DashboardProps, type PlatformQueries } from "../constructs/dashboard.js";
import { GpuInferenceService, VLLM_WAITING } from "../constructs/gpu-inference-service.js";
import { InferenceService } from "../constructs/inference-service.js";
import { KedaScaledObject } from "../constructs/keda-scaled-object.js";
import { standardLabels, type ServiceIdentity } from "../kube/labels.js";
import { LoadTest } from "../constructs/load-test.js";
import { ContractError, DEFAULT_METRICS, PromQL, type MetricContract } from "../promql/metrics.js";
import { problem } from "../problems/problem.js";
import { PromQLError } from "../promql/parse.js";
import { BROKER_URL_ENV, QueueWorker } from "../constructs/queue-worker.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";
import { scrapeScope } from "../scrape/scope.js";
import { workloadAlertRules, type WorkloadAlerts, type WorkloadAlertsProps } from "../rules/workload-alerts.js";
import type { EnvConfig, ServiceEnvConfig } from "./config.js";
import { EnvChart, type RequiredSecret } from "./env-chart.js";
import { prometheusAddress } from "./naming.js";
import { cronTriggersFor } from "./prescaling.js";
import { SynthError } from "./errors.js";
import { renderRuleFile, serviceMonitorFor, type RuleFile } from "./workload-monitoring.js";

/** Pulumi secret config key holding the RabbitMQ connection string (AMQP URL) of the queue workers. */
export const RABBITMQ_CONFIG_KEY = "rabbitmqConnection";

/** What the orchestrator exports: the HTTP server metrics of the shared Python stack. */
export const ORCHESTRATOR_METRICS = DEFAULT_METRICS.filter((m) => m.name.startsWith("http_"));
/** The gauge the orchestrator scales on. */
export const ORCHESTRATOR_IN_FLIGHT = "http_requests_in_flight";

/** One inference service as the dashboards and load tests see it: its view of the env, workload, queries and HPA. */
export interface ExtrasService {
  /** The service's view of the environment (its scaling endpoint, SLO, simulation, load test). */
  readonly config: ServiceEnvConfig;
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and scrape. */
  readonly promql: PromQL;
  /** The HPA that runs for the service (its dashboard's replica panels). */
  readonly hpaName: string;
}

/** What the extras concern needs: the config and the inference services the workloads sit beside. */
export interface ExtrasProps {
  readonly config: EnvConfig;
  /** The (first) inference service: the first load test's target, the first dashboard's subject. */
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and scrape. */
  readonly promql: PromQL;
  /** The HPA that runs for the service (its dashboard's replica panels). */
  readonly hpaName: string;
  /** The environment's other inference services, each with its own dashboard and load test. @default none */
  readonly moreServices?: readonly ExtrasService[];
}

/** A load test and the inference service it sends its load to. */
export interface ServiceLoadTest {
  readonly service: InferenceService;
  readonly loadTest: LoadTest;
}

/** What {@link buildExtras} built: the workloads, their charts (in apply order) and what they need beside them. */
export interface Extras {
  readonly gpu?: GpuInferenceService;
  readonly orchestrator?: { readonly service: InferenceService; readonly scaledObject: KedaScaledObject; readonly promql: PromQL };
  readonly queueWorkers: readonly QueueWorker[];
  /** The first load test (the first service's when it has one). @default none */
  readonly loadTest?: LoadTest;
  /** Every inference service's load test, each with the service it loads. */
  readonly loadTests: readonly ServiceLoadTest[];
  readonly dashboards: readonly GrafanaDashboard[];
  /** Scrape and KEDA health alerts of every workload beside the inference service, one group each. */
  readonly alerts: readonly WorkloadAlerts[];
  /** One chart per section present, in apply order. */
  readonly charts: readonly Chart[];
  /** The alert groups' rule files (`rules/<group>.yaml`; PrometheusRules with the operator). */
  readonly ruleFiles: readonly RuleFile[];
  /** Secrets the workloads reference but dist/ never contains (the queue workers' RabbitMQ connection). */
  readonly requiredSecrets: readonly RequiredSecret[];
}

/** The workload's TargetDown / KedaUnhealthy group, rendered beside its objects in `chart`. */
function workloadAlerts(
  chart: Chart,
  config: EnvConfig,
  props: Omit<WorkloadAlertsProps, "namespace" | "flavor" | "runbookBaseUrl">,
  labels: Readonly<Record<string, string>>,
): { readonly alerts: WorkloadAlerts; readonly file: RuleFile } {
  const alerts = workloadAlertRules({
    ...props,
    namespace: config.namespace,
    flavor: config.cluster.prometheusOperator ? "operator" : "plain",
    runbookBaseUrl: config.monitoring.alerts.runbookBaseUrl,
  });
  return { alerts, file: renderRuleFile(chart, config, alerts.group, labels) };
}

/** The identity (labels) of an extra workload; its selector is what network policies select. */
export function identity(config: EnvConfig, name: string, component: string): ServiceIdentity {
  return { name, instance: `${name}-${config.name}`, component, partOf: config.service.partOf };
}

function addGpu(
  scope: Construct,
  config: EnvConfig,
  g: NonNullable<EnvConfig["gpu"]>,
): { readonly chart: Chart; readonly gpu: GpuInferenceService } {
  const chart = new EnvChart(scope, "gpu");
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
  serviceMonitorFor(chart, config, gpu.service);
  return { chart, gpu };
}

function addOrchestrator(
  scope: Construct,
  config: EnvConfig,
  o: NonNullable<EnvConfig["orchestrator"]>,
): { readonly chart: Chart; readonly orchestrator: NonNullable<Extras["orchestrator"]> } {
  const chart = new EnvChart(scope, "orchestrator");
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
  serviceMonitorFor(chart, config, service);
  const scaledObject = new KedaScaledObject(chart, "ScaledObject", {
    scaleTarget: deploymentScaleTarget(service),
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
  return { chart, orchestrator: { service, scaledObject, promql } };
}

function addQueueWorkers(
  scope: Construct,
  config: EnvConfig,
  workers: NonNullable<EnvConfig["queueWorkers"]>,
): { readonly chart: Chart; readonly workers: readonly QueueWorker[]; readonly secrets: readonly RequiredSecret[] } {
  const chart = new EnvChart(scope, "queue-workers");
  const secrets: RequiredSecret[] = [];
  const built = workers.map((w) => {
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
    if (!secrets.some((s) => s.namespace === config.namespace && s.name === secretName && s.key === w.connectionSecret.key)) {
      secrets.push({
        namespace: config.namespace,
        name: secretName,
        key: w.connectionSecret.key,
        configKey: RABBITMQ_CONFIG_KEY,
        description: `RabbitMQ connection string (amqp://user:password@host:5672/vhost) of queue worker ${w.name}: read by the worker (${BROKER_URL_ENV}) and by KEDA's TriggerAuthentication ${w.name}-rabbitmq`,
      });
    }
    return worker;
  });
  return { chart, workers: built, secrets };
}

/** One load test per inference service whose view has one, each against its own Service, path and per-user rate. */
function addLoadTests(
  scope: Construct,
  services: readonly ExtrasService[],
): { readonly chart: Chart; readonly loadTests: readonly ServiceLoadTest[] } | undefined {
  const targets = services.filter((s) => s.config.loadTest !== undefined);
  if (targets.length === 0) return undefined;
  const chart = new EnvChart(scope, "load-test");
  const loadTests = targets.map(({ config, service }, i): ServiceLoadTest => {
    const t = config.loadTest!;
    const loadTest = new LoadTest(chart, i === 0 ? "LoadTest" : `LoadTest-${service.name}`, {
      namespace: config.namespace,
      name: t.name,
      instance: `${t.name}-${config.name}`,
      partOf: config.service.partOf,
      targetHost: `http://${service.name}.${config.namespace}.svc.cluster.local:${service.port}`,
      path: t.path ?? config.scaling.endpoint,
      payload: t.payload,
      stages: t.stages,
      requestsPerUserPerSecond: t.requestsPerUserPerSecond ?? config.simulation.requestsPerUserPerSecond,
      image: t.image,
      workers: t.workers,
      statsStorage: t.statsStorage,
      ...(t.storageClassName ? { storageClassName: t.storageClassName } : {}),
    });
    return { service, loadTest };
  });
  return { chart, loadTests };
}

/** The dashboard of one inference service, from its own view (endpoint, SLO) and metric contract. */
function serviceDashboard(
  chart: Chart,
  id: string,
  common: (name: string) => Omit<DashboardProps, "title" | "promql" | "workload">,
  { config, service: svc, promql, hpaName }: ExtrasService,
): GrafanaDashboard {
  const endpoint = { endpoint: config.scaling.endpoint };
  return new GrafanaDashboard(chart, id, {
    ...common(svc.name),
    title: `${svc.name} (${config.name})`,
    promql,
    workload: { deployment: svc.name, container: svc.containerName, hpa: hpaName },
    ...(promql.has("http_request_duration_seconds")
      ? {
          latency: {
            metric: "http_request_duration_seconds",
            matchers: endpoint,
            sloThresholdSeconds: config.slo.latency.thresholdSeconds,
          },
        }
      : {}),
    ...(promql.has("http_requests_total") ? { requests: { metric: "http_requests_total" } } : {}),
    ...(promql.has("http_request_errors_total")
      ? { errors: { metric: "http_request_errors_total" }, availabilityObjective: config.slo.availability.objective }
      : {}),
    ...(promql.has("http_requests_in_flight") ? { inFlight: { metric: "http_requests_in_flight" } } : {}),
    ...(promql.has("inference_queue_len") ? { queue: { metric: "inference_queue_len" } } : {}),
  });
}

function addDashboards(
  scope: Construct,
  props: ExtrasProps,
  d: NonNullable<EnvConfig["dashboards"]>,
  extras: Pick<Extras, "gpu" | "orchestrator">,
): { readonly chart: Chart; readonly dashboards: readonly GrafanaDashboard[] } {
  const { config } = props;
  const chart = new EnvChart(scope, "dashboards");
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
  // One dashboard per inference service: each draws its own SLO threshold and objective and its
  // own HPA, which one dashboard with a service variable could not (the SLOs differ per model).
  const services: readonly ExtrasService[] = [
    { config, service: props.service, promql: props.promql, hpaName: props.hpaName },
    ...(props.moreServices ?? []),
  ];
  services.forEach((s, i) => out.push(serviceDashboard(chart, i === 0 ? "Inference" : `Inference-${s.service.name}`, common, s)));
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
  return { chart, dashboards: out };
}

/**
 * A chart per optional section present in the config, each beside the inference service. A
 * construct that refuses the config becomes a {@link SynthError} naming the environment (never a
 * stack trace).
 */
export function buildExtras(scope: Construct, props: ExtrasProps): Extras {
  const c = props.config;
  try {
    return sections(scope, props);
  } catch (e) {
    // Contract and PromQL errors point at the workload's contract; other refusals (autoscalers,
    // pre-scaling windows) carry their own fix and reach buildStack as they are.
    if (e instanceof ContractError || e instanceof PromQLError) {
      throw new SynthError([
        problem({
          code: "CONSTRUCT_INVARIANT",
          env: c.name,
          message: e.message.split("\n")[0]!,
          fix: "query only metrics the workload's contract exports",
        }),
      ]);
    }
    throw e;
  }
}

/** Each section present, in apply order, with its workloads' alert groups rendered beside them. */
function sections(scope: Construct, props: ExtrasProps): Extras {
  const c = props.config;
  const charts: Chart[] = [];
  const alerts: { readonly alerts: WorkloadAlerts; readonly file: RuleFile }[] = [];
  const gpu = c.gpu ? addGpu(scope, c, c.gpu) : undefined;
  if (gpu && c.gpu) {
    const g = gpu.gpu;
    charts.push(gpu.chart);
    const alertProps = {
      workload: g.name,
      description: "the GPU LLM server",
      scrape: g.promql.scope,
      expectTargets: c.gpu.minReplicas > 0,
      ...(g.scaledObject ? { scaledObject: g.scaledObject.name } : {}),
    };
    alerts.push(workloadAlerts(gpu.chart, c, alertProps, standardLabels(g.service.identity)));
  }
  const orchestrator = c.orchestrator ? addOrchestrator(scope, c, c.orchestrator) : undefined;
  if (orchestrator && c.orchestrator) {
    const o = orchestrator.orchestrator;
    charts.push(orchestrator.chart);
    const alertProps = {
      workload: o.service.name,
      description: "the orchestrator",
      scrape: o.promql.scope,
      expectTargets: c.orchestrator.minReplicas > 0,
      scaledObject: o.scaledObject.name,
    };
    alerts.push(workloadAlerts(orchestrator.chart, c, alertProps, standardLabels(o.service.identity)));
  }
  const workers = c.queueWorkers?.length ? addQueueWorkers(scope, c, c.queueWorkers) : undefined;
  if (workers) {
    charts.push(workers.chart);
    // Queue workers export no metrics: their RabbitMQ trigger's health is what KEDA reports.
    for (const w of workers.workers) {
      const alertProps = {
        workload: w.name,
        description: `queue worker ${w.name}`,
        expectTargets: false,
        scaledObject: w.scaledObject.name,
      };
      alerts.push(workloadAlerts(workers.chart, c, alertProps, standardLabels(identity(c, w.name, "queue-worker"))));
    }
  }
  const loadTests = addLoadTests(scope, [
    { config: c, service: props.service, promql: props.promql, hpaName: props.hpaName },
    ...(props.moreServices ?? []),
  ]);
  if (loadTests) charts.push(loadTests.chart);
  const built = { ...(gpu ? { gpu: gpu.gpu } : {}), ...(orchestrator ? { orchestrator: orchestrator.orchestrator } : {}) };
  const dashboards = c.dashboards ? addDashboards(scope, props, c.dashboards, built) : undefined;
  if (dashboards) charts.push(dashboards.chart);
  return {
    ...built,
    queueWorkers: workers?.workers ?? [],
    ...(loadTests ? { loadTest: loadTests.loadTests[0]!.loadTest } : {}),
    loadTests: loadTests?.loadTests ?? [],
    dashboards: dashboards?.dashboards ?? [],
    alerts: alerts.map((a) => a.alerts),
    charts,
    ruleFiles: alerts.map((a) => a.file),
    requiredSecrets: workers?.secrets ?? [],
  };
}
