/**
 * Rendered autoscaler -> the HPA spec the controller runs (keda-hpa-notes.md), and which simulated
 * signal each metric reads. Hand-made objects in the upstream shapes, then the real stacks.
 */
import { describe, expect, it } from "vitest";
import {
  autoscalerModel,
  AutoscalerModelError,
  kedaMilliTarget,
  kedaCronMetricName,
  primaryOperand,
  signalOfQuery,
} from "../../simulator/autoscaler.js";
import { inputForMode } from "../../simulator/simulate.js";
import { buildStack } from "../../stacks/stack.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { DEV_CPU_HPA, envConfig, envInput } from "../helpers/env.js";

const config = envConfig("prod");
const scope = 'namespace="ml-serving-prod",job="inference"';
const latencyQuery =
  `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${scope},endpoint="/predict"}[2m])))` +
  ` and on() (sum (rate(http_request_duration_seconds_count{${scope},endpoint="/predict"}[2m])) > 0)` +
  ` or on() (sum (rate(http_request_duration_seconds_count{${scope},endpoint="/predict"}[2m])) * 0)`;
const behavior = {
  scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Min", policies: [{ type: "Percent", value: 10, periodSeconds: 120 }] },
};

/** A ScaledObject in the upstream keda.sh/v1alpha1 shape (trigger metadata is a string map). */
function scaledObject(spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: "inference", namespace: "ml-serving-prod" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
      pollingInterval: 15,
      cooldownPeriod: 300,
      minReplicaCount: 3,
      maxReplicaCount: 20,
      fallback: { failureThreshold: 3, replicas: 10 },
      advanced: { horizontalPodAutoscalerConfig: { behavior } },
      triggers: [
        {
          type: "prometheus",
          name: "p95-latency",
          metricType: "Value",
          metadata: {
            serverAddress: "http://p:9090",
            query: latencyQuery,
            threshold: "0.5",
            activationThreshold: "0.3",
            ignoreNullValues: "false",
          },
        },
        {
          type: "prometheus",
          name: "queue-length",
          metricType: "AverageValue",
          metadata: {
            serverAddress: "http://p:9090",
            query: `sum (inference_queue_len{${scope}})`,
            threshold: "20",
            activationThreshold: "10",
          },
        },
        { type: "cpu", name: "cpu", metricType: "Utilization", metadata: { containerName: "server", value: "85" } },
        { type: "memory", metricType: "Utilization", metadata: { value: "80" } },
      ],
      ...spec,
    },
  };
}

