/**
 * The inference service's alert group: latency, errors, queue backlog, scrape health, the
 * autoscaler pinned at its maximum and (KEDA mode) KEDA failing to compute the triggers. Every
 * expression is built through a PromQL builder (the service's contract, its recorded series or a
 * platform contract); every alert carries `severity`, `summary`, `description` and a
 * `runbook_url` of `<runbookBaseUrl>#<AlertName>`.
 */
import { ContractError, formatNumber, type PromQL } from "../promql/metrics.js";
import type { PlatformMetrics } from "../promql/platform-metrics.js";
import { PLATFORM_METRIC } from "../promql/platform-metrics.js";
import type { AlertingRule, RuleGroup, Severity } from "../constructs/prometheus-rule.js";
import { SERVICE_METRIC, type InferenceRecordings } from "./recording-rules.js";

/** Alert names (stable: runbook anchors and routes refer to them). */
export const ALERT = {
  highLatency: "InferenceHighLatency",
  highErrorRate: "InferenceHighErrorRate",
  queueBacklog: "InferenceQueueBacklog",
  targetDown: "InferenceTargetDown",
  atMaxReplicas: "InferenceAutoscalerAtMaxReplicas",
  kedaUnhealthy: "InferenceKedaUnhealthy",
} as const;

/** How long each condition must hold before its alert fires. */
export const ALERT_FOR = {
  highLatency: "1m",
  highErrorRate: "30s",
  queueBacklog: "2m",
  targetDown: "5m",
  atMaxReplicas: "15m",
  kedaUnhealthy: "2m",
} as const;

/** rate() window of the KEDA error counter: a few polling intervals. */
const KEDA_ERROR_WINDOW = "5m";

export interface InferenceAlertsProps {
  /** Name of the rule group (and its file). */
  readonly groupName: string;
  readonly namespace: string;
  /** Endpoint the latency/error alerts are about (its recordings read it). */
  readonly endpoint: string;
  /** Builder over the service's own metrics. */
  readonly promql: PromQL;
  readonly recordings: InferenceRecordings;
  readonly platform: PlatformMetrics;
  readonly thresholds: {
    /** HighLatency fires when the service p95 stays above this for 1m. */
    readonly p95LatencySeconds: number;
    /** HighErrorRate fires when errors / requests stays above this for 30s. */
    readonly errorRatio: number;
    /** QueueBacklog fires when the queued requests stay above this for 2m. */
    readonly queueBacklog: number;
  };
  readonly runbookBaseUrl: string;
  /** The autoscaler that owns the Deployment. */
  readonly autoscaler: {
    readonly mode: "keda" | "hpa";
    /** The HPA that really runs (kube-state-metrics' `horizontalpodautoscaler` label). */
    readonly hpaName: string;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** ScaledObject name (mode keda). */
    readonly scaledObject?: string;
  };
  /**
   * The service always runs at least one pod, so "no target at all" is an outage too (TargetDown
   * also fires on `absent(up)`). False when it may scale to zero.
   */
  readonly expectTargets: boolean;
}

export interface InferenceAlerts {
  readonly group: RuleGroup;
  readonly alerts: readonly AlertingRule[];
}

