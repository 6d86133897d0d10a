/**
 * An autoscaling/v2 HorizontalPodAutoscaler with typed metrics: Resource and ContainerResource
 * (cpu/memory of the pods, against their requests), Pods (a per-pod custom metric served by
 * prometheus-adapter) and External (one value for the whole service).
 */
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import {
  Problems,
  checkBehavior,
  claimScaleTarget,
  isWhole,
  positiveQuantity,
  renderBehavior,
  requireName,
  requireRequests,
  targetApiVersion,
  targetKind,
  type ScaleTarget,
  type ScalingBehavior,
  type SignalKind,
} from "../scaling/autoscaler-common.js";

export type ResourceTarget =
  /** Whole percent of the request, averaged over the pods. */
  | { readonly type: "Utilization"; readonly averageUtilization: number }
  /** Per-pod usage: cores / bytes as a number, or a quantity such as "500m" or "1Gi". */
  | { readonly type: "AverageValue"; readonly averageValue: number | string };

/** cpu/memory of every container of the pods, against their requests. */
export interface ResourceMetric {
  readonly type: "Resource";
  readonly resource: "cpu" | "memory";
  readonly target: ResourceTarget;
}

/** cpu/memory of one container of the pods (ignores sidecars). */
export interface ContainerResourceMetric {
  readonly type: "ContainerResource";
  readonly resource: "cpu" | "memory";
  readonly container: string;
  readonly target: ResourceTarget;
}

/**
 * A per-pod custom metric (custom.metrics.k8s.io). The HPA averages the pods' values and scales
 * by ratio to the target, so a per-pod quantile is meaningful here (unlike External AverageValue).
 */
export interface PodsMetric {
  readonly type: "Pods";
  /** Name the metrics adapter serves. */
  readonly metric: string;
  /** @default no selector */
  readonly selector?: Readonly<Record<string, string>>;
  /** Per-pod target: a number in the metric's unit (0.35 s → "350m") or a quantity. */
  readonly averageValue: number | string;
}

/** One value for the whole workload (external.metrics.k8s.io). */
export interface ExternalMetric {
  readonly type: "External";
  readonly metric: string;
  /** @default no selector */
  readonly selector?: Readonly<Record<string, string>>;
  /** What the value measures; `AverageValue` (value / pods) only makes sense for additive ones. */
  readonly signal: SignalKind;
  readonly target:
    { readonly type: "Value"; readonly value: number | string } | { readonly type: "AverageValue"; readonly averageValue: number | string };
}

export type HpaMetric = ResourceMetric | ContainerResourceMetric | PodsMetric | ExternalMetric;

export interface HpaProps {
  /** @default scaleTarget.name */
  readonly name?: string;
  /** The workload (rendered as `spec.scaleTargetRef`); the HPA lives in its namespace. */
  readonly scaleTarget: ScaleTarget;
  /** At least 1 (scale to zero needs KEDA). @default 1 */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  /** At least one; the HPA acts on the largest recommendation. */
  readonly metrics: readonly HpaMetric[];
  /** @default Kubernetes' behavior */
  readonly behavior?: ScalingBehavior;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_:.-]*$/;

/**
 * An HPA v2. Refuses: min < 1 or min > max; no metrics; duplicate metrics; Resource metrics on
 * containers without requests; External `AverageValue` on a signal that is not additive; invalid
 * behavior; a second autoscaler on the same workload.
 */
