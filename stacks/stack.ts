/**
 * Composes one environment from its validated config: one cdk8s App per environment, one Chart
 * per concern (workload, autoscaling, monitoring, ...). Synth writes each chart to
 * `dist/<env>/<chart>.yaml`; Pulumi deploys the same charts' objects from memory.
 */
import { App, Chart } from "cdk8s";
import { InferenceService } from "../constructs/inference-service.js";
import { PromQL } from "../promql/metrics.js";
import { RestrictedNamespace } from "../constructs/namespace.js";
import { scrapeScope } from "../scrape/scope.js";
import type { EnvConfig } from "./config.js";
import { addAutoscaling } from "./autoscaling.js";
import { addMonitoring } from "./monitoring.js";
import { addExtras, type Extras } from "./extras.js";
import { addNetworkPolicies } from "./network-policy.js";
import { runConfigChecks } from "./checks/index.js";
import { refusedIn, throwIfErrors } from "./errors.js";
import { UserError } from "../problems/problem.js";

/** A file written beside the charts, e.g. `rules/inference-alerts.yaml`. */
export interface ExtraFile {
  readonly path: string;
  readonly content: () => string;
}

/** A Secret that must exist in the cluster, filled from Pulumi secret config, never rendered. */
export interface RequiredSecret {
  readonly namespace: string;
  readonly name: string;
  /** Key inside the Secret's data. */
  readonly key: string;
  /** Pulumi config key holding the value (`pulumi config set --secret <key> ...`). */
  readonly configKey: string;
  readonly description: string;
}

export class EnvironmentStack {
  readonly app: App;
  readonly config: EnvConfig;
  /** Charts in the order they are applied and written. */
  readonly charts: Chart[] = [];
  readonly extraFiles: ExtraFile[] = [];
  /**
   * Helm values the environment's objects need from cluster add-ons, by add-on name (e.g.
   * `prometheus-adapter` → its `rules`). infra/ passes them to the add-on's Helm release.
   */
  readonly helmValues: Record<string, Record<string, unknown>> = {};
  /**
   * Secrets the objects reference but dist/ must never contain (e.g. the RabbitMQ connection a
   * TriggerAuthentication points at). infra/ creates each from the Pulumi secret config key.
   */
  readonly requiredSecrets: RequiredSecret[] = [];
  readonly namespace: RestrictedNamespace;
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and the labels its scrape produces. */
  readonly promql: PromQL;
  /** What the optional sections rendered (workloads beside the inference service). */
  readonly extras: Extras;

  constructor(config: EnvConfig) {
    this.config = config;
    this.app = new App({ outdir: "cdk8s.out" });
    const { service: svc, scaling, monitoring } = config;

    const workload = this.addChart("workload");
    this.namespace = new RestrictedNamespace(workload, "Namespace", {
      name: config.namespace,
      labels: { "app.kubernetes.io/part-of": svc.partOf, environment: config.name },
      quota: config.capacity,
    });
    const contract = { port: svc.metrics.port, portName: svc.metrics.portName, path: svc.metrics.path, metrics: svc.metrics.metrics };
    this.service = new InferenceService(workload, "Inference", {
      namespace: config.namespace,
      identity: { name: svc.name, instance: `${svc.name}-${config.name}`, component: svc.component, partOf: svc.partOf },
      image: svc.image,
      replicas: scaling.minReplicas,
      port: svc.port,
      metrics: contract,
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
    this.promql = new PromQL(contract, scrapeScope(monitoring.scrape, config.namespace, svc.name));
    addAutoscaling(this);
    addMonitoring(this);
    this.extras = addExtras(this);
    addNetworkPolicies(this);
  }

  /** A new chart named `name` (its file is `dist/<env>/<name>.yaml`). */
  addChart(name: string): Chart {
    const chart = new Chart(this.app, name, { disableResourceNameHashes: true });
    this.charts.push(chart);
    return chart;
  }

  addFile(path: string, content: () => string): void {
    if (this.extraFiles.some((f) => f.path === path)) throw new Error(`two constructs write ${path}`);
    this.extraFiles.push({ path, content });
  }

  /** Every Kubernetes object of every chart, resolved, in apply order. */
  objects(): Record<string, unknown>[] {
    return this.charts.flatMap((c) => c.toJson() as Record<string, unknown>[]);
  }
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
