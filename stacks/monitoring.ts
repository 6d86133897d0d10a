/**
 * The environment's monitoring, composed from its config: scrape wiring (ServiceMonitor or a
 * kubernetes_sd pod job), prometheus-adapter rules, recording rules, alerts and SLO rules.
 *
 * Output, per environment:
 * - chart `monitoring` (dist/<env>/monitoring.yaml): the ServiceMonitor (scrape
 *   `service-monitor`), one PrometheusRule per rule group (cluster.prometheusOperator), and the
 *   prometheus-adapter ConfigMap (`config.yaml`) in the Prometheus namespace;
 * - dist/<env>/rules/<group>.yaml: every rule group as a plain Prometheus rule file (always);
 * - dist/<env>/prometheus/scrape-config.yaml: the `scrape_configs` job (scrape `pod-annotations`);
 * - add-on values ({@link MonitoringChart.addonValues}): `prometheusAdapter` (chart `rules`, default
 *   rules off, Prometheus URL); for plain Prometheus `prometheus` (`extraScrapeConfigs`,
 *   `serverFiles` rule files, with the rule groups of the workloads beside the service); with the
 *   operator but pod-annotations scraping, `kubePrometheusStack` `additionalScrapeConfigs`.
 */
import type { Construct } from "constructs";
import { inferenceAlertRules, type InferenceAlerts } from "../rules/alert-rules.js";
import { standardLabels } from "../kube/labels.js";
import type { PromQL } from "../promql/metrics.js";
import { PlatformMetrics } from "../promql/platform-metrics.js";
import { adapterHelmValues, PrometheusAdapterConfig, prometheusAdapterRules, type AdapterRules } from "../constructs/prometheus-adapter.js";
import type { PrometheusRule, RuleGroup } from "../constructs/prometheus-rule.js";
import type { InferenceService } from "../constructs/inference-service.js";
import { inferenceRecordingRules, type InferenceRecordings } from "../rules/recording-rules.js";
import { PodScrapeJob } from "../constructs/scrape-config.js";
import { WakeUpScrapeJob } from "../constructs/wake-up-scrape-job.js";
import type { ScrapeModel } from "../scrape/relabeling.js";
import type { ServiceMonitor } from "../constructs/service-monitor.js";
import { sloRules, type SloRuleSet } from "../rules/slo-rules.js";
import { plainPrometheusValues, type AddonValues, type KubePrometheusStackValues, type PrometheusAdapterValues } from "./addon-values.js";
import type { Autoscaler } from "./autoscaling.js";
import type { EnvConfig } from "./config.js";
import { EnvChart, GENERATED_HEADER, type ExtraFile } from "./env-chart.js";
import { prometheusAddress } from "./naming.js";
import { stableJson } from "../kube/stable-json.js";
import { adapterBurstWindow } from "./scaling-signals.js";
import { renderRuleFile, ruleFileOutput, serviceMonitorFor, type RuleFile } from "./workload-monitoring.js";

export type { RuleFile } from "./workload-monitoring.js";

/** What the monitoring concern needs: the config, the service, its queries and its autoscaler. */
export interface MonitoringProps {
  readonly config: EnvConfig;
  /** The inference service to scrape and alert on. */
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and the labels its scrape produces. */
  readonly promql: PromQL;
  /** The autoscaler the alerts and platform queries watch (its object and the HPA that runs). */
  readonly autoscaler: Pick<Autoscaler, "kind" | "name" | "hpaName">;
  /**
   * The environment's one prometheus-adapter rule set (every service's, merged), rendered by this
   * chart; `false`: another service's monitoring chart renders it.
   * @default this service's own rules
   */
  readonly adapterRules?: AdapterRules | false;
}

/** How the service is scraped: one of the two wirings, plus the wake-up source's job. */
interface ScrapeWiring {
  readonly scrape: ScrapeModel;
  readonly serviceMonitor?: ServiceMonitor;
  readonly scrapeJob?: PodScrapeJob;
  /** `scrape_configs` jobs beside the service's (the wake-up source's, scraped by this env). */
  readonly extraJobs: readonly Readonly<Record<string, unknown>>[];
}

