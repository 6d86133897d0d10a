/**
 * The environment's autoscaler, from `scaling.mode`, in the chart `autoscaling`
 * (`dist/<env>/autoscaling.yaml`):
 * - `cpu-hpa`: HPA v2 on CPU utilization of the server container;
 * - `slo-hpa`: HPA v2 on the per-pod p95 latency and in-flight requests prometheus-adapter serves
 *   (names from {@link CUSTOM_METRICS}), CPU as a backstop;
 * - `keda`: a KEDA ScaledObject on p95 latency (Value) and queue length (AverageValue) from
 *   Prometheus, cpu/memory guardrails, and a fallback that holds a safe count while Prometheus is down.
 * Every mode uses the same `scaling.behavior`, and owns the Deployment's replica count.
 */
import type { Construct } from "constructs";
import { deploymentScaleTarget, type ScalingBehavior } from "../scaling/autoscaler-common.js";
import { CUSTOM_METRICS } from "../promql/custom-metrics.js";
import { Hpa } from "../constructs/hpa.js";
import type { InferenceService } from "../constructs/inference-service.js";
import { KedaScaledObject } from "../constructs/keda-scaled-object.js";
import { problem } from "../problems/problem.js";
import { standardLabels } from "../kube/labels.js";
import { ContractError, type PromQL } from "../promql/metrics.js";
import { PromQLError, assertParses } from "../promql/parse.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";
import type { EnvConfig } from "./config.js";
import { autoscalerName, prometheusAddress } from "./naming.js";
import { cronTriggersFor } from "./prescaling.js";
import { EnvChart } from "./env-chart.js";
import { SynthError } from "./errors.js";
import { holdAtZero, signalTriggers, sloConcurrencyMetrics } from "./scaling-signals.js";

/** The histogram whose p95 the latency signals read. */
export const LATENCY_HISTOGRAM = "http_request_duration_seconds";
/** The gauge of requests waiting for a model worker. */
export const QUEUE_GAUGE = "inference_queue_len";

/** KEDA trigger names (also what a scalingModifiers formula would refer to). */
export const TRIGGER_NAMES = { latency: "p95-latency", queue: "queue-length", cpu: "cpu", memory: "memory" } as const;

/**
 * `scaling.behavior` as HPA behavior: scale up by the larger of `pods` and `percent` per period
 * after the up window; scale down by the smaller of `pods` per period and `percent` per period
 * after the down window (slow, so a dip does not throw away warm model replicas).
 */
export function behaviorOf(b: EnvConfig["scaling"]["behavior"]): ScalingBehavior {
  return {
    scaleUp: {
      stabilizationWindowSeconds: b.scaleUp.stabilizationWindowSeconds,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: b.scaleUp.pods, periodSeconds: b.scaleUp.periodSeconds },
        { type: "Percent", value: b.scaleUp.percent, periodSeconds: b.scaleUp.periodSeconds },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: b.scaleDown.stabilizationWindowSeconds,
      selectPolicy: "Min",
      policies: [
        { type: "Pods", value: b.scaleDown.pods, periodSeconds: b.scaleDown.podsPeriodSeconds },
        { type: "Percent", value: b.scaleDown.percent, periodSeconds: b.scaleDown.percentPeriodSeconds },
      ],
    },
  };
}

/**
 * p95 latency of the scaling endpoint, one series (see {@link whileScraped}):
 * `(histogram_quantile(0.95, sum by (le) (rate(<bucket>[w]))) and on() (<traffic> > 0) or on() (sum (up) * 0)) and on() (sum (up) > 0)`.
 * Without traffic the quantile is NaN and, on a pod that has not served a request yet, its series
 * do not exist at all; either way the query answers 0 while the service's targets are up, so a
 * cold rollout or a quiet hour does not trip the fallback. When the scrape is lost (no `up` series,
 * or every target `up == 0`) it answers nothing, which KEDA (ignoreNullValues false) counts as an error.
 */
