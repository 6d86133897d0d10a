/**
 * How any workload of an environment is monitored, the same way for the inference service
 * (stacks/monitoring.ts) and the workloads beside it (stacks/extras.ts): its ServiceMonitor, and
 * each of its rule groups as a PrometheusRule (Prometheus Operator) plus a plain rule file.
 */
import type { Construct } from "constructs";
import type { InferenceService } from "../constructs/inference-service.js";
import { checkRuleGroup, PrometheusRule, ruleFileYaml, type RuleGroup } from "../constructs/prometheus-rule.js";
import { ServiceMonitor } from "../constructs/service-monitor.js";
import { standardLabels } from "../kube/labels.js";
import type { EnvConfig } from "./config.js";
import { GENERATED_HEADER, type ExtraFile } from "./env-chart.js";

/** A rule group written to `dist/<env>/rules/<group>.yaml` (and, with the operator, a PrometheusRule). */
export interface RuleFile {
  /** Path relative to dist/<env>/, `rules/<group>.yaml`. */
  readonly path: string;
  readonly group: RuleGroup;
  /** The PrometheusRule carrying the group (cluster.prometheusOperator). @default none */
  readonly prometheusRule?: PrometheusRule;
}

/**
 * The labels a ServiceMonitor or PrometheusRule of the workload carries: its standard labels, and
 * `monitoring.selectorLabels` over them, since the Prometheus selects on those (a standard label of
 * the same name must not make the object invisible to it).
 */
export function selectableLabels(config: EnvConfig, labels: Readonly<Record<string, string>>): Record<string, string> {
  return { ...labels, ...config.monitoring.selectorLabels };
}

/**
 * Checks `group` and renders it: a PrometheusRule in `scope` where the cluster runs the Prometheus
 * Operator (labelled for the Prometheus' ruleSelector), and the plain rule file always.
 */
export function renderRuleFile(scope: Construct, config: EnvConfig, group: RuleGroup, labels: Readonly<Record<string, string>>): RuleFile {
  checkRuleGroup(group);
  const path = `rules/${group.name}.yaml`;
  if (!config.cluster.prometheusOperator) return { path, group };
  const prometheusRule = new PrometheusRule(scope, `Rule-${group.name}`, {
    name: group.name,
    namespace: config.namespace,
    labels: selectableLabels(config, labels),
    groups: [group],
  });
  return { path, group, prometheusRule };
}

/** The rule file as a file synth writes beside the charts. */
export function ruleFileOutput(file: RuleFile): ExtraFile {
  return { path: file.path, content: () => ruleFileYaml([file.group], GENERATED_HEADER) };
}

/** The ServiceMonitor scraping `workload`'s metrics port (scrape `service-monitor`). */
export function serviceMonitorFor(scope: Construct, config: EnvConfig, workload: InferenceService): ServiceMonitor {
  const contract = workload.contract;
  return new ServiceMonitor(scope, "ServiceMonitor", {
    serviceName: workload.name,
    namespace: workload.namespace,
    labels: selectableLabels(config, standardLabels(workload.identity)),
    serviceSelector: workload.selector,
    portName: contract.portName,
    port: contract.port,
    path: contract.path,
    intervalSeconds: config.monitoring.scrapeIntervalSeconds,
    exposedLabels: [...new Set(contract.metrics.flatMap((m) => m.labels))],
  });
}