/** The rule groups of the service, in the order they are written. */
interface ServiceRules {
  readonly platform: PlatformMetrics;
  readonly recordings: InferenceRecordings;
  readonly alerts: InferenceAlerts;
  readonly slos: readonly SloRuleSet[];
}

/** The prometheus-adapter chart's `prometheus.{url,port,path}` for the environment's Prometheus. */
function adapterPrometheusValues(config: EnvConfig): { url: string; port: number; path: string } {
  const u = new URL(prometheusAddress(config));
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  return { url: `${u.protocol}//${u.hostname}`, port, path: u.pathname === "/" ? "" : u.pathname };
}

/**
 * The chart `monitoring`: the service's scrape wiring, its rule groups and the prometheus-adapter
 * rules, with the files and add-on values they need beside the chart.
 */
export class MonitoringChart extends EnvChart {
  /** The scrape in use: what labels the service's series are stored with. */
  readonly scrape: ScrapeModel;
  /** The ServiceMonitor (scrape `service-monitor`). @default none */
  readonly serviceMonitor?: ServiceMonitor;
  /** The kubernetes_sd pod job (scrape `pod-annotations`). @default none */
  readonly scrapeJob?: PodScrapeJob;
  readonly platform: PlatformMetrics;
  readonly recordings: InferenceRecordings;
  readonly alerts: InferenceAlerts;
  readonly slos: readonly SloRuleSet[];
  readonly adapterRules: AdapterRules;
  readonly ruleFiles: readonly RuleFile[];
  readonly prometheusRules: readonly PrometheusRule[];
  /** Files beside the charts: the scrape job (pod-annotations), then the rule files. */
  readonly files: readonly ExtraFile[];
  private readonly config: EnvConfig;
  private readonly wiring: ScrapeWiring;

  /** Scrape jobs of the environment's other services (scrape `pod-annotations`), written with this chart's. */
  private readonly peerJobs: Readonly<Record<string, unknown>>[] = [];

  /** `chartName`: the file the chart is written to (`<service>-monitoring` for the services after the first). */
  constructor(scope: Construct, props: MonitoringProps, chartName = "monitoring") {
    super(scope, chartName);
    const { config, service } = props;
    this.config = config;
    const labels = standardLabels(service.identity);
    this.wiring = this.scrapeWiring(props);
    this.scrape = this.wiring.scrape;
    if (this.wiring.serviceMonitor) this.serviceMonitor = this.wiring.serviceMonitor;
    if (this.wiring.scrapeJob) this.scrapeJob = this.wiring.scrapeJob;

    const rules = serviceRules(props);
    this.platform = rules.platform;
    this.recordings = rules.recordings;
    this.alerts = rules.alerts;
    this.slos = rules.slos;
    const groups: RuleGroup[] = [
      rules.recordings.group,
      rules.alerts.group,
      ...rules.slos.flatMap((s) => [s.sliGroup, s.metaGroup, s.alertGroup]),
    ];
    this.ruleFiles = groups.map((group) => renderRuleFile(this, config, group, labels));
    this.prometheusRules = this.ruleFiles.flatMap((f) => (f.prometheusRule ? [f.prometheusRule] : []));

    this.adapterRules = props.adapterRules === false ? serviceAdapterRules(props) : this.adapterConfig(props, labels, props.adapterRules);
    const job = props.adapterRules === false ? undefined : this.scrapeJob;
    this.files = [
      ...(job ? [{ path: "prometheus/scrape-config.yaml", content: () => job.toYaml(GENERATED_HEADER, this.allExtraJobs()) }] : []),
      ...this.ruleFiles.map(ruleFileOutput),
    ];
  }

  /** Adds the other services' scrape jobs (scrape `pod-annotations`) to this chart's scrape file and add-on values. */
  addPeerScrapeJobs(jobs: readonly Readonly<Record<string, unknown>>[]): void {
    this.peerJobs.push(...jobs);
  }