export function inferenceAlertRules(props: InferenceAlertsProps): InferenceAlerts {
  const { promql, recordings, platform, thresholds, endpoint, namespace } = props;
  for (const [k, v] of Object.entries(thresholds)) {
    if (!(Number.isFinite(v) && v > 0)) throw new ContractError(`alert threshold ${k} ${v} must be a positive number`);
  }
  const runbook = (alert: string) => `${props.runbookBaseUrl}#${alert}`;
  const alert = (
    name: string,
    severity: Severity,
    expr: string,
    forDuration: string,
    summary: string,
    description: string,
    extraLabels: Record<string, string> = {},
  ): AlertingRule => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity, ...extraLabels },
    annotations: { summary, description, runbook_url: runbook(name) },
  });
  const T = formatNumber(thresholds.p95LatencySeconds);
  const ratio = formatNumber(thresholds.errorRatio);
  const backlog = formatNumber(thresholds.queueBacklog);
  const rec = recordings.promql;
  const up = platform.up.selector(PLATFORM_METRIC.up);

  const alerts: AlertingRule[] = [
    alert(
      ALERT.highLatency,
      "warning",
      `${rec.selector(recordings.serviceLatency.record)} > ${T}`,
      ALERT_FOR.highLatency,
      `p95 latency of ${endpoint} is above ${T}s`,
      `p95 latency of ${endpoint} on {{ $labels.job }} in {{ $labels.namespace }} is {{ printf "%.3f" $value }}s, above ${T}s for ${ALERT_FOR.highLatency}. The autoscaler may lag behind the load or the pods are saturated.`,
    ),
    alert(
      ALERT.highErrorRate,
      "critical",
      `${rec.selector(recordings.errorRatio.record)} > ${ratio}`,
      ALERT_FOR.highErrorRate,
      `${endpoint} answers more than ${ratio} of requests with errors`,
      `Error ratio of ${endpoint} on {{ $labels.job }} in {{ $labels.namespace }} is {{ printf "%.4f" $value }}, above ${ratio} for ${ALERT_FOR.highErrorRate}.`,
    ),
    alert(
      ALERT.queueBacklog,
      "warning",
      `${promql.sumGauge(SERVICE_METRIC.queue, {}, ["namespace", "job"])} > ${backlog}`,
      ALERT_FOR.queueBacklog,
      `More than ${backlog} requests wait for a model worker`,
      `{{ printf "%.0f" $value }} requests are queued on {{ $labels.job }} in {{ $labels.namespace }}, above ${backlog} for ${ALERT_FOR.queueBacklog}.`,
    ),
    alert(
      ALERT.targetDown,
      "warning",
      props.expectTargets ? `${up} == 0\nor\nabsent(${up})` : `${up} == 0`,
      ALERT_FOR.targetDown,
      "Prometheus cannot scrape the inference service",
      `Prometheus cannot scrape {{ $labels.job }} in {{ $labels.namespace }}{{ with $labels.pod }} (pod {{ . }}){{ else }} (no target found){{ end }} for ${ALERT_FOR.targetDown}: alerts, the adapter and KEDA see no fresh data.`,
    ),
  ];
  // With min = max the HPA always runs at its maximum: the alert would only ever say so.
  if (props.autoscaler.maxReplicas > props.autoscaler.minReplicas) {
    alerts.push(
      alert(
        ALERT.atMaxReplicas,
        "warning",
        `${platform.kubeStateMetrics.sumGauge(PLATFORM_METRIC.hpaCurrentReplicas, {}, ["namespace", "horizontalpodautoscaler"])}\n>=\n${platform.kubeStateMetrics.sumGauge(PLATFORM_METRIC.hpaMaxReplicas, {}, ["namespace", "horizontalpodautoscaler"])}`,
        ALERT_FOR.atMaxReplicas,
        `The autoscaler has run at its maximum of ${props.autoscaler.maxReplicas} replicas for ${ALERT_FOR.atMaxReplicas}`,
        `HPA {{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} has run at its maximum of ${props.autoscaler.maxReplicas} replicas for ${ALERT_FOR.atMaxReplicas}: it cannot add capacity. Raise scaling.maxReplicas (and the quota) or reduce the load.`,
      ),
    );
  }
  if (props.autoscaler.mode === "keda") {
    if (!props.autoscaler.scaledObject) throw new ContractError("KEDA alerts need the ScaledObject name");
    alerts.push(
      alert(
        ALERT.kedaUnhealthy,
        "warning",
        `${platform.keda.sumRate(PLATFORM_METRIC.kedaScaledObjectErrors, "", {}, KEDA_ERROR_WINDOW, ["scaledObject"])} > 0`,
        ALERT_FOR.kedaUnhealthy,
        `KEDA fails to evaluate ScaledObject ${props.autoscaler.scaledObject}`,
        `KEDA reports {{ printf "%.2f" $value }} errors/s for ScaledObject {{ $labels.scaledObject }} in ${namespace} for ${ALERT_FOR.kedaUnhealthy}: its triggers cannot be read, so it scales on the fallback replica count or not at all. keda_scaler_detail_errors_total names the failing trigger.`,
        // The KEDA series' namespace label is KEDA's own (or exported_namespace): route on the service's.
        { namespace },
      ),
    );
  }
  return { group: { name: props.groupName, rules: alerts }, alerts };
}
