/**
 * Scrape and KEDA health alerts for the workloads beside the inference service (the orchestrator,
 * the GPU server, queue workers): the same protection the service's own alert group gives it
 * (InferenceTargetDown, InferenceKedaUnhealthy), so a lost scrape or a failing trigger of any
 * ScaledObject pages someone instead of erroring silently into the fallback.
 *
 * One group per workload; every alert carries the `workload` label, `severity`, `summary`,
 * `description` and `runbook_url` = `<runbookBaseUrl>#<AlertName>`.
 */
import { ContractError, type ScrapeScope } from "../promql/metrics.js";
import { PLATFORM_METRIC, PlatformMetrics, type PrometheusFlavor } from "../promql/platform-metrics.js";
import type { AlertingRule, RuleGroup } from "../constructs/prometheus-rule.js";
import { kedaHpaName } from "../scaling/autoscaler-common.js";

/** Alert names (stable: runbook anchors and routes refer to them). */
export const WORKLOAD_ALERT = {
  targetDown: "InferenceWorkloadTargetDown",
  kedaUnhealthy: "InferenceWorkloadKedaUnhealthy",
} as const;

/** How long each condition must hold: as the service's own TargetDown and KedaUnhealthy. */
export const WORKLOAD_ALERT_FOR = { targetDown: "5m", kedaUnhealthy: "2m" } as const;

/** rate() window of the KEDA error counter: a few polling intervals. */
const KEDA_ERROR_WINDOW = "5m";

export interface WorkloadAlertsProps {
  /** The workload's name (its Deployment, Service and ScaledObject name); the `workload` label. */
  readonly workload: string;
  /** What it is, for the texts, e.g. "the orchestrator". */
  readonly description: string;
  readonly namespace: string;
  /** How Prometheus is installed (decides the KEDA series' namespace label). */
  readonly flavor: PrometheusFlavor;
  readonly runbookBaseUrl: string;
  /** The scrape scope of its metrics; undefined when Prometheus does not scrape it. @default not scraped */
  readonly scrape?: ScrapeScope;
  /** It always runs a pod, so no target at all is an outage too. False when it may scale to zero. */
  readonly expectTargets: boolean;
  /** Its ScaledObject's name. @default none */
  readonly scaledObject?: string;
}

export interface WorkloadAlerts {
  readonly group: RuleGroup;
  readonly alerts: readonly AlertingRule[];
}

export function workloadAlertRules(props: WorkloadAlertsProps): WorkloadAlerts {
  const { workload, namespace } = props;
  if (!props.scrape && !props.scaledObject)
    throw new ContractError(`workload ${workload} is neither scraped nor KEDA-scaled: there is nothing to alert on`);
  const platform = new PlatformMetrics({
    flavor: props.flavor,
    namespace,
    serviceScope: props.scrape ?? { namespace, job: workload },
    scaledObject: props.scaledObject ?? workload,
    hpa: kedaHpaName(props.scaledObject ?? workload),
  });
  const alert = (name: string, forDuration: string, expr: string, summary: string, description: string): AlertingRule => ({
    alert: name,
    expr,
    for: forDuration,
    // The KEDA series' namespace label is KEDA's own (or exported_namespace): route on the workload's.
    labels: { severity: "warning", namespace, workload },
    annotations: { summary, description, runbook_url: `${props.runbookBaseUrl}#${name}` },
  });
  const alerts: AlertingRule[] = [];
  if (props.scrape) {
    const up = platform.up.selector(PLATFORM_METRIC.up);
    alerts.push(
      alert(
        WORKLOAD_ALERT.targetDown,
        WORKLOAD_ALERT_FOR.targetDown,
        props.expectTargets ? `${up} == 0\nor\nabsent(${up})` : `${up} == 0`,
        `Prometheus cannot scrape ${props.description}`,
        `Prometheus cannot scrape ${workload} (job {{ $labels.job }}) in ${namespace}{{ with $labels.pod }} (pod {{ . }}){{ else }} (no target found){{ end }} for ${WORKLOAD_ALERT_FOR.targetDown}: its KEDA trigger answers nothing, so it scales on the fallback replica count.`,
      ),
    );
  }
  if (props.scaledObject) {
    alerts.push(
      alert(
        WORKLOAD_ALERT.kedaUnhealthy,
        WORKLOAD_ALERT_FOR.kedaUnhealthy,
        `${platform.keda.sumRate(PLATFORM_METRIC.kedaScaledObjectErrors, "", {}, KEDA_ERROR_WINDOW, ["scaledObject"])} > 0`,
        `KEDA fails to evaluate ScaledObject ${props.scaledObject}`,
        `KEDA reports {{ printf "%.2f" $value }} errors/s for ScaledObject {{ $labels.scaledObject }} (${props.description}) in ${namespace} for ${WORKLOAD_ALERT_FOR.kedaUnhealthy}: its triggers cannot be read, so it scales on the fallback replica count or not at all. keda_scaler_detail_errors_total names the failing trigger.`,
      ),
    );
  }
  return { group: { name: `${workload}-alerts`, rules: alerts }, alerts };
}