  /**
   * The jobs beside this service's own: the wake-up source's, then the other services'. Services
   * that wake up on one gateway bring the same job: it is scraped once (Prometheus refuses two
   * jobs with one job_name; two different ones are refused by the config checks first).
   */
  private allExtraJobs(): readonly Readonly<Record<string, unknown>>[] {
    return uniqueScrapeJobs([...this.wiring.extraJobs, ...this.peerJobs], this.scrapeJob?.config);
  }

  /** The scrape_configs jobs this service brings (its pod job and its wake-up source's). */
  get scrapeJobs(): readonly Readonly<Record<string, unknown>>[] {
    return [...(this.scrapeJob ? [this.scrapeJob.config] : []), ...this.wiring.extraJobs];
  }

  /**
   * The add-on values the environment needs, with the rule files of the workloads beside the
   * service (`besides`), which the plain Prometheus loads from the same `serverFiles`.
   */
  addonValues(besides: readonly RuleFile[] = []): AddonValues {
    const { cluster } = this.config;
    const job = this.scrapeJob;
    const additional = [...(job ? [job.config] : []), ...this.allExtraJobs()];
    const kubePrometheusStack: KubePrometheusStackValues | undefined =
      cluster.prometheusOperator && additional.length > 0
        ? { prometheus: { prometheusSpec: { additionalScrapeConfigs: additional } } }
        : undefined;
    const groups = [...this.ruleFiles, ...besides].map((f) => f.group);
    const prometheusAdapter: PrometheusAdapterValues = {
      ...adapterHelmValues(this.adapterRules),
      prometheus: adapterPrometheusValues(this.config),
    };
    return {
      ...(kubePrometheusStack ? { kubePrometheusStack } : {}),
      ...(cluster.prometheusOperator ? {} : { prometheus: plainPrometheusValues(groups, job?.extraScrapeConfigs(this.allExtraJobs())) }),
      prometheusAdapter,
    };
  }

  /**
   * Scrape wiring. The wake-up source's own job (scaling.wakeUp.source.scrapedBy this-env) rides
   * along with the service's: the same Prometheus stores the series the wake-up trigger reads.
   */
  private scrapeWiring(props: MonitoringProps): ScrapeWiring {
    const { config, service: svc, promql } = props;
    const { monitoring } = config;
    const wakeSource = config.scaling.wakeUp?.source;
    const wakeUpJob =
      // A job named like the service's would be a duplicate job_name Prometheus refuses: not
      // rendered, so WAKEUP_SOURCE_NOT_SCRAPED reports the source (the service's job does not reach it).
      wakeSource?.scrapedBy === "this-env" && wakeSource.job !== promql.scope.job
        ? new WakeUpScrapeJob(this, "WakeUpScrapeJob", {
            job: wakeSource.job,
            namespace: wakeSource.namespace,
            podLabels: wakeSource.podLabels,
            intervalSeconds: monitoring.scrapeIntervalSeconds,
          })
        : undefined;
    const extraJobs = wakeUpJob ? [wakeUpJob.config] : [];
    let wiring: ScrapeWiring;
    if (monitoring.scrape === "service-monitor") {
      const serviceMonitor = serviceMonitorFor(this, config, svc);
      wiring = { scrape: serviceMonitor, serviceMonitor, extraJobs };
    } else {
      const scrapeJob = new PodScrapeJob(this, "ScrapeJob", {
        namespace: svc.namespace,
        serviceName: svc.name,
        podSelector: svc.selector,
        portName: svc.contract.portName,
        path: svc.contract.path,
        intervalSeconds: monitoring.scrapeIntervalSeconds,
      });
      wiring = { scrape: scrapeJob, scrapeJob, extraJobs };
    }
    if (wiring.scrape.job !== promql.scope.job) {
      throw new Error(`scrape job "${wiring.scrape.job}" differs from the job queries scope on ("${promql.scope.job}")`);
    }
    return wiring;
  }

