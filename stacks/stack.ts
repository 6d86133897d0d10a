/**
 * Composes one environment from its validated config: one cdk8s App per environment, one Chart
 * per concern (workload, autoscaling, monitoring, the extras' sections, network policies). Each
 * concern gets explicit props and hands back a typed result the stack holds; synth writes each
 * chart to `dist/<env>/<chart>.yaml`, Pulumi deploys the same charts' objects from memory, the
 * simulator runs {@link EnvironmentStack.autoscaler}.
 */
import { App, type Chart } from "cdk8s";
import { InferenceService } from "../constructs/inference-service.js";
import { PromQL } from "../promql/metrics.js";
import { RestrictedNamespace } from "../constructs/namespace.js";
import { scrapeScope } from "../scrape/scope.js";
import { valuesByChart, type AddonValues } from "./addon-values.js";
import type { EnvConfig, ServiceEnvConfig } from "./config.js";
import { AutoscalingChart, type Autoscaler } from "./autoscaling.js";
import { EnvChart, type ExtraFile, type RequiredSecret } from "./env-chart.js";
import { MonitoringChart, serviceAdapterRules } from "./monitoring.js";
import { mergeAdapterRules } from "../constructs/prometheus-adapter.js";
import { buildExtras, type Extras } from "./extras.js";
import { buildNetworkPolicies, type NetworkPolicies } from "./network-policy.js";
import { ruleFileOutput } from "./workload-monitoring.js";
import { runServiceConfigChecks } from "./checks/index.js";
import { refusedIn, throwIfErrors } from "./errors.js";
import { UserError } from "../problems/problem.js";
import { usePlainApiObjectJson } from "../kube/plain-json.js";

export type { ExtraFile, RequiredSecret } from "./env-chart.js";

/** One inference service's Deployment, Service, PDB and ServiceAccount from its view of the env. */
function inferenceServiceFor(scope: Chart, config: ServiceEnvConfig): InferenceService {
  const { service: svc, scaling, monitoring } = config;
  return new InferenceService(scope, "Inference", {
    namespace: config.namespace,
    identity: { name: svc.name, instance: `${svc.name}-${config.name}`, component: svc.component, partOf: svc.partOf },
    image: svc.image,
    replicas: scaling.minReplicas,
    port: svc.port,
    metrics: { port: svc.metrics.port, portName: svc.metrics.portName, path: svc.metrics.path, metrics: svc.metrics.metrics },
    resources: svc.resources,
    probes: svc.probes,
    tuning: svc.tuning,
    env: svc.env,
    terminationGracePeriodSeconds: svc.terminationGracePeriodSeconds,
    preStopSleepSeconds: svc.preStopSleepSeconds,
    maxUnavailable: svc.maxUnavailable,
    spread: config.cluster.kind === "local" ? "prefer" : svc.spread,
    scrapeAnnotations: monitoring.scrape === "pod-annotations",
  });
}

/** The chart `workload`: the namespace (shared by every service) and the first inference service. */
export class WorkloadChart extends EnvChart {
  readonly restrictedNamespace: RestrictedNamespace;
  readonly service: InferenceService;

  constructor(scope: App, config: EnvConfig) {
    super(scope, "workload");
    const { service: svc } = config;
    this.restrictedNamespace = new RestrictedNamespace(this, "Namespace", {
      name: config.namespace,
      labels: { "app.kubernetes.io/part-of": svc.partOf, environment: config.name },
      quota: config.capacity,
    });
    this.service = inferenceServiceFor(this, config);
  }
}

/** The chart `<service>-workload` of a service after the first: its workload only (the namespace is the first's). */
export class ServiceWorkloadChart extends EnvChart {
  readonly service: InferenceService;

  constructor(scope: App, config: ServiceEnvConfig) {
    super(scope, `${config.service.name}-workload`);
    this.service = inferenceServiceFor(this, config);
  }
}

/**
 * One inference service (model) of the environment, composed from its view of the config: its
 * workload, the one autoscaler owning it, its scrape wiring and rule groups (labelled with the
 * service through their group names and the service's standard labels). The first service's charts
 * keep the single-service names (`workload`, `autoscaling`, `monitoring`); every other service's
 * are `<service>-workload`, `<service>-autoscaling`, `<service>-monitoring`.
 */
export interface ServiceModel {
  readonly name: string;
  /** The service's view of the environment (its own service, scaling, slo and alerts). */
  readonly config: ServiceEnvConfig;
  readonly workload: WorkloadChart | ServiceWorkloadChart;
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and the labels its scrape produces. */
  readonly promql: PromQL;
  readonly autoscaling: AutoscalingChart;
  /** The one autoscaler owning the service's Deployment. */
  readonly autoscaler: Autoscaler;
  readonly monitoring: MonitoringChart;
  /** This service's charts, in apply order. */
  readonly charts: readonly Chart[];
}