export function latencyP95Query(promql: PromQL, config: EnvConfig): string {
  const matchers = { endpoint: config.scaling.endpoint };
  const p95 = promql.servedQuantile(0.95, LATENCY_HISTOGRAM, matchers, config.monitoring.queryWindow);
  return assertParses(whileScraped(p95, upSelector(promql.scope)));
}

/**
 * Requests waiting for a model worker, summed over the pods (additive: the HPA divides by pods);
 * 0 while the targets are up and no queue series exists yet, nothing when the scrape is lost.
 */
export function queueLengthQuery(promql: PromQL): string {
  return assertParses(whileScraped(promql.sumGauge(QUEUE_GAUGE), upSelector(promql.scope)));
}

/** Fallback replicas: the configured count, else max(minReplicas, ceil(maxReplicas / 2)). */
export function fallbackReplicas(scaling: EnvConfig["scaling"]): number {
  return scaling.keda.fallback.replicas ?? Math.max(scaling.minReplicas, Math.ceil(scaling.maxReplicas / 2));
}

/** What the autoscaling concern needs: the config and the service it scales. */
export interface AutoscalingProps {
  readonly config: EnvConfig;
  /** The inference service whose Deployment the autoscaler owns. */
  readonly service: InferenceService;
  /** PromQL bound to the service's contract and scrape (the KEDA triggers' queries). */
  readonly promql: PromQL;
}

interface AutoscalerBase {
  /** The rendered object's name (`metadata.name`). */
  readonly name: string;
  readonly namespace: string;
  /** The HorizontalPodAutoscaler that runs: the object itself, or the one KEDA creates for it. */
  readonly hpaName: string;
  /** The rendered object, resolved (what synth writes and the simulator translates). */
  manifest(): Record<string, unknown>;
}

/** The environment's one autoscaler, by the kind of object it renders. */
export type Autoscaler =
  | (AutoscalerBase & { readonly kind: "HorizontalPodAutoscaler"; readonly construct: Hpa })
  | (AutoscalerBase & { readonly kind: "ScaledObject"; readonly construct: KedaScaledObject });

function describe(construct: Hpa | KedaScaledObject): Autoscaler {
  const manifest = () => construct.apiObject.toJson() as Record<string, unknown>;
  const base = { name: construct.name, namespace: construct.namespace, manifest };
  return construct instanceof Hpa
    ? { ...base, kind: "HorizontalPodAutoscaler", hpaName: construct.name, construct }
    : { ...base, kind: "ScaledObject", hpaName: construct.hpaName, construct };
}

function hpaFor(scope: Construct, props: AutoscalingProps): Hpa {
  const { config, service } = props;
  const { scaling } = config;
  const common = {
    name: autoscalerName(config),
    scaleTarget: deploymentScaleTarget(service),
    minReplicas: scaling.minReplicas,
    maxReplicas: scaling.maxReplicas,
    behavior: behaviorOf(scaling.behavior),
    labels: standardLabels(service.identity),
  };
  if (scaling.mode === "cpu-hpa") {
    return new Hpa(scope, "Hpa", {
      ...common,
      metrics: [{ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: scaling.cpuHpa.cpuUtilization } }],
    });
  }
  return new Hpa(scope, "Hpa", {
    ...common,
    metrics: [
      // Per-pod metrics: the HPA averages the pods' values, so a per-pod p95 is a fair Pods target.
      { type: "Pods", metric: CUSTOM_METRICS.podP95Latency, averageValue: scaling.sloHpa.p95LatencySeconds },
      ...sloConcurrencyMetrics(config),
      { type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: scaling.sloHpa.cpuUtilization } },
    ],
  });
}