  /** prometheus-adapter: custom metrics always, external only where KEDA does not serve them. */
  private adapterConfig(props: MonitoringProps, labels: Readonly<Record<string, string>>, shared: AdapterRules | undefined): AdapterRules {
    const { config, service: svc } = props;
    const adapterRules = shared ?? serviceAdapterRules(props);
    // For clusters applying dist/ with kubectl or GitOps: install the adapter chart (5.3.0) with
    // `rules.existing=<this name>`, which only swaps the mounted ConfigMap: the chart still creates
    // the custom.metrics.k8s.io APIService only with `rules.default: true` (its default) or a
    // non-empty `rules.custom`, and external.metrics.k8s.io only with a non-empty `rules.external`
    // (where these rules have external ones, i.e. cluster.keda is false), plus `prometheus.url`/`port`
    // as adapterPrometheusValues gives them (docs/monitoring.md "Adapter without Pulumi", per environment). The
    // env's name keeps two environments sharing a cluster (and so this namespace) from overwriting
    // each other's ConfigMap. infra/ passes the same rules as values.
    new PrometheusAdapterConfig(this, "PrometheusAdapter", {
      name: `${svc.name}-${config.name}-prometheus-adapter`,
      namespace: config.monitoring.prometheus.namespace,
      labels,
      rules: adapterRules,
    });
    return adapterRules;
  }
}

/** `jobs` without repeats (by job_name, and none named like `own`); two different jobs with one name are a bug upstream. */
export function uniqueScrapeJobs(
  jobs: readonly Readonly<Record<string, unknown>>[],
  own?: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>>[] {
  const byName = new Map<unknown, Readonly<Record<string, unknown>>>(own ? [[own.job_name, own]] : []);
  const out: Readonly<Record<string, unknown>>[] = [];
  for (const job of jobs) {
    const seen = byName.get(job.job_name);
    if (seen === undefined) {
      byName.set(job.job_name, job);
      out.push(job);
    } else if (stableJson(seen) !== stableJson(job)) {
      throw new Error(`two different scrape jobs are named ${String(job.job_name)}`);
    }
  }
  return out;
}

/** One service's prometheus-adapter rules (custom always, external only where KEDA does not serve them). */
export function serviceAdapterRules(props: Pick<MonitoringProps, "config" | "promql">): AdapterRules {
  const { config, promql } = props;
  return prometheusAdapterRules({
    promql,
    endpoint: config.scaling.endpoint,
    window: config.monitoring.queryWindow,
    external: !config.cluster.keda,
    ...adapterBurstWindow(config),
  });
}

function serviceRules(props: MonitoringProps): ServiceRules {
  const { config, service: svc, promql, autoscaler } = props;
  const { monitoring, scaling, cluster } = config;
  const endpoint = scaling.endpoint;
  const window = monitoring.queryWindow;
  const platform = new PlatformMetrics({
    flavor: cluster.prometheusOperator ? "operator" : "plain",
    namespace: config.namespace,
    serviceScope: promql.scope,
    scaledObject: autoscaler.name,
    hpa: autoscaler.hpaName,
  });
  const recordings = inferenceRecordingRules({ promql, endpoint, window, groupName: `${svc.name}-recording` });
  const canScaleToZero = scaling.minReplicas === 0 || (scaling.mode === "keda" && scaling.keda.idleReplicaCount !== undefined);
  const alerts = inferenceAlertRules({
    groupName: `${svc.name}-alerts`,
    namespace: config.namespace,
    endpoint,
    promql,
    recordings,
    platform,
    thresholds: {
      p95LatencySeconds: monitoring.alerts.p95LatencySeconds,
      errorRatio: monitoring.alerts.errorRatio,
      queueBacklog: monitoring.alerts.queueBacklog,
    },
    runbookBaseUrl: monitoring.alerts.runbookBaseUrl,
    autoscaler: {
      mode: autoscaler.kind === "ScaledObject" ? "keda" : "hpa",
      hpaName: autoscaler.hpaName,
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      scaledObject: autoscaler.name,
    },
    expectTargets: !canScaleToZero,
  });
  const slos = sloRules({
    service: svc.name,
    promql,
    period: config.slo.period,
    endpoint,
    availability: config.slo.availability,
    latency: config.slo.latency,
    runbookBaseUrl: monitoring.alerts.runbookBaseUrl,
  });
  return { platform, recordings, alerts, slos };
}
