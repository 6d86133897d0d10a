/**
 * The Helm values an environment's objects need from the cluster add-ons, one typed interface per
 * add-on chart. The monitoring concern derives them (stacks/monitoring.ts); infra/ merges each over
 * its release's own values (infra/cluster-addons.ts); the checks scan them by chart name
 * ({@link valuesByChart}) for credentials and Prometheus addresses.
 */
import type { AdapterRule } from "../constructs/prometheus-adapter.js";
import { isAlertingRule, renderRuleGroup, type RuleGroup } from "../constructs/prometheus-rule.js";

/** prometheus-adapter (chart 5.x): its rules and the Prometheus it queries. */
export interface PrometheusAdapterValues {
  /** The generated rules only: `default: false` keeps the chart's expose-everything rules off. */
  readonly rules: { readonly default: false; readonly custom: readonly AdapterRule[]; readonly external: readonly AdapterRule[] };
  /** The environment's Prometheus as the chart wants it: scheme and host, port, path prefix. */
  readonly prometheus: { readonly url: string; readonly port: number; readonly path: string };
}

/** One rule file of the plain prometheus chart's `serverFiles`. */
export interface RuleFileValues {
  readonly groups: readonly Record<string, unknown>[];
}

/** The plain `prometheus` chart (no operator): the service's scrape job and every rule group. */
export interface PrometheusValues {
  /**
   * The environment's `scrape_configs` jobs as YAML list text (the chart's value is a string).
   * @default none (scrape `service-monitor` renders no job)
   */
  readonly extraScrapeConfigs?: string;
  readonly serverFiles: { readonly "recording_rules.yml": RuleFileValues; readonly "alerting_rules.yml": RuleFileValues };
}

/** kube-prometheus-stack: the `scrape_configs` jobs the operator's Prometheus cannot get from a ServiceMonitor. */
export interface KubePrometheusStackValues {
  readonly prometheus: { readonly prometheusSpec: { readonly additionalScrapeConfigs: readonly Readonly<Record<string, unknown>>[] } };
}

/** What the environment contributes to each add-on's values; an add-on it needs nothing from is absent. */
export interface AddonValues {
  /** @default absent (operator Prometheus without pod-annotation jobs) */
  readonly kubePrometheusStack?: KubePrometheusStackValues;
  /** @default absent (the Prometheus Operator is used) */
  readonly prometheus?: PrometheusValues;
  /** @default absent (the environment renders no adapter rules) */
  readonly prometheusAdapter?: PrometheusAdapterValues;
}

/** The chart each add-on's values are for. */
export const ADDON_CHART = {
  kubePrometheusStack: "kube-prometheus-stack",
  prometheus: "prometheus",
  prometheusAdapter: "prometheus-adapter",
} as const satisfies Record<keyof AddonValues, string>;

/** The values by chart name (`prometheus-adapter` → its values): the view the checks scan and name. */
export function valuesByChart(values: AddonValues): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const key of Object.keys(ADDON_CHART) as (keyof AddonValues)[]) {
    const v = values[key];
    if (v !== undefined) out[ADDON_CHART[key]] = v as unknown as Record<string, unknown>;
  }
  return out;
}

/** The plain prometheus chart's values: `groups` split into its recording and alerting rule files. */
export function plainPrometheusValues(groups: readonly RuleGroup[], extraScrapeConfigs: string | undefined): PrometheusValues {
  const isAlertGroup = (g: RuleGroup) => g.rules.some(isAlertingRule);
  return {
    ...(extraScrapeConfigs !== undefined ? { extraScrapeConfigs } : {}),
    serverFiles: {
      "recording_rules.yml": { groups: groups.filter((g) => !isAlertGroup(g)).map(renderRuleGroup) },
      "alerting_rules.yml": { groups: groups.filter(isAlertGroup).map(renderRuleGroup) },
    },
  };
}
