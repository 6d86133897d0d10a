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
import { type ScaleTarget, type ScalingBehavior } from "../scaling/autoscaler-common.js";
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
import type { EnvironmentStack } from "./stack.js";
import { SynthError } from "./errors.js";
import { holdAtZero, signalTriggers, sloConcurrencyMetrics } from "./scaling-signals.js";

/** The histogram whose p95 the latency signals read. */
export const LATENCY_HISTOGRAM = "http_request_duration_seconds";
/** The gauge of requests waiting for a model worker. */
export const QUEUE_GAUGE = "inference_queue_len";

/** KEDA trigger names (also what a scalingModifiers formula would refer to). */
export const TRIGGER_NAMES = { latency: "p95-latency", queue: "queue-length", cpu: "cpu", memory: "memory" } as const;

/** The Deployment of the inference service as an autoscaler's target. */
export function scaleTargetOf(service: InferenceService): ScaleTarget {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: service.name,
    namespace: service.namespace,
    containers: [{ name: service.containerName, requests: { ...service.resources.requests } }],
    markHasAutoscaler: (owner) => service.markHasAutoscaler(owner),
  };
}

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

export type Autoscaler = Hpa | KedaScaledObject;

function hpaFor(stack: EnvironmentStack, chart: ReturnType<EnvironmentStack["addChart"]>): Hpa {
  const { scaling } = stack.config;
  const common = {
    name: autoscalerName(stack.config),
    scaleTarget: scaleTargetOf(stack.service),
    minReplicas: scaling.minReplicas,
    maxReplicas: scaling.maxReplicas,
    behavior: behaviorOf(scaling.behavior),
    labels: standardLabels(stack.service.identity),
  };
  if (scaling.mode === "cpu-hpa") {
    return new Hpa(chart, "Hpa", {
      ...common,
      metrics: [{ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: scaling.cpuHpa.cpuUtilization } }],
    });
  }
  return new Hpa(chart, "Hpa", {
    ...common,
    metrics: [
      // Per-pod metrics: the HPA averages the pods' values, so a per-pod p95 is a fair Pods target.
      { type: "Pods", metric: CUSTOM_METRICS.podP95Latency, averageValue: scaling.sloHpa.p95LatencySeconds },
      ...sloConcurrencyMetrics(stack.config),
      { type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: scaling.sloHpa.cpuUtilization } },
    ],
  });
}

function scaledObjectFor(stack: EnvironmentStack, chart: ReturnType<EnvironmentStack["addChart"]>): KedaScaledObject {
  const { config } = stack;
  const { scaling } = config;
  const k = scaling.keda;
  const name = autoscalerName(config);
  const resource = `ScaledObject ${config.namespace}/${name}`;
  const query = (index: number, build: () => string): string => {
    try {
      return build();
    } catch (e) {
      if (e instanceof ContractError || e instanceof PromQLError) {
        throw new SynthError([
          problem({
            code: "CONSTRUCT_INVARIANT",
            env: config.name,
            resource,
            path: `spec.triggers[${index}].metadata.query`,
            message: e.message.split("\n")[0]!,
            fix: "build the query from metrics the service exports (service.metrics)",
          }),
        ]);
      }
      throw e;
    }
  };
  const serverAddress = prometheusAddress(config);
  const container = stack.service.containerName;
  return new KedaScaledObject(chart, "ScaledObject", {
    name,
    scaleTarget: scaleTargetOf(stack.service),
    labels: standardLabels(stack.service.identity),
    pollingInterval: k.pollingInterval,
    cooldownPeriod: k.cooldownPeriod,
    ...(k.initialCooldownPeriod !== undefined ? { initialCooldownPeriod: k.initialCooldownPeriod } : {}),
    ...(k.idleReplicaCount !== undefined ? { idleReplicaCount: k.idleReplicaCount } : {}),
    minReplicaCount: scaling.minReplicas,
    maxReplicaCount: scaling.maxReplicas,
    fallback: { failureThreshold: k.fallback.failureThreshold, replicas: fallbackReplicas(scaling) },
    advanced: { horizontalPodAutoscalerConfig: { behavior: behaviorOf(scaling.behavior) } },
    triggers: holdAtZero(config, stack.promql, [
      {
        type: "prometheus",
        name: TRIGGER_NAMES.latency,
        serverAddress,
        query: query(0, () => latencyP95Query(stack.promql, config)),
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
        query: query(1, () => queueLengthQuery(stack.promql)),
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
      ...signalTriggers(config, stack.promql, serverAddress),
    ]),
  });
}

/**
 * Adds the chart `autoscaling` with the autoscaler `scaling.mode` asks for; it takes over the
 * Deployment's replica count (the Deployment stops rendering `spec.replicas`). A refused autoscaler
 * throws its UserError; buildStack places it in the environment.
 */
export function addAutoscaling(stack: EnvironmentStack): Autoscaler {
  const chart = stack.addChart("autoscaling");
  return stack.config.scaling.mode === "keda" ? scaledObjectFor(stack, chart) : hpaFor(stack, chart);
}