describe("ScaledObject -> HPA (keda-hpa-notes.md)", () => {
  it("translates triggers, bounds and behavior to the HPA KEDA creates", () => {
    const m = autoscalerModel(scaledObject(), config);
    expect(m.kind).toBe("ScaledObject");
    expect(m.hpaName).toBe("keda-hpa-inference");
    expect(m.hpa).toEqual({
      minReplicas: 3,
      maxReplicas: 20,
      behavior,
      metrics: [
        { type: "External", external: { metric: { name: "s0-prometheus" }, target: { type: "Value", value: "500m" } } },
        { type: "External", external: { metric: { name: "s1-prometheus" }, target: { type: "AverageValue", averageValue: "20000m" } } },
        {
          type: "ContainerResource",
          containerResource: { name: "cpu", container: "server", target: { type: "Utilization", averageUtilization: 85 } },
        },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
      ],
    });
    expect(m.hpa.behavior).toBe(scaledObject().spec.advanced.horizontalPodAutoscalerConfig.behavior); // copied verbatim
  });

  it("records what KEDA adds: polling, cooldown, fallback, activation, null handling", () => {
    const m = autoscalerModel(scaledObject(), config);
    expect(m.keda).toEqual({
      pollingIntervalSeconds: 15,
      cooldownPeriodSeconds: 300,
      initialCooldownPeriodSeconds: 0,
      minReplicaCount: 3,
      maxReplicaCount: 20,
      idleReplicaCount: undefined,
      fallback: { failureThreshold: 3, replicas: 10, behavior: "static" },
    });
    expect(m.metrics.map((x) => [x.source, x.servedBy, x.scope])).toEqual([
      ["prometheus", "keda", "service"],
      ["prometheus", "keda", "service"],
      ["metrics-server", "metrics-server", "pod"],
      ["metrics-server", "metrics-server", "pod"],
    ]);
    expect(m.metrics[0]!.trigger).toEqual({
      index: 0,
      type: "prometheus",
      name: "p95-latency",
      activationThreshold: 0.3,
      useCachedMetrics: false,
      ignoreNullValues: false,
    });
    expect(m.metrics[1]!.trigger!.ignoreNullValues).toBe(true); // KEDA's default
    expect(m.metrics.map((x) => x.signal)).toEqual([
      { kind: "latency-quantile", quantile: 0.95, windowSeconds: 120 },
      { kind: "gauge", gauge: "queue", aggregation: "sum" },
      { kind: "cpu" },
      { kind: "memory" },
    ]);
    expect(m.metrics.map((x) => x.column)).toEqual([
      "m0_p95_latency_s",
      "m1_sum_queue",
      "m2_cpu_utilization_pct",
      "m3_memory_utilization_pct",
    ]);
  });

  it("applies KEDA's defaults: HPA min 1 for minReplicaCount 0, max 100, polling 30 s, AverageValue, no fallback", () => {
    const so = scaledObject({
      minReplicaCount: undefined,
      maxReplicaCount: undefined,
      pollingInterval: undefined,
      cooldownPeriod: undefined,
      fallback: undefined,
      advanced: undefined,
      triggers: [{ type: "prometheus", metadata: { query: `sum (inference_queue_len{${scope}})`, threshold: "5" } }],
    });
    const m = autoscalerModel(so, config);
    expect(m.hpa).toEqual({
      minReplicas: 1,
      maxReplicas: 100,
      behavior: null,
      metrics: [
        { type: "External", external: { metric: { name: "s0-prometheus" }, target: { type: "AverageValue", averageValue: "5000m" } } },
      ],
    });
    expect(m.keda).toMatchObject({
      pollingIntervalSeconds: 30,
      cooldownPeriodSeconds: 300,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      fallback: null,
    });
  });

  it("translates a cron trigger like KEDA's cron scaler: External, AverageValue 1, read from the clock", () => {
    // the metric name is the one the real KEDA 2.18.3 gave keda-hpa-inference in npm run e2e
    const so = scaledObject({
      triggers: [
        {
          type: "cron",
          name: "prescale-business-hours",
          metadata: { timezone: "Europe/Berlin", start: "58 7 * * 1-5", end: "0 19 * * 1-5", desiredReplicas: "6" },
        },
      ],
    });
    const m = autoscalerModel(so, config);
    expect(m.hpa.metrics).toEqual([
      {
        type: "External",
        external: { metric: { name: "s0-cron-Europe-Berlin-587xx1-5-019xx1-5" }, target: { type: "AverageValue", averageValue: "1" } },
      },
    ]);
    expect(m.metrics[0]).toMatchObject({
      signal: { kind: "cron", start: "58 7 * * 1-5", end: "0 19 * * 1-5", timezone: "Europe/Berlin", desiredReplicas: 6 },
      source: "clock",
      servedBy: "keda",
      column: "m0_cron_replicas",
    });
  });

  it("names cron metrics as KEDA's cron scaler does (fields joined, * → x, / → Sl, ? → Qm; / . : % ( ) → -)", () => {
    expect(kedaCronMetricName(4, "Europe/Berlin", "58 7 * * 1-5", "0 19 * * 1-5")).toBe("s4-cron-Europe-Berlin-587xx1-5-019xx1-5");
    expect(kedaCronMetricName(0, "America/Argentina/Buenos_Aires", "*/15 * * * ?", "0 0 * * *")).toBe(
      "s0-cron-America-Argentina-Buenos_Aires-xSl15xxxQm-00xxx",
    );
  });

  it("turns thresholds into milli targets the way KEDA does (int64(threshold × 1000), truncated)", () => {
    expect(kedaMilliTarget(0.5)).toBe("500m");
    expect(kedaMilliTarget(20)).toBe("20000m");
    expect(kedaMilliTarget(0.0015)).toBe("1m");
    expect(kedaMilliTarget(1.005)).toBe("1004m"); // 1.005 × 1000 = 1004.9999999999999 in float64
  });

  it("refuses what it cannot simulate, naming the object and the field", () => {
    const rabbit = scaledObject({ triggers: [{ type: "rabbitmq", metadata: { queueName: "q", mode: "QueueLength", value: "20" } }] });
    expect(() => autoscalerModel(rabbit, config)).toThrow(AutoscalerModelError);
    expect(() => autoscalerModel(rabbit, config)).toThrow(
      /^ScaledObject inference: spec\.triggers\[0\]\.type: trigger type "rabbitmq" is not simulated/,
    );
    const badCron = scaledObject({
      triggers: [{ type: "cron", metadata: { timezone: "UTC", start: "0 8 * *", end: "0 9 * * *", desiredReplicas: "4" } }],
    });
    expect(() => autoscalerModel(badCron, config)).toThrow(/spec\.triggers\[0\]\.metadata\.start: "0 8 \* \*" has 4 fields, not 5/);
    const mods = scaledObject({ advanced: { scalingModifiers: { formula: "a + b", target: "2" } } });
    expect(() => autoscalerModel(mods, config)).toThrow(/spec\.advanced\.scalingModifiers: scalingModifiers formulas are not simulated/);
    const odd = scaledObject({ triggers: [{ type: "prometheus", metadata: { query: "sum(node_load1)", threshold: "1" } }] });
    expect(() => autoscalerModel(odd, config)).toThrow(
      /spec\.triggers\[0\]\.metadata\.query: the simulator does not model metric node_load1.*Fix: use a query the simulator models/,
    );
    const bad = scaledObject({
      triggers: [{ type: "prometheus", metadata: { query: `sum (inference_queue_len{${scope}})`, threshold: "lots" } }],
    });
    expect(() => autoscalerModel(bad, config)).toThrow(/spec\.triggers\[0\]\.metadata\.threshold: "lots" is not a number/);
  });
});