export class Hpa extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** `HorizontalPodAutoscaler <namespace>/<name>`. */
  readonly resource: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: readonly HpaMetric[];
  readonly apiObject: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: HpaProps) {
    super(scope, id);
    const { scaleTarget: target, minReplicas = 1, maxReplicas, metrics, behavior } = props;
    const name = props.name ?? target.name;
    const namespace = target.namespace;
    const resource = `HorizontalPodAutoscaler ${namespace}/${name}`;
    const p = new Problems();

    // 63, not 253: kube-state-metrics puts the name in a label that alerts select on.
    requireName(name, 63, p, "metadata.name", "a label value");
    requireName(target.name, 253, p, "spec.scaleTargetRef.name");
    p.require(
      isWhole(minReplicas, 1),
      "spec.minReplicas",
      `${minReplicas} must be a whole number ≥ 1 (an HPA cannot scale to zero without an alpha feature gate)`,
      "set minReplicas ≥ 1 or use KEDA to scale to zero",
    );
    p.require(isWhole(maxReplicas, 1), "spec.maxReplicas", `${maxReplicas} must be a whole number ≥ 1`, "use a whole number of at least 1");
    if (minReplicas > maxReplicas)
      p.add(
        "spec.minReplicas",
        `minReplicas ${minReplicas} is greater than maxReplicas ${maxReplicas}`,
        "lower minReplicas or raise maxReplicas",
      );
    p.require(
      metrics.length > 0,
      "spec.metrics",
      "no metrics: the HPA would silently fall back to 80 % CPU",
      "list the metrics to scale on",
    );

    const seen = new Map<string, number>();
    const rendered = metrics.map((m, i) => {
      const at = `spec.metrics[${i}]`;
      const key =
        m.type === "Resource"
          ? `Resource ${m.resource}`
          : m.type === "ContainerResource"
            ? `ContainerResource ${m.resource} ${m.container}`
            : `${m.type} ${m.metric}`;
      const first = seen.get(key);
      if (first !== undefined) p.add(at, `${key} is already spec.metrics[${first}]`, "keep one target per metric");
      else seen.set(key, i);
      return this.renderMetric(m, at, target, p);
    });
    if (behavior) checkBehavior(behavior, p, "spec.behavior");

    if (p.count === 0) claimScaleTarget(this, target, `HorizontalPodAutoscaler/${name}`, p, "spec.scaleTargetRef");
    p.throwIfAny(resource);

    this.name = name;
    this.namespace = namespace;
    this.resource = resource;
    this.minReplicas = minReplicas;
    this.maxReplicas = maxReplicas;
    this.metrics = metrics;
    this.apiObject = new k8s.KubeHorizontalPodAutoscalerV2(this, "Resource", {
      metadata: { name, namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: {
        scaleTargetRef: { apiVersion: targetApiVersion(target), kind: targetKind(target), name: target.name },
        minReplicas,
        maxReplicas,
        metrics: rendered,
        ...(behavior ? { behavior: renderBehavior(behavior) } : {}),
      },
    });
  }

  private renderMetric(m: HpaMetric, at: string, target: ScaleTarget, p: Problems): k8s.MetricSpecV2 {
    const q = (v: number | string, field: string) => k8s.Quantity.fromString(positiveQuantity(v, p, field) ?? "0");
    const resourceTarget = (t: ResourceTarget, field: string): k8s.MetricTargetV2 => {
      if (t.type === "Utilization") {
        p.require(
          isWhole(t.averageUtilization, 1),
          `${field}.averageUtilization`,
          `${t.averageUtilization} must be a whole percent ≥ 1`,
          "give a percent of the request, e.g. 70",
        );
        return { type: "Utilization", averageUtilization: t.averageUtilization };
      }
      return { type: "AverageValue", averageValue: q(t.averageValue, `${field}.averageValue`) };
    };
    const metricName = (name: string, field: string) =>
      p.require(METRIC_NAME.test(name), field, `"${name}" is not a metric name`, "use the name the metrics adapter serves");

    switch (m.type) {
      case "Resource":
        requireRequests(target, m.resource, undefined, p, `${at}.resource.name`);
        return { type: "Resource", resource: { name: m.resource, target: resourceTarget(m.target, `${at}.resource.target`) } };
      case "ContainerResource":
        requireRequests(target, m.resource, m.container, p, `${at}.containerResource.container`);
        return {
          type: "ContainerResource",
          containerResource: {
            name: m.resource,
            container: m.container,
            target: resourceTarget(m.target, `${at}.containerResource.target`),
          },
        };
      case "Pods":
        metricName(m.metric, `${at}.pods.metric.name`);
        return {
          type: "Pods",
          pods: {
            metric: { name: m.metric, ...(m.selector ? { selector: { matchLabels: { ...m.selector } } } : {}) },
            target: { type: "AverageValue", averageValue: q(m.averageValue, `${at}.pods.target.averageValue`) },
          },
        };
      case "External": {
        metricName(m.metric, `${at}.external.metric.name`);
        if (m.target.type === "AverageValue" && m.signal !== "additive") {
          p.add(
            `${at}.external.target.type`,
            `AverageValue on a ${m.signal} signal: the HPA would compute ceil(value / target) whatever the replica count`,
            "use target type Value",
          );
        }
        const t: k8s.MetricTargetV2 =
          m.target.type === "Value"
            ? { type: "Value", value: q(m.target.value, `${at}.external.target.value`) }
            : { type: "AverageValue", averageValue: q(m.target.averageValue, `${at}.external.target.averageValue`) };
        return {
          type: "External",
          external: { metric: { name: m.metric, ...(m.selector ? { selector: { matchLabels: { ...m.selector } } } : {}) }, target: t },
        };
      }
    }
  }
}
