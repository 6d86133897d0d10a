/**
 * The plain-Prometheus scrape job for the inference pods (no Prometheus Operator): a
 * `kubernetes_sd_configs` pod-role job, limited to the service's namespace, keeping only pods
 * with the service's app labels that opt in with `prometheus.io/scrape: "true"`, and only their
 * named metrics port. It is rendered as a `scrape_configs` fragment (a file beside the charts and
 * the prometheus chart's `extraScrapeConfigs` value), and is the {@link ScrapeModel} of that scrape.
 *
 * The job is named `<namespace>/<service>` ({@link scrapeScope}), distinct from the chart's generic
 * `kubernetes-pods` job that would scrape the same annotated pods: queries scope on this job, so
 * nothing is counted twice, and the Prometheus the Pulumi program installs has that generic job
 * off (prometheus chart `scrapeConfigs.kubernetes-pods.enabled: false`), so nothing is stored twice. No `endpoint` target label is added, so the service's own `endpoint`
 * label (the HTTP path) is stored unchanged; `honor_labels` stays false, so a pod cannot
 * overwrite `namespace`, `job` or `pod`.
 */
import { InvariantError } from "../problems/problem.js";
import { Construct } from "constructs";
import { yamlText } from "../kube/yaml-text.js";
import { formatDuration } from "../promql/metrics.js";
import { rendered } from "../kube/rendered-text.js";
import {
  discoveredTarget,
  podAnnotationMeta,
  podDiscoveryLabels,
  podLabelMeta,
  regexEscape,
  type PodTarget,
  type RelabelRule,
  type ScrapeBehavior,
  type ScrapeModel,
  toPrometheusRelabelConfigs,
} from "../scrape/relabeling.js";
import { scrapeScope } from "../scrape/scope.js";

export interface PodScrapeJobProps {
  readonly namespace: string;
  readonly serviceName: string;
  /** Pod labels that identify the service's pods (all must match). */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Name of the container port serving metrics. */
  readonly portName: string;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default 15 */
  readonly intervalSeconds?: number;
}

/** The scrape interval (default 15 s), refused unless a whole number of seconds ≥ 1; `what` names the job. */
export function checkedScrapeInterval(what: string, intervalSeconds = 15): number {
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) {
    throw new InvariantError(`${what}: interval ${intervalSeconds}s must be a whole number of seconds ≥ 1`);
  }
  return intervalSeconds;
}

/** A `scrape_configs` entry discovering pods of one namespace (timeout min(interval, 10 s)). */
export function podRoleScrapeConfig(
  job: string,
  namespace: string,
  intervalSeconds: number,
  relabelRules: readonly RelabelRule[],
  path = "/metrics",
): Readonly<Record<string, unknown>> {
  return {
    job_name: job,
    scrape_interval: formatDuration(intervalSeconds),
    scrape_timeout: formatDuration(Math.min(intervalSeconds, 10)),
    metrics_path: path,
    scheme: "http",
    honor_labels: false,
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
    relabel_configs: toPrometheusRelabelConfigs(relabelRules),
  };
}

export class PodScrapeJob extends Construct implements ScrapeModel {
  /** `<namespace>/<service>`, as {@link scrapeScope} says for `pod-annotations`. */
  readonly job: string;
  readonly behavior: ScrapeBehavior = { honorLabels: false, metricRelabel: [] };
  /** Target relabeling, in order. */
  readonly relabelRules: readonly RelabelRule[];
  /** The `scrape_configs` entry. */
  readonly config: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: PodScrapeJobProps) {
    super(scope, id);
    const intervalSeconds = checkedScrapeInterval(`scrape job for ${props.namespace}/${props.serviceName}`, props.intervalSeconds);
    const selector = Object.entries(props.podSelector).sort(([a], [b]) => a.localeCompare(b));
    if (selector.length === 0) {
      throw new InvariantError(
        `scrape job for ${props.namespace}/${props.serviceName}: an empty pod selector would scrape every annotated pod in the namespace`,
      );
    }
    this.job = scrapeScope("pod-annotations", props.namespace, props.serviceName).job;
    this.relabelRules = [
      // Only the service's pods ("keep on the app label")...
      { sourceLabels: selector.map(([k]) => podLabelMeta(k)), regex: selector.map(([, v]) => regexEscape(v)).join(";"), action: "keep" },
      // ...that opt in to scraping...
      { sourceLabels: [podAnnotationMeta("prometheus.io/scrape")], regex: "true", action: "keep" },
      // ...and only their metrics port (the address kubernetes_sd gives that port: podIP:port).
      { sourceLabels: ["__meta_kubernetes_pod_container_port_name"], regex: regexEscape(props.portName), action: "keep" },
      { sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace", action: "replace" },
      { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod", action: "replace" },
      { sourceLabels: ["__meta_kubernetes_pod_container_name"], targetLabel: "container", action: "replace" },
      // Pod discovery knows no Service; the label queries and dashboards share with the
      // ServiceMonitor scrape is set to the service's name.
      { targetLabel: "service", replacement: props.serviceName, action: "replace" },
    ];
    this.config = podRoleScrapeConfig(this.job, props.namespace, intervalSeconds, this.relabelRules, props.path);
  }

  /** Target labels of `pod`'s port after relabeling, or undefined when the job drops it. */
  targetLabels(pod: PodTarget): Record<string, string> | undefined {
    return discoveredTarget(this.job, podDiscoveryLabels(pod), this.relabelRules);
  }

  /** `scrape_configs:` YAML with this job and `more` (a fragment of prometheus.yml). */
  toYaml(header = "", more: readonly Readonly<Record<string, unknown>>[] = []): string {
    const data = { scrape_configs: [this.config, ...more] };
    return rendered(header + yamlText(data), data);
  }

  /** This job and `more` as YAML list text, the shape of the prometheus chart's `extraScrapeConfigs`. */
  extraScrapeConfigs(more: readonly Readonly<Record<string, unknown>>[] = []): string {
    const data = [this.config, ...more];
    return rendered(yamlText(data), data);
  }
}