describe("signalOfQuery", () => {
  it("looks through and/or guards to the value-carrying operand", () => {
    expect(primaryOperand(latencyQuery)).toBe(
      `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${scope},endpoint="/predict"}[2m])))`,
    );
    expect(signalOfQuery(latencyQuery)).toEqual({ kind: "latency-quantile", quantile: 0.95, windowSeconds: 120 });
    expect(signalOfQuery("(histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))))")).toEqual({
      kind: "latency-quantile",
      quantile: 0.99,
      windowSeconds: 300,
    });
  });

  it("reads gauges and request rates with their aggregation", () => {
    expect(signalOfQuery("avg(http_requests_in_flight)")).toEqual({ kind: "gauge", gauge: "in-flight", aggregation: "avg" });
    expect(signalOfQuery("max (inference_worker_utilization)")).toEqual({ kind: "gauge", gauge: "worker-utilization", aggregation: "max" });
    expect(signalOfQuery("sum(rate(http_requests_total[1m]))")).toEqual({
      kind: "request-rate",
      windowSeconds: 60,
      aggregation: "sum",
      increase: false,
    });
  });

  it("refuses per-pod results, other metrics, and histograms outside histogram_quantile", () => {
    expect(() => signalOfQuery("inference_queue_len")).toThrow(/one series per pod/);
    expect(() => signalOfQuery("sum by (pod) (inference_queue_len)")).toThrow(/one series per pod/);
    expect(() => signalOfQuery("sum(inference_queue_len) / sum(http_requests_in_flight)")).toThrow(/reads 2 metrics/);
    expect(() => signalOfQuery("sum(rate(http_request_duration_seconds_bucket[1m]))")).toThrow(/only under histogram_quantile/);
    expect(() => signalOfQuery("sum(rate(http_requests_total[1m]")).toThrow(/invalid PromQL/);
  });
});

describe("HorizontalPodAutoscaler", () => {
  const hpa = (spec: Record<string, unknown>) => ({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "inference", namespace: "ml-serving-prod" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" }, minReplicas: 3, maxReplicas: 20, ...spec },
  });

  it("runs the spec as is; Pods metrics are prometheus-adapter's per-pod series over monitoring.queryWindow", () => {
    const metrics = [
      {
        type: "Pods",
        pods: { metric: { name: "inference_request_latency_p95_seconds" }, target: { type: "AverageValue", averageValue: "350m" } },
      },
      { type: "Pods", pods: { metric: { name: "inference_requests_in_flight" }, target: { type: "AverageValue", averageValue: "10" } } },
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
    ];
    const m = autoscalerModel(hpa({ metrics, behavior }), config);
    expect(m.hpa).toEqual({ minReplicas: 3, maxReplicas: 20, metrics, behavior });
    expect(m.keda).toBeNull();
    expect(m.metrics.map((x) => [x.signal, x.servedBy, x.scope])).toEqual([
      [{ kind: "latency-quantile", quantile: 0.95, windowSeconds: 120 }, "prometheus-adapter", "pod"],
      [{ kind: "gauge", gauge: "in-flight", aggregation: "avg" }, "prometheus-adapter", "pod"],
      [{ kind: "cpu" }, "metrics-server", "pod"],
    ]);
  });

  it("defaults missing metrics to CPU 80 % like the API server, and refuses unknown metric names", () => {
    expect(autoscalerModel(hpa({}), config).hpa.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
    ]);
    const unknown = hpa({
      metrics: [{ type: "Pods", pods: { metric: { name: "gpu_util" }, target: { type: "AverageValue", averageValue: "1" } } }],
    });
    expect(() => autoscalerModel(unknown, config)).toThrow(
      /HorizontalPodAutoscaler inference: spec\.metrics\[0\]\.pods\.metric\.name: Pods metric "gpu_util" is not one prometheus-adapter serves/,
    );
  });
});