/** A query of trigger `index`, its contract or PromQL error as a line naming the env, the object and the field. */
function triggerQuery(config: EnvConfig, index: number, build: () => string): string {
  try {
    return build();
  } catch (e) {
    if (e instanceof ContractError || e instanceof PromQLError) {
      throw new SynthError([
        problem({
          code: "CONSTRUCT_INVARIANT",
          env: config.name,
          resource: `ScaledObject ${config.namespace}/${autoscalerName(config)}`,
          path: `spec.triggers[${index}].metadata.query`,
          message: e.message.split("\n")[0]!,
          fix: "build the query from metrics the service exports (service.metrics)",
        }),
      ]);
    }
    throw e;
  }
}

function scaledObjectFor(scope: Construct, props: AutoscalingProps): KedaScaledObject {
  const { config, service, promql } = props;
  const { scaling } = config;
  const k = scaling.keda;
  const name = autoscalerName(config);
  const serverAddress = prometheusAddress(config);
  const container = service.containerName;
  return new KedaScaledObject(scope, "ScaledObject", {
    name,
    scaleTarget: deploymentScaleTarget(service),
    labels: standardLabels(service.identity),
    pollingInterval: k.pollingInterval,
    cooldownPeriod: k.cooldownPeriod,
    ...(k.initialCooldownPeriod !== undefined ? { initialCooldownPeriod: k.initialCooldownPeriod } : {}),
    ...(k.idleReplicaCount !== undefined ? { idleReplicaCount: k.idleReplicaCount } : {}),
    minReplicaCount: scaling.minReplicas,
    maxReplicaCount: scaling.maxReplicas,
    fallback: { failureThreshold: k.fallback.failureThreshold, replicas: fallbackReplicas(scaling) },
    advanced: { horizontalPodAutoscalerConfig: { behavior: behaviorOf(scaling.behavior) } },
    triggers: holdAtZero(config, promql, [
      {
        type: "prometheus",
        name: TRIGGER_NAMES.latency,
        serverAddress,
        query: triggerQuery(config, 0, () => latencyP95Query(promql, config)),
        // A quantile is not additive across pods: Value scales by value / threshold × replicas.
        signal: "quantile",
        metricType: "Value",
        threshold: k.p95Latency.threshold,
        activationThreshold: k.p95Latency.activation,
        ignoreNullValues: false,
      },
      {
        type: "prometheus",
        name: TRIGGER_NAMES.queue,
        serverAddress,
        query: triggerQuery(config, 1, () => queueLengthQuery(promql)),
        signal: "additive",
        metricType: "AverageValue",
        threshold: k.queueLength.threshold,
        activationThreshold: k.queueLength.activation,
        ignoreNullValues: false,
      },
      { type: "cpu", name: TRIGGER_NAMES.cpu, metricType: "Utilization", value: k.cpuUtilization, containerName: container },
      { type: "memory", name: TRIGGER_NAMES.memory, metricType: "Utilization", value: k.memoryUtilization, containerName: container },
      // Known peaks: replicas start a model-load early so they are ready when the peak begins.
      ...cronTriggersFor(config, name, config.service.probes.modelLoadSeconds, { min: scaling.minReplicas, max: scaling.maxReplicas }),
      // Concurrency (KPA's stable window), its burst path (the panic window) and the wake-up signal.
      ...signalTriggers(config, promql, serverAddress),
    ]),
  });
}

/**
 * The chart `autoscaling` with the autoscaler `scaling.mode` asks for; it takes over the
 * Deployment's replica count (the Deployment stops rendering `spec.replicas`). A refused autoscaler
 * throws its UserError; buildStack places it in the environment.
 */
export class AutoscalingChart extends EnvChart {
  /** The HPA (modes cpu-hpa, slo-hpa) or ScaledObject (mode keda) owning the service's Deployment. */
  readonly autoscaler: Autoscaler;

  /** `chartName`: the file the chart is written to (`<service>-autoscaling` for the services after the first). */
  constructor(scope: Construct, props: AutoscalingProps, chartName = "autoscaling") {
    super(scope, chartName);
    this.autoscaler = describe(props.config.scaling.mode === "keda" ? scaledObjectFor(this, props) : hpaFor(this, props));
  }
}
