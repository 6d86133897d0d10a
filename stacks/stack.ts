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
import type { EnvConfig } from "./config.js";
import { AutoscalingChart, type Autoscaler } from "./autoscaling.js";
import { EnvChart, type ExtraFile, type RequiredSecret } from "./env-chart.js";
import { MonitoringChart } from "./monitoring.js";
import { buildExtras, type Extras } from "./extras.js";
import { buildNetworkPolicies, type NetworkPolicies } from "./network-policy.js";
import { ruleFileOutput } from "./workload-monitoring.js";
import { runConfigChecks } from "./checks/index.js";
import { refusedIn, throwIfErrors } from "./errors.js";
import { UserError } from "../problems/problem.js";

export type { ExtraFile, RequiredSecret } from "./env-chart.js";

/** The chart `workload`: the namespace and the inference service. */
export class WorkloadChart extends EnvChart {
  readonly restrictedNamespace: RestrictedNamespace;
  readonly service: InferenceService;

  constructor(scope: App, config: EnvConfig) {
    super(scope, "workload");
    const { service: svc, scaling, monitoring } = config;
    this.restrictedNamespace = new RestrictedNamespace(this, "Namespace", {
      name: config.namespace,
      labels: { "app.kubernetes.io/part-of": svc.partOf, environment: config.name },
      quota: config.capacity,
    });
    this.service = new InferenceService(this, "Inference", {
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
}

export class EnvironmentStack {
  readonly app: App;
  readonly config: EnvConfig;
  /** Charts in the order they are applied and written. */
  readonly charts: readonly Chart[];
  readonly workload: WorkloadChart;
  readonly namespace: RestrictedNamespace;
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and the labels its scrape produces. */
  readonly promql: PromQL;
  /** The chart `autoscaling`. */
  readonly autoscaling: AutoscalingChart;
  /** The one autoscaler owning the service's Deployment (the HPA or ScaledObject `scaling.mode` asks for). */
  readonly autoscaler: Autoscaler;
  /** The chart `monitoring`: scrape wiring, rule groups, adapter rules. */
  readonly monitoring: MonitoringChart;
  /** What the optional sections rendered (workloads beside the inference service). */
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
    this.app = new App({ outdir: "cdk8s.out" });
    const app = this.app;
    this.workload = new WorkloadChart(app, config);
    this.namespace = this.workload.restrictedNamespace;
    const service = (this.service = this.workload.service);
    const promql = (this.promql = new PromQL(service.contract, scrapeScope(config.monitoring.scrape, config.namespace, service.name)));
    this.autoscaling = new AutoscalingChart(app, { config, service, promql });
    this.autoscaler = this.autoscaling.autoscaler;
    this.monitoring = new MonitoringChart(app, { config, service, promql, autoscaler: this.autoscaler });
    this.extras = buildExtras(app, { config, service, promql, hpaName: this.autoscaler.hpaName });
    const networkPolicies = buildNetworkPolicies(app, { config, service, extras: this.extras });
    if (networkPolicies) this.networkPolicies = networkPolicies;

    this.charts = [
      this.workload,
      this.autoscaling,
      this.monitoring,
      ...this.extras.charts,
      ...(networkPolicies ? [networkPolicies.chart] : []),
    ];
    this.extraFiles = uniquePaths([...this.monitoring.files, ...this.extras.ruleFiles.map(ruleFileOutput)]);
    this.addonValues = this.monitoring.addonValues(this.extras.ruleFiles);
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
  throwIfErrors(runConfigChecks(config));
  try {
    return new EnvironmentStack(config);
  } catch (e) {
    if (e instanceof UserError) throw refusedIn(config.name, e);
    throw e;
  }
}