export class EnvironmentStack {
  readonly app: App;
  readonly config: EnvConfig;
  /** Charts in the order they are applied and written. */
  readonly charts: readonly Chart[];
  /** Every inference service (model) of the environment, in config order; `services[0]` is {@link service}'s. */
  readonly services: readonly ServiceModel[];
  readonly workload: WorkloadChart;
  readonly namespace: RestrictedNamespace;
  /** The first inference service (the only one of a single-service environment). */
  readonly service: InferenceService;
  /** PromQL bound to the first service's contract and the labels its scrape produces. */
  readonly promql: PromQL;
  /** The chart `autoscaling` (the first service's). */
  readonly autoscaling: AutoscalingChart;
  /** The one autoscaler owning the first service's Deployment (the HPA or ScaledObject `scaling.mode` asks for). */
  readonly autoscaler: Autoscaler;
  /** The chart `monitoring`: the first service's scrape wiring and rule groups, and the environment's one adapter rule set. */
  readonly monitoring: MonitoringChart;
  /** What the optional sections rendered (workloads beside the inference services). */
  readonly extras: Extras;
  /** The chart `network-policy`. @default none (networkPolicy.enabled false) */
  readonly networkPolicies?: NetworkPolicies;
  /** Files written beside the charts (rule files, the scrape job), in order. */
  readonly extraFiles: readonly ExtraFile[];
  /**
   * Helm values the environment's objects need from the cluster add-ons, one typed entry per
   * add-on. infra/ merges each over its release's own values.
   */
  readonly addonValues: AddonValues;
  /**
   * Secrets the objects reference but dist/ must never contain (e.g. the RabbitMQ connection a
   * TriggerAuthentication points at). infra/ creates each from the Pulumi secret config key.
   */
  readonly requiredSecrets: readonly RequiredSecret[];

  constructor(config: EnvConfig) {
    this.config = config;
    usePlainApiObjectJson(); // the same JSON as cdk8s's own, in one copy (kube/plain-json.ts)
    this.app = new App({ outdir: "cdk8s.out" });
    const app = this.app;
    // The first service is the config itself (a test's edited copy included); the others are their views.
    const views: readonly ServiceEnvConfig[] = [config, ...(config.services ?? []).slice(1)];
    this.workload = new WorkloadChart(app, config);
    this.namespace = this.workload.restrictedNamespace;
    const parts = views.map((view, i) => {
      const workload = i === 0 ? this.workload : new ServiceWorkloadChart(app, view);
      const service = workload.service;
      const promql = new PromQL(service.contract, scrapeScope(view.monitoring.scrape, view.namespace, service.name));
      const suffix = i === 0 ? "" : `${view.service.name}-`;
      const autoscaling = new AutoscalingChart(app, { config: view, service, promql }, `${suffix}autoscaling`);
      return { view, workload, service, promql, autoscaling, suffix };
    });
    // One adapter rule set for every service, rendered by the first service's monitoring chart.
    const adapterRules = mergeAdapterRules(
      parts.map((p) => ({
        service: p.view.service.name,
        job: p.promql.scope.job,
        rules: serviceAdapterRules({ config: p.view, promql: p.promql }),
      })),
    );
    this.services = parts.map(({ view, workload, service, promql, autoscaling, suffix }, i): ServiceModel => {
      const autoscaler = autoscaling.autoscaler;
      const monitoring = new MonitoringChart(
        app,
        { config: view, service, promql, autoscaler, adapterRules: i === 0 ? adapterRules : false },
        `${suffix}monitoring`,
      );
      return {
        name: view.service.name,
        config: view,
        workload,
        service,
        promql,
        autoscaling,
        autoscaler,
        monitoring,
        charts: [workload, autoscaling, monitoring],
      };
    });
    const first = this.services[0]!;
    const others = this.services.slice(1);
    this.service = first.service;
    this.promql = first.promql;
    this.autoscaling = first.autoscaling;
    this.autoscaler = first.autoscaler;
    this.monitoring = first.monitoring;
    this.monitoring.addPeerScrapeJobs(others.flatMap((m) => m.monitoring.scrapeJobs));
    this.extras = buildExtras(app, {
      config,
      service: this.service,
      promql: this.promql,
      hpaName: this.autoscaler.hpaName,
      ...(others.length
        ? { moreServices: others.map((m) => ({ config: m.config, service: m.service, promql: m.promql, hpaName: m.autoscaler.hpaName })) }
        : {}),
    });
    const networkPolicies = buildNetworkPolicies(app, {
      config,
      service: this.service,
      extras: this.extras,
      ...(others.length ? { moreServices: others.map((m) => ({ service: m.service, metricsPort: m.config.service.metrics.port })) } : {}),
    });
    if (networkPolicies) this.networkPolicies = networkPolicies;

    this.charts = [...this.services.flatMap((m) => m.charts), ...this.extras.charts, ...(networkPolicies ? [networkPolicies.chart] : [])];
    this.extraFiles = uniquePaths([...this.services.flatMap((m) => m.monitoring.files), ...this.extras.ruleFiles.map(ruleFileOutput)]);
    this.addonValues = this.monitoring.addonValues([...others.flatMap((m) => m.monitoring.ruleFiles), ...this.extras.ruleFiles]);
    this.requiredSecrets = this.extras.requiredSecrets;
  }

  /**
   * {@link addonValues} by chart name (`prometheus-adapter` → its values): the view the checks
   * scan for credentials and Prometheus addresses, and name in their findings.
   */
  get helmValues(): Readonly<Record<string, Record<string, unknown>>> {
    return valuesByChart(this.addonValues);
  }

  /** Every Kubernetes object of every chart, resolved, in apply order. */
  objects(): Record<string, unknown>[] {
    return this.charts.flatMap((c) => c.toJson() as Record<string, unknown>[]);
  }
}

function uniquePaths(files: readonly ExtraFile[]): readonly ExtraFile[] {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two constructs write ${f.path}`);
    seen.add(f.path);
  }
  return files;
}

/**
 * Builds the environment's construct tree once the config checks (stacks/checks) pass. Synth,
 * check, simulate and the Pulumi program all build through here, so one config gets one code
 * everywhere; a construct's refusal becomes a SynthError placed in the environment.
 */
export function buildStack(config: EnvConfig): EnvironmentStack {
  throwIfErrors(runServiceConfigChecks(config));
  try {
    return new EnvironmentStack(config);
  } catch (e) {
    if (e instanceof UserError) throw refusedIn(config.name, e);
    throw e;
  }
}
