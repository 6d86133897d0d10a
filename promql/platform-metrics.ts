/**
 * Metric contracts for series the alerts need that the service does not export: KEDA operator
 * metrics (KEDA 2.16+ names), kube-state-metrics' HPA series, and Prometheus' own `up`. Queries
 * on them go through the same {@link PromQL} builder, each with its own scope, so an alert can
 * only name a platform metric and label that exists.
 *
 * Where the exporter's labels end up depends on how the platform scrapes it; that is declared
 * here ({@link PLATFORM_SCRAPES}) and is what the promtool tests build their input series from:
 * - KEDA operator: the KEDA chart's ServiceMonitor does not honor labels, so the operator target's
 *   `namespace` (KEDA's own) wins and the ScaledObject's namespace is stored as
 *   `exported_namespace`. Without the operator, the KEDA chart (`prometheus.operator.enabled`, no
 *   ServiceMonitor) annotates the keda-operator Service `prometheus.io/scrape`, and the plain
 *   prometheus chart's `kubernetes-service-endpoints` job scrapes it with honor_labels, so it stays
 *   `namespace` (infra/cluster-addons.ts sets both; the chart's `kubernetes-pods` job is off).
 * - kube-state-metrics: both kube-prometheus-stack's ServiceMonitor and the prometheus chart's
 *   `kubernetes-service-endpoints` job honor labels: `namespace` is the HPA's.
 */
import { PromQL, type Matchers, type MetricContract, type MetricSpec, type ScrapeScope } from "./metrics.js";
import type { Labels, ScrapeBehavior } from "../scrape/relabeling.js";

const KEDA_SCALER_LABELS = ["namespace", "metric", "scaledObject", "scaler", "triggerIndex", "type", "exported_namespace"];

/** KEDA operator metrics (pkg/metricscollector/prommetrics.go, KEDA 2.16+ names). */
export const KEDA_OPERATOR_METRICS: readonly MetricSpec[] = [
  {
    name: "keda_scaled_object_errors_total",
    type: "counter",
    labels: ["namespace", "scaledObject", "exported_namespace"],
    help: "Errors of each ScaledObject (any of its scalers, or the object itself)",
  },
  {
    name: "keda_scaler_detail_errors_total",
    type: "counter",
    labels: KEDA_SCALER_LABELS,
    help: "Errors of each scaler (trigger) of a ScaledObject",
  },
  { name: "keda_scaler_metrics_value", type: "gauge", labels: KEDA_SCALER_LABELS, help: "Current value of each scaler's metric" },
  { name: "keda_scaler_active", type: "gauge", labels: KEDA_SCALER_LABELS, help: "1 when the scaler is active" },
  {
    name: "keda_scaled_object_paused",
    type: "gauge",
    labels: ["namespace", "scaledObject", "exported_namespace"],
    help: "1 when the ScaledObject is paused",
  },
];

/** kube-state-metrics' HorizontalPodAutoscaler series the alerts read. */
export const KUBE_STATE_METRICS_HPA: readonly MetricSpec[] = [
  {
    name: "kube_horizontalpodautoscaler_status_current_replicas",
    type: "gauge",
    labels: ["namespace", "horizontalpodautoscaler"],
    help: "Current number of replicas of pods managed by this autoscaler",
  },
  {
    name: "kube_horizontalpodautoscaler_spec_max_replicas",
    type: "gauge",
    labels: ["namespace", "horizontalpodautoscaler"],
    help: "Upper limit for the number of pods that can be set by the autoscaler",
  },
];

/** Prometheus' synthetic per-target health series. */
export const PROMETHEUS_UP: MetricSpec = { name: "up", type: "gauge", labels: [], help: "1 when the last scrape of the target succeeded" };

/** Names, so rules do not repeat string literals. */
export const PLATFORM_METRIC = {
  kedaScaledObjectErrors: "keda_scaled_object_errors_total",
  kedaScalerErrors: "keda_scaler_detail_errors_total",
  kedaScalerMetricsValue: "keda_scaler_metrics_value",
  kedaScaledObjectPaused: "keda_scaled_object_paused",
  hpaCurrentReplicas: "kube_horizontalpodautoscaler_status_current_replicas",
  hpaMaxReplicas: "kube_horizontalpodautoscaler_spec_max_replicas",
  up: "up",
} as const;

function contract(metrics: readonly MetricSpec[]): MetricContract {
  return { port: 0, portName: "platform", path: "", metrics };
}