describe("the rendered stacks", () => {
  const modelFor = (env: string, mode: "cpu-hpa" | "slo-hpa" | "keda") => {
    const c = parseEnvConfig(inputForMode(envInput(env), mode).input, env);
    return { config: c, model: autoscalerModel(buildStack(c).autoscaler.manifest(), c) };
  };

  it("prod keda: the ScaledObject synth renders, with the config's thresholds", () => {
    const { config: c, model } = modelFor("prod", "keda");
    expect(model.kind).toBe("ScaledObject");
    expect(model.hpa.minReplicas).toBe(c.scaling.minReplicas);
    expect(model.hpa.maxReplicas).toBe(c.scaling.maxReplicas);
    expect(model.hpa.metrics!.slice(0, 4).map((x) => (x.type === "External" ? x.external.target : null))).toEqual([
      { type: "Value", value: "500m" },
      { type: "AverageValue", averageValue: "20000m" },
      null,
      null,
    ]);
    expect(model.metrics.slice(0, 4).map((x) => x.signal.kind)).toEqual(["latency-quantile", "gauge", "cpu", "memory"]);
    // pre-scaling windows (if the env has any for the service) follow as cron triggers
    const windows = (c.prescaling ?? []).filter((w) => w.target === c.service.name);
    // then the concurrency trigger (in-flight summed over the pods)
    expect(model.metrics.slice(4).map((x) => x.signal.kind)).toEqual([...windows.map(() => "cron"), "gauge"]);
    expect(model.keda!.fallback).toEqual({ failureThreshold: 3, replicas: 10, behavior: "static" });
    expect(model.hpa.behavior?.scaleUp?.stabilizationWindowSeconds).toBe(c.scaling.behavior.scaleUp.stabilizationWindowSeconds);
  });

  it("prod cpu-hpa and slo-hpa: the HPA synth renders", () => {
    const cpu = modelFor("prod", "cpu-hpa").model;
    expect(cpu.kind).toBe("HorizontalPodAutoscaler");
    expect(cpu.metrics.map((x) => x.signal.kind)).toEqual(["cpu"]);
    const slo = modelFor("prod", "slo-hpa").model;
    expect(slo.metrics.map((x) => [x.spec.type, x.signal.kind])).toEqual([
      ["Pods", "latency-quantile"],
      ["Pods", "gauge"],
      ["Resource", "cpu"],
    ]);
  });

  it("dev keda assumes KEDA installed (cluster.keda patched to true, noted)", () => {
    const { input, notes } = inputForMode(envInput("dev", DEV_CPU_HPA), "keda");
    expect((input.cluster as { keda: boolean }).keda).toBe(true);
    expect(notes).toEqual(['env "dev" has cluster.keda false; the keda run assumes KEDA installed (cluster.keda true)']);
    expect(modelFor("dev", "keda").model.kind).toBe("ScaledObject");
  });

  it("translates the stack's own autoscaler: the object synth writes, in every env and mode", () => {
    for (const env of ["dev", "staging", "prod", "gpu", "loadtest"]) {
      for (const mode of ["cpu-hpa", "slo-hpa", "keda"] as const) {
        const c = parseEnvConfig(inputForMode(envInput(env), mode).input, env);
        const stack = buildStack(c);
        const rendered = stack
          .objects()
          .filter(
            (o: any) => ["HorizontalPodAutoscaler", "ScaledObject"].includes(o.kind) && o.spec.scaleTargetRef.name === c.service.name,
          );
        expect(rendered, `${env} ${mode}`).toEqual([stack.autoscaler.manifest()]);
        const model = autoscalerModel(stack.autoscaler.manifest(), c);
        expect([model.kind, model.name, model.hpaName], `${env} ${mode}`).toEqual([
          stack.autoscaler.kind,
          stack.autoscaler.name,
          stack.autoscaler.hpaName,
        ]);
      }
    }
  });
});