/** A builder for `up` of the targets one scrape scope (namespace, job) covers. */
export function upPromQL(scope: ScrapeScope): PromQL {
  return new PromQL(contract([PROMETHEUS_UP]), scope);
}

/** A PromQL builder whose scope is an arbitrary set of identifying matchers. */
class MatcherScopedPromQL extends PromQL {
  constructor(
    metrics: readonly MetricSpec[],
    private readonly matchers: Matchers,
  ) {
    super(contract(metrics), { namespace: "", job: "" });
  }

  override scopeMatchers(): Matchers {
    return this.matchers;
  }
}

/** How Prometheus is installed decides how the platform exporters are scraped. */
export type PrometheusFlavor = "operator" | "plain";

/** One platform exporter's scrape: target labels of an example target and how samples are stored. */
export interface PlatformScrape {
  readonly target: Labels;
  readonly behavior: ScrapeBehavior;
}

/** The platform scrapes this program assumes (see the module comment). */
export const PLATFORM_SCRAPES: Readonly<
  Record<PrometheusFlavor, { readonly keda: PlatformScrape; readonly kubeStateMetrics: PlatformScrape }>
> = {
  operator: {
    keda: {
      target: {
        job: "keda-operator",
        namespace: "keda",
        service: "keda-operator",
        pod: "keda-operator-5c9f6d7b8-x2x7q",
        container: "keda-operator",
        endpoint: "metrics",
        instance: "10.0.9.4:8080",
      },
      behavior: { honorLabels: false, metricRelabel: [] },
    },
    kubeStateMetrics: {
      target: {
        job: "kube-state-metrics",
        namespace: "monitoring",
        service: "kube-prometheus-stack-kube-state-metrics",
        pod: "kube-prometheus-stack-kube-state-metrics-6d5f8b9c7-q8w2n",
        container: "kube-state-metrics",
        endpoint: "http",
        instance: "10.0.9.5:8080",
      },
      behavior: { honorLabels: true, metricRelabel: [] },
    },
  },
  plain: {
    keda: {
      target: {
        job: "kubernetes-service-endpoints",
        namespace: "keda",
        service: "keda-operator",
        app_kubernetes_io_name: "keda-operator",
        node: "node-1",
        instance: "10.0.9.4:8080",
      },
      behavior: { honorLabels: true, metricRelabel: [] },
    },
    kubeStateMetrics: {
      target: {
        job: "kubernetes-service-endpoints",
        namespace: "monitoring",
        service: "prometheus-kube-state-metrics",
        instance: "10.0.9.5:8080",
      },
      behavior: { honorLabels: true, metricRelabel: [] },
    },
  },
};

/** The label holding a ScaledObject's namespace on stored KEDA series. */
export function kedaNamespaceLabel(flavor: PrometheusFlavor): "namespace" | "exported_namespace" {
  return PLATFORM_SCRAPES[flavor].keda.behavior.honorLabels ? "namespace" : "exported_namespace";
}

export interface PlatformMetricsProps {
  readonly flavor: PrometheusFlavor;
  /** Namespace of the service, its ScaledObject and HPA. */
  readonly namespace: string;
  /** The service's own scrape scope (for `up`). */
  readonly serviceScope: ScrapeScope;
  /** Name of the ScaledObject (KEDA mode). */
  readonly scaledObject: string;
  /** Name of the HPA that really runs (KEDA's `keda-hpa-<name>` in KEDA mode). */
  readonly hpa: string;
}

/** PromQL builders for the platform metrics, each scoped to this service's objects. */
export class PlatformMetrics {
  /** KEDA operator series of this ScaledObject. */
  readonly keda: PromQL;
  /** kube-state-metrics series of this HPA. */
  readonly kubeStateMetrics: PromQL;
  /** `up` of this service's scrape targets. */
  readonly up: PromQL;
  /** Label holding the ScaledObject's namespace on KEDA series. */
  readonly kedaNamespaceLabel: "namespace" | "exported_namespace";

  constructor(readonly props: PlatformMetricsProps) {
    this.kedaNamespaceLabel = kedaNamespaceLabel(props.flavor);
    this.keda = new MatcherScopedPromQL(KEDA_OPERATOR_METRICS, {
      [this.kedaNamespaceLabel]: props.namespace,
      scaledObject: props.scaledObject,
    });
    this.kubeStateMetrics = new MatcherScopedPromQL(KUBE_STATE_METRICS_HPA, {
      namespace: props.namespace,
      horizontalpodautoscaler: props.hpa,
    });
    this.up = upPromQL(props.serviceScope);
  }
}
