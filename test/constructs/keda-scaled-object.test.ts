import { describe, expect, it } from "vitest";
import { Hpa } from "../../constructs/hpa.js";
import { InferenceService } from "../../constructs/inference-service.js";
import {
  KedaScaledObject,
  MAX_SCALED_OBJECT_NAME,
  type KedaScaledObjectProps,
  type KedaTrigger,
} from "../../constructs/keda-scaled-object.js";
import { ClusterTriggerAuthentication, TriggerAuthentication } from "../../constructs/trigger-authentication.js";
import { validateObjects } from "../../stacks/schema.js";
import { PROM, P95_QUERY, QUEUE_QUERY, chart, latencyTrigger, problems, queueTrigger, target, triggers } from "./fixtures.js";

function so(props: Partial<KedaScaledObjectProps> = {}) {
  const c = chart();
  const obj = new KedaScaledObject(c, "so", {
    scaleTarget: target(),
    minReplicaCount: 2,
    maxReplicaCount: 20,
    triggers: triggers(),
    ...props,
  });
  return { obj, json: c.toJson()[0], chart: c };
}

function soProblems(props: Partial<KedaScaledObjectProps>) {
  return problems(() => so(props));
}

describe("KedaScaledObject rendering", () => {
  it("renders every spec field, with numbers in KEDA's string form", async () => {
    const c = chart();
    const auth = new TriggerAuthentication(c, "auth", {
      name: "rabbitmq",
      namespace: "ml",
      secretTargetRef: [{ parameter: "host", name: "rabbitmq-conn", key: "url" }],
    });
    new KedaScaledObject(c, "so", {
      scaleTarget: target(),
      envSourceContainerName: "server",
      labels: { team: "ml" },
      pollingInterval: 15,
      cooldownPeriod: 600,
      initialCooldownPeriod: 120,
      idleReplicaCount: 0,
      minReplicaCount: 1,
      maxReplicaCount: 12,
      fallback: { failureThreshold: 3, replicas: 6, behavior: "currentReplicasIfHigher" },
      advanced: {
        restoreToOriginalReplicaCount: true,
        horizontalPodAutoscalerConfig: {
          name: "inference-hpa",
          behavior: {
            scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
          },
        },
        scalingModifiers: { formula: "queue / 2", target: 10, activationTarget: 1.5, metricType: "AverageValue" },
      },
      triggers: [
        latencyTrigger({ useCachedMetrics: true }),
        { type: "prometheus", name: "queue", serverAddress: PROM, query: QUEUE_QUERY, signal: "additive", threshold: 20 },
        { type: "cpu", name: "cpu", value: 85, containerName: "server" },
        { type: "memory", name: "memory", metricType: "AverageValue", value: "1536Mi" },
        { type: "cron", name: "business-hours", timezone: "Europe/Berlin", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: 4 },
        {
          type: "rabbitmq",
          name: "jobs",
          queueName: "predict",
          mode: "QueueLength",
          value: 50,
          activationValue: 5,
          protocol: "amqp",
          authenticationRef: auth,
        },
      ],
    });
    const [ta, obj] = c.toJson();
    expect(obj.apiVersion).toBe("keda.sh/v1alpha1");
    expect(obj.kind).toBe("ScaledObject");
    expect(obj.metadata).toEqual({ name: "inference", namespace: "ml", labels: { team: "ml" } });
    expect(obj.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference", envSourceContainerName: "server" },
      pollingInterval: 15,
      cooldownPeriod: 600,
      initialCooldownPeriod: 120,
      idleReplicaCount: 0,
      minReplicaCount: 1,
      maxReplicaCount: 12,
      fallback: { failureThreshold: 3, replicas: 6, behavior: "currentReplicasIfHigher" },
      advanced: {
        restoreToOriginalReplicaCount: true,
        horizontalPodAutoscalerConfig: {
          name: "inference-hpa",
          behavior: {
            scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
          },
        },
        scalingModifiers: { formula: "queue / 2", target: "10", activationTarget: "1.5", metricType: "AverageValue" },
      },
      triggers: [
        {
          type: "prometheus",
          name: "p95-latency",
          metricType: "Value",
          useCachedMetrics: true,
          metadata: { serverAddress: PROM, query: P95_QUERY, threshold: "0.5", activationThreshold: "0.3", ignoreNullValues: "false" },
        },
        // metricType follows the declared signal when not given: additive → AverageValue.
        {
          type: "prometheus",
          name: "queue",
          metricType: "AverageValue",
          metadata: { serverAddress: PROM, query: QUEUE_QUERY, threshold: "20", ignoreNullValues: "false" },
        },
        { type: "cpu", name: "cpu", metricType: "Utilization", metadata: { value: "85", containerName: "server" } },
        { type: "memory", name: "memory", metricType: "AverageValue", metadata: { value: "1536Mi" } },
        {
          type: "cron",
          name: "business-hours",
          metadata: { timezone: "Europe/Berlin", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "4" },
        },
        {
          type: "rabbitmq",
          name: "jobs",
          metricType: "AverageValue",
          metadata: { queueName: "predict", mode: "QueueLength", value: "50", activationValue: "5", protocol: "amqp" },
          authenticationRef: { kind: "TriggerAuthentication", name: "rabbitmq" },
        },
      ],
    });
    // Trigger metadata is a string map in KEDA's CRD: not one number may slip through.
    for (const t of obj.spec.triggers) for (const v of Object.values(t.metadata)) expect(typeof v).toBe("string");
    expect(await validateObjects([ta, obj])).toEqual([]);
  });

  it("applies KEDA's defaults explicitly and ignoreNullValues false", () => {
    const c = chart();
    new KedaScaledObject(c, "so", {
      scaleTarget: target(),
      triggers: [latencyTrigger({ metricType: undefined, activationThreshold: undefined })],
    });
    const obj = c.toJson()[0];
    expect(obj.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
      pollingInterval: 30,
      cooldownPeriod: 300,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      // A quantile defaults to Value, never to KEDA's AverageValue.
      triggers: [
        {
          type: "prometheus",
          name: "p95-latency",
          metricType: "Value",
          metadata: { serverAddress: PROM, query: P95_QUERY, threshold: "0.5", ignoreNullValues: "false" },
        },
      ],
    });
  });

  it("names the HPA KEDA creates keda-hpa-<name> and exposes the bounds", () => {
    const { obj } = so();
    expect(obj.hpaName).toBe("keda-hpa-inference");
    expect([obj.minReplicaCount, obj.maxReplicaCount]).toEqual([2, 20]);
    expect(obj.resource).toBe("ScaledObject ml/inference");
  });

  it("takes over the Deployment's replica count (no spec.replicas)", () => {
    const c = chart();
    const svc = new InferenceService(c, "svc", {
      namespace: "ml",
      identity: { name: "inference", instance: "inference-t", component: "api", partOf: "ml" },
      image: "registry.example.com/ml/inference:1.0.0",
      replicas: 3,
      resources: { requests: { cpu: "1", memory: "2Gi" } },
    });
    new KedaScaledObject(c, "so", {
      scaleTarget: { ...target(), markHasAutoscaler: (o) => svc.markHasAutoscaler(o) },
      minReplicaCount: 3,
      triggers: triggers(),
    });
    const dep = c.toJson().find((o) => o.kind === "Deployment");
    expect(dep.spec.replicas).toBeUndefined();
    expect(svc.autoscaledBy).toBe("ScaledObject/inference");
  });

  it("renders a ClusterTriggerAuthentication reference", () => {
    const c = chart();
    const auth = new ClusterTriggerAuthentication(c, "auth", {
      name: "prom-auth",
      secretTargetRef: [{ parameter: "bearerToken", name: "prom-token", key: "token" }],
    });
    new KedaScaledObject(c, "so", {
      scaleTarget: target(),
      minReplicaCount: 1,
      triggers: [queueTrigger({ authModes: ["bearer"], authenticationRef: auth })],
    });
    const obj = c.toJson()[1];
    expect(obj.spec.triggers[0].authenticationRef).toEqual({ kind: "ClusterTriggerAuthentication", name: "prom-auth" });
    expect(obj.spec.triggers[0].metadata.authModes).toBe("bearer");
  });
});

describe("KedaScaledObject rules (each a failing spec)", () => {
  it("formats each problem as `<resource>: <field>: <message>. Fix: <fix>`", () => {
    expect(soProblems({ triggers: [latencyTrigger({ activationThreshold: 0.6 })] })).toEqual([
      "ScaledObject ml/inference: spec.triggers[0].metadata.activationThreshold: activationThreshold 0.6 must be ≥ 0 and below threshold 0.5 (activation wins over the HPA: the target would be scaled to zero while the HPA still wants pods). Fix: lower the activation value below the threshold",
    ]);
  });

  it("reports every problem at once", () => {
    const lines = soProblems({
      minReplicaCount: 5,
      maxReplicaCount: 4,
      triggers: [latencyTrigger({ activationThreshold: 0.5 }), latencyTrigger()],
    });
    expect(lines.map((l) => l.split(": ")[1])).toEqual([
      "spec.minReplicaCount",
      "spec.triggers[0].metadata.activationThreshold",
      "spec.triggers[1].name",
    ]);
  });

  it("refuses a trigger type it cannot render instead of rendering empty metadata", () => {
    const unknown = { type: "kafka", name: "lag" } as unknown as KedaTrigger;
    expect(
      () => new KedaScaledObject(chart(), "so", { scaleTarget: target(), minReplicaCount: 1, triggers: [latencyTrigger(), unknown] }),
    ).toThrow(/unknown KEDA trigger type "kafka"/);
  });

  it("minReplicaCount ≤ maxReplicaCount", () => {
    expect(soProblems({ minReplicaCount: 21, maxReplicaCount: 20 })).toEqual([
      "ScaledObject ml/inference: spec.minReplicaCount: minReplicaCount 21 is greater than maxReplicaCount 20. Fix: lower minReplicaCount or raise maxReplicaCount",
    ]);
  });

  it("whole replica counts", () => {
    expect(soProblems({ minReplicaCount: 1.5 })[0]).toMatch(/spec\.minReplicaCount: 1\.5 must be a whole number/);
    expect(soProblems({ maxReplicaCount: 0, minReplicaCount: 0 })[0]).toMatch(/spec\.maxReplicaCount: 0 must be a whole number ≥ 1/);
  });

  it("idleReplicaCount < minReplicaCount, and only 0", () => {
    expect(soProblems({ minReplicaCount: 2, idleReplicaCount: 2 })[0]).toMatch(
      /spec\.idleReplicaCount: idleReplicaCount 2 must be below minReplicaCount 2/,
    );
    expect(soProblems({ minReplicaCount: 3, idleReplicaCount: 1 })[0]).toMatch(
      /spec\.idleReplicaCount: idleReplicaCount 1: KEDA supports only 0/,
    );
    expect(() => so({ minReplicaCount: 1, idleReplicaCount: 0 })).not.toThrow();
  });

  it("pollingInterval ≥ 1 and whole cooldowns", () => {
    expect(soProblems({ pollingInterval: 0 })[0]).toMatch(/spec\.pollingInterval: 0 must be a whole number of seconds ≥ 1/);
    expect(soProblems({ cooldownPeriod: -1 })[0]).toMatch(/spec\.cooldownPeriod: -1/);
    expect(soProblems({ initialCooldownPeriod: 2.5 })[0]).toMatch(/spec\.initialCooldownPeriod: 2\.5/);
  });

  it("at least one trigger", () => {
    expect(soProblems({ triggers: [] })[0]).toMatch(/spec\.triggers: a ScaledObject needs at least one trigger/);
  });

  it(`name at most ${MAX_SCALED_OBJECT_NAME} characters so keda-hpa-<name> fits 63`, () => {
    expect(MAX_SCALED_OBJECT_NAME).toBe(54);
    expect(() => so({ name: "a".repeat(54) })).not.toThrow();
    expect(soProblems({ name: "a".repeat(55) })[0]).toMatch(
      /metadata\.name: "a{55}" is 55 characters; at most 54 fit \(KEDA's HPA keda-hpa-a{55} must fit 63 characters\)/,
    );
    // An explicit HPA name lifts the limit to 63 for both.
    expect(() => so({ name: "a".repeat(60), advanced: { horizontalPodAutoscalerConfig: { name: "inference-hpa" } } })).not.toThrow();
    expect(soProblems({ name: "Inference" })[0]).toMatch(/metadata\.name: "Inference" is not a DNS label/);
  });

  it("trigger names are unique", () => {
    expect(soProblems({ triggers: [latencyTrigger(), queueTrigger({ name: "p95-latency" })] })).toEqual([
      'ScaledObject ml/inference: spec.triggers[1].name: trigger name "p95-latency" is also used by spec.triggers[0]. Fix: give every trigger its own name',
    ]);
  });

  it("activationThreshold < threshold (equal is refused too)", () => {
    expect(soProblems({ triggers: [queueTrigger({ activationThreshold: 20 })] })[0]).toMatch(
      /spec\.triggers\[0\]\.metadata\.activationThreshold: activationThreshold 20 must be ≥ 0 and below threshold 20/,
    );
    expect(soProblems({ triggers: [queueTrigger({ activationThreshold: -1 })] })[0]).toMatch(/activationThreshold -1/);
    expect(soProblems({ triggers: [queueTrigger({ threshold: 0, activationThreshold: undefined })] })[0]).toMatch(
      /spec\.triggers\[0\]\.metadata\.threshold: threshold 0 must be greater than 0/,
    );
  });

  it.each(["quantile", "ratio", "average"] as const)("AverageValue is refused on a %s signal", (signal) => {
    expect(soProblems({ triggers: [latencyTrigger({ signal, metricType: "AverageValue" })] })).toEqual([
      `ScaledObject ml/inference: spec.triggers[0].metricType: AverageValue on a ${signal} signal: the HPA would compute ceil(value / threshold) whatever the replica count, because a ${signal} is not additive across pods. Fix: use metricType Value (desired = ceil(value / threshold × current replicas))`,
    ]);
  });

  it("AverageValue is accepted on an additive signal, Value on any", () => {
    expect(() =>
      so({ triggers: [queueTrigger({ metricType: "AverageValue" }), latencyTrigger({ name: "x", signal: "ratio", metricType: "Value" })] }),
    ).not.toThrow();
  });

  it("prometheus queries must parse", () => {
    const lines = soProblems({ triggers: [latencyTrigger({ query: "sum(rate(http_requests_total[2m])" })] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/spec\.triggers\[0\]\.metadata\.query: does not parse at offset \d+/);
  });

  it.each([
    ['http_requests_in_flight{namespace="ml",job="inference"}', "not aggregated"],
    ['sum by (pod) (http_requests_in_flight{namespace="ml",job="inference"})', "grouped by pod"],
    [
      'histogram_quantile(0.95, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket{namespace="ml"}[2m])))',
      "grouped by endpoint",
    ],
    ['topk(1, http_requests_in_flight{namespace="ml"})', "not aggregated"],
  ])("prometheus queries must return one series: %s", (query, why) => {
    const lines = soProblems({ triggers: [queueTrigger({ query })] });
    expect(lines[0]).toContain(
      `spec.triggers[0].metadata.query: can return more than one series (${why}); KEDA errors on a multi-series result`,
    );
  });

  it("no credentials in serverAddress; http(s) only", () => {
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "http://admin:s3cret@prometheus:9090" })] })[0]).toMatch(
      /spec\.triggers\[0\]\.metadata\.serverAddress: the URL carries credentials inline .* Fix: remove them and supply them through a TriggerAuthentication/,
    );
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "prometheus:9090" })] })[0]).toMatch(
      /serverAddress: scheme prometheus: is not http\(s\)/,
    );
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "not a url" })] })[0]).toMatch(/serverAddress: "not a url" is not a URL/);
  });

  it("prometheus auth: modes need a ref that supplies their parameters, and a ref needs modes", () => {
    const c = chart();
    const wrong = new TriggerAuthentication(c, "a", {
      name: "prom",
      namespace: "ml",
      secretTargetRef: [{ parameter: "username", name: "prom", key: "user" }],
    });
    expect(soProblems({ triggers: [queueTrigger({ authModes: ["bearer"] })] })[0]).toMatch(
      /spec\.triggers\[0\]\.authenticationRef: authModes bearer need credentials/,
    );
    expect(soProblems({ triggers: [queueTrigger({ authenticationRef: wrong })] })[0]).toMatch(
      /spec\.triggers\[0\]\.metadata\.authModes: an authenticationRef without authModes is ignored/,
    );
    expect(soProblems({ triggers: [queueTrigger({ authModes: ["basic"], authenticationRef: wrong })] })[0]).toMatch(
      /spec\.triggers\[0\]\.authenticationRef: TriggerAuthentication prom does not supply "password" \(it supplies username\)\. Fix: add a secretTargetRef for password/,
    );
  });

  it("a TriggerAuthentication must be in the ScaledObject's namespace", () => {
    const c = chart();
    const other = new TriggerAuthentication(c, "a", {
      name: "rmq",
      namespace: "other",
      secretTargetRef: [{ parameter: "host", name: "rmq", key: "url" }],
    });
    const lines = soProblems({
      triggers: [{ type: "rabbitmq", queueName: "q", mode: "QueueLength", value: 10, authenticationRef: other }],
    });
    expect(lines[0]).toMatch(
      /spec\.triggers\[0\]\.authenticationRef: TriggerAuthentication other\/rmq is in another namespace than the ScaledObject \(ml\)/,
    );
  });

  it("rabbitmq: connection only through a TriggerAuthentication supplying host; activationValue < value", () => {
    const noHost = { kind: "TriggerAuthentication" as const, name: "rmq", namespace: "ml", parameters: ["password"] };
    expect(
      soProblems({ triggers: [{ type: "rabbitmq", queueName: "q", mode: "QueueLength", value: 10, authenticationRef: noHost }] })[0],
    ).toMatch(/authenticationRef: TriggerAuthentication rmq does not supply "host"/);
    const ok = { ...noHost, parameters: ["host"] };
    expect(
      soProblems({
        triggers: [{ type: "rabbitmq", queueName: "q", mode: "QueueLength", value: 10, activationValue: 10, authenticationRef: ok }],
      })[0],
    ).toMatch(/spec\.triggers\[0\]\.metadata\.activationValue: activationValue 10 must be ≥ 0 and below value 10/);
    expect(
      soProblems({ triggers: [{ type: "rabbitmq", queueName: " ", mode: "MessageRate", value: 0, authenticationRef: ok }] }).map(
        (l) => l.split(": ")[1],
      ),
    ).toEqual(["spec.triggers[0].metadata.queueName", "spec.triggers[0].metadata.value"]);
  });

  it("cpu/memory triggers need requests on the target container", () => {
    const noCpu = target({ containers: [{ name: "server", requests: { memory: "2Gi" } }] });
    expect(soProblems({ scaleTarget: noCpu, triggers: [queueTrigger(), { type: "cpu", value: 85, containerName: "server" }] })).toEqual([
      'ScaledObject ml/inference: spec.triggers[1].metadata.containerName: a cpu target needs a cpu request, but container "server" has none. Fix: set resources.requests.cpu on the container (service.resources.requests.cpu)',
    ]);
    // Without containerName, every container counts (a sidecar without requests breaks it).
    const sidecar = target({ containers: [{ name: "server", requests: { cpu: "1", memory: "1Gi" } }, { name: "proxy" }] });
    expect(soProblems({ scaleTarget: sidecar, triggers: [queueTrigger(), { type: "memory", value: 80 }] })[0]).toMatch(
      /spec\.triggers\[1\]\.type: a memory target needs a memory request on every container, but "proxy" has none/,
    );
    expect(soProblems({ triggers: [queueTrigger(), { type: "cpu", value: 85, containerName: "gpu" }] })[0]).toMatch(
      /containerName: container "gpu" is not in Deployment inference/,
    );
  });

  it("cpu/memory values: whole percent for Utilization, a positive quantity for AverageValue", () => {
    expect(soProblems({ triggers: [queueTrigger(), { type: "cpu", value: 85.5 }] })[0]).toMatch(
      /spec\.triggers\[1\]\.metadata\.value: utilization 85\.5 must be a whole percent/,
    );
    expect(soProblems({ triggers: [queueTrigger(), { type: "cpu", metricType: "AverageValue", value: "lots" }] })[0]).toMatch(
      /metadata\.value: "lots" is not a quantity/,
    );
    const c = chart();
    new KedaScaledObject(c, "so", {
      scaleTarget: target(),
      minReplicaCount: 1,
      triggers: [{ type: "cpu", metricType: "AverageValue", value: 0.75 }],
    });
    expect(c.toJson()[0].spec.triggers[0].metadata.value).toBe("750m");
  });

  it("scaling to zero needs a trigger that is not cpu/memory", () => {
    const cpuOnly: KedaTrigger[] = [
      { type: "cpu", value: 85 },
      { type: "memory", value: 80 },
    ];
    expect(soProblems({ minReplicaCount: 0, triggers: cpuOnly })[0]).toMatch(
      /spec\.minReplicaCount: scaling to zero needs a trigger that is not cpu\/memory/,
    );
    expect(() => so({ minReplicaCount: 1, triggers: cpuOnly })).not.toThrow();
  });

  it("fallback needs a trigger that is not cpu/memory", () => {
    const cpuOnly: KedaTrigger[] = [
      { type: "cpu", value: 85 },
      { type: "memory", value: 80 },
    ];
    expect(soProblems({ fallback: { failureThreshold: 3, replicas: 4 }, triggers: cpuOnly })).toEqual([
      "ScaledObject ml/inference: spec.fallback: fallback needs at least one trigger that is not cpu/memory (KEDA computes it only for external metrics). Fix: add a prometheus (or other event) trigger or remove the fallback",
    ]);
  });

  it("fallback with Value triggers is accepted (KEDA ≥ 2.18) on a workload that publishes readyReplicas", () => {
    expect(() =>
      so({ fallback: { failureThreshold: 3, replicas: 10 }, triggers: [latencyTrigger(), { type: "cpu", value: 85 }] }),
    ).not.toThrow();
    expect(
      soProblems({
        scaleTarget: target({ kind: "CloneSet", apiVersion: "apps.kruise.io/v1alpha1" }),
        fallback: { failureThreshold: 3, replicas: 10 },
        triggers: [latencyTrigger()],
      })[0],
    ).toMatch(
      /spec\.triggers\[0\]\.metricType: fallback on a Value trigger divides by status\.readyReplicas, which a CloneSet does not publish/,
    );
  });

  it("fallback replicas within the bounds, whole thresholds", () => {
    expect(soProblems({ fallback: { failureThreshold: 3, replicas: 1 } })[0]).toMatch(
      /spec\.fallback\.replicas: fallback replicas 1 are outside minReplicaCount 2 … maxReplicaCount 20/,
    );
    expect(soProblems({ fallback: { failureThreshold: 3, replicas: 21 } })[0]).toMatch(/fallback replicas 21 are outside/);
    expect(soProblems({ fallback: { failureThreshold: -1, replicas: 4 } })[0]).toMatch(
      /spec\.fallback\.failureThreshold: -1 must be a whole number ≥ 0/,
    );
  });

  it("fallback with scalingModifiers needs an AverageValue composite", () => {
    const lines = soProblems({
      fallback: { failureThreshold: 3, replicas: 4 },
      advanced: { scalingModifiers: { formula: "queue-length", target: 5, metricType: "Value" } },
    });
    expect(lines[0]).toMatch(
      /spec\.advanced\.scalingModifiers\.metricType: fallback with scalingModifiers needs the composite metric to be AverageValue/,
    );
  });

  it("scalingModifiers: formula naming a trigger, positive target, activationTarget below it", () => {
    expect(soProblems({ advanced: { scalingModifiers: { formula: "a + b", target: 5 } } })[0]).toMatch(
      /spec\.advanced\.scalingModifiers\.formula: formula "a \+ b" names no trigger/,
    );
    expect(soProblems({ advanced: { scalingModifiers: { formula: "queue-length", target: 5, activationTarget: 5 } } })[0]).toMatch(
      /scalingModifiers\.activationTarget: activationTarget 5 must be ≥ 0 and below target 5/,
    );
    expect(soProblems({ advanced: { scalingModifiers: { formula: "queue-length", target: 0 } } })[0]).toMatch(
      /scalingModifiers\.target: 0 must be greater than 0/,
    );
  });

  it("HPA behavior is validated like the API server does", () => {
    const lines = soProblems({
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 3601, policies: [] },
            scaleDown: { policies: [{ type: "Percent", value: 0, periodSeconds: 1801 }] },
          },
        },
      },
    });
    expect(lines.map((l) => l.split(": ")[1])).toEqual([
      "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds",
      "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies",
      "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].value",
      "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].periodSeconds",
    ]);
  });

  it("cron: IANA time zone, five-field expressions, desiredReplicas within bounds", () => {
    const cron = (over: object) => [
      queueTrigger(),
      { type: "cron", timezone: "UTC", start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: 4, ...over } as KedaTrigger,
    ];
    expect(soProblems({ triggers: cron({ timezone: "Mars/Olympus" }) })[0]).toMatch(
      /spec\.triggers\[1\]\.metadata\.timezone: "Mars\/Olympus" is not an IANA time zone/,
    );
    expect(soProblems({ triggers: cron({ start: "0 8 * *" }) })[0]).toMatch(
      /spec\.triggers\[1\]\.metadata\.start: "0 8 \* \*" is not a five-field cron expression/,
    );
    expect(soProblems({ triggers: cron({ end: "0 8 * * *" }) })[0]).toMatch(/metadata\.end: start and end are the same/);
    expect(soProblems({ triggers: cron({ desiredReplicas: 21 }) })[0]).toMatch(
      /metadata\.desiredReplicas: 21 must be a whole number from 1 to maxReplicaCount 20/,
    );
  });

  it("useCachedMetrics is refused on cpu/memory/cron", () => {
    expect(soProblems({ triggers: [queueTrigger(), { type: "cpu", value: 85, useCachedMetrics: true }] })[0]).toMatch(
      /spec\.triggers\[1\]\.useCachedMetrics: the cpu scaler does not support useCachedMetrics/,
    );
  });

  it("envSourceContainerName must be a container of the target", () => {
    expect(soProblems({ envSourceContainerName: "sidecar" })[0]).toMatch(
      /spec\.scaleTargetRef\.envSourceContainerName: container "sidecar" is not in Deployment inference/,
    );
  });

  it("one autoscaler per workload: a second ScaledObject or an HPA on the same Deployment is refused", () => {
    const c = chart();
    new KedaScaledObject(c, "a", { scaleTarget: target(), minReplicaCount: 1, triggers: triggers() });
    expect(
      problems(
        () => new KedaScaledObject(c, "b", { name: "inference-2", scaleTarget: target(), minReplicaCount: 1, triggers: triggers() }),
      ),
    ).toEqual([
      "ScaledObject ml/inference-2: spec.scaleTargetRef: Deployment ml/inference is already scaled by ScaledObject/inference; ScaledObject/inference-2 would fight it over the replica count (AmbiguousSelector). Fix: keep one autoscaler per workload (pick one scaling mode)",
    ]);
    expect(
      problems(
        () =>
          new Hpa(c, "h", {
            scaleTarget: target(),
            maxReplicas: 4,
            metrics: [{ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: 70 } }],
          }),
      )[0],
    ).toMatch(
      /HorizontalPodAutoscaler ml\/inference: spec\.scaleTargetRef: Deployment ml\/inference is already scaled by ScaledObject\/inference/,
    );
    // Another workload in the same tree is fine.
    expect(
      () => new KedaScaledObject(c, "c", { scaleTarget: target({ name: "worker" }), minReplicaCount: 1, triggers: triggers() }),
    ).not.toThrow();
  });

  it("a refused ScaledObject does not take the replica count", () => {
    let claimed: string | undefined;
    expect(() =>
      so({ minReplicaCount: 5, maxReplicaCount: 4, scaleTarget: { ...target(), markHasAutoscaler: (o) => (claimed = o) } }),
    ).toThrow(/minReplicaCount 5/);
    expect(claimed).toBeUndefined();
  });
});

/** One refusal line as the user reads it: the field, why, and the fix. */
function refusal(field: string, message: string, fix: string): string {
  return `ScaledObject ml/inference: ${field}: ${message}. Fix: ${fix}`;
}

const RMQ_AUTH = { kind: "TriggerAuthentication" as const, name: "rmq", namespace: "ml", parameters: ["host"] };

function rabbit(over: object = {}): KedaTrigger {
  return { type: "rabbitmq", name: "jobs", queueName: "predict", mode: "QueueLength", value: 10, authenticationRef: RMQ_AUTH, ...over };
}

function cron(over: object = {}): KedaTrigger[] {
  return [
    queueTrigger(),
    { type: "cron", name: "hours", timezone: "UTC", start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: 4, ...over },
  ];
}

describe("KedaScaledObject names: each refusal names the field, why, and the fix", () => {
  it("an explicit HPA name lifts the ScaledObject name to 63 characters, not beyond, and is itself a 63-character label", () => {
    const a64 = "a".repeat(64);
    expect(soProblems({ name: a64, advanced: { horizontalPodAutoscalerConfig: { name: "inference-hpa" } } })).toEqual([
      `ScaledObject ml/${a64}: metadata.name: "${a64}" is 64 characters; at most 63 fit (a DNS name). Fix: shorten it to 63 characters or fewer`,
    ]);
    const h64 = "h".repeat(64);
    expect(soProblems({ advanced: { horizontalPodAutoscalerConfig: { name: h64 } } })).toEqual([
      refusal(
        "spec.advanced.horizontalPodAutoscalerConfig.name",
        `"${h64}" is 64 characters; at most 63 fit (an HPA name used as a label value)`,
        "shorten it to 63 characters or fewer",
      ),
    ]);
  });

  it("the scale target's name must be a DNS subdomain", () => {
    expect(soProblems({ name: "inference", scaleTarget: target({ name: "Inference" }) })).toEqual([
      refusal(
        "spec.scaleTargetRef.name",
        `"Inference" is not a DNS subdomain (lower-case letters, digits and '-', dot-separated)`,
        "use a name such as inference",
      ),
    ]);
  });

  it("envSourceContainerName may name any container of the target; a wrong one lists the containers to pick from", () => {
    const twoContainers = target({
      containers: [
        { name: "server", requests: { cpu: "1", memory: "2Gi" } },
        { name: "proxy", requests: { cpu: "100m", memory: "64Mi" } },
      ],
    });
    expect(so({ scaleTarget: twoContainers, envSourceContainerName: "proxy" }).json.spec.scaleTargetRef.envSourceContainerName).toBe(
      "proxy",
    );
    expect(soProblems({ scaleTarget: twoContainers, envSourceContainerName: "sidecar" })).toEqual([
      refusal(
        "spec.scaleTargetRef.envSourceContainerName",
        'container "sidecar" is not in Deployment inference',
        "name one of its containers (server, proxy)",
      ),
    ]);
  });
});

describe("KedaScaledObject replica bounds and timing: exact refusals", () => {
  it.each<[string, Partial<KedaScaledObjectProps>, string[]]>([
    [
      "a fractional minReplicaCount",
      { minReplicaCount: 1.5 },
      [refusal("spec.minReplicaCount", "1.5 must be a whole number ≥ 0", "use a whole number")],
    ],
    [
      "maxReplicaCount 0",
      { minReplicaCount: 0, maxReplicaCount: 0 },
      [refusal("spec.maxReplicaCount", "0 must be a whole number ≥ 1", "use a whole number of at least 1")],
    ],
    [
      "idleReplicaCount equal to minReplicaCount",
      { minReplicaCount: 2, idleReplicaCount: 2 },
      [
        refusal(
          "spec.idleReplicaCount",
          "idleReplicaCount 2 must be below minReplicaCount 2",
          "lower idleReplicaCount (to 0) or leave it out",
        ),
      ],
    ],
    [
      "an idleReplicaCount other than 0",
      { minReplicaCount: 3, idleReplicaCount: 1 },
      [
        refusal(
          "spec.idleReplicaCount",
          "idleReplicaCount 1: KEDA supports only 0 (the HPA cannot hold another idle count)",
          "set it to 0 or leave it out",
        ),
      ],
    ],
    [
      "pollingInterval 0",
      { pollingInterval: 0 },
      [refusal("spec.pollingInterval", "0 must be a whole number of seconds ≥ 1", "poll every 15–30 s")],
    ],
    [
      "a negative cooldownPeriod",
      { cooldownPeriod: -1 },
      [refusal("spec.cooldownPeriod", "-1 must be a whole number of seconds ≥ 0", "use e.g. 300")],
    ],
    [
      "a fractional initialCooldownPeriod",
      { initialCooldownPeriod: 2.5 },
      [refusal("spec.initialCooldownPeriod", "2.5 must be a whole number of seconds ≥ 0", "use a whole number or leave it out")],
    ],
    // No trigger at all is one problem, not also "scaling to zero on cpu/memory alone".
    [
      "no trigger",
      { minReplicaCount: 0, triggers: [] },
      [refusal("spec.triggers", "a ScaledObject needs at least one trigger", "add a trigger")],
    ],
    [
      "an idle count on cpu/memory alone (even with minReplicaCount ≥ 1)",
      { minReplicaCount: 1, idleReplicaCount: 0, triggers: [{ type: "cpu", value: 85 }] },
      [
        refusal(
          "spec.idleReplicaCount",
          "scaling to zero needs a trigger that is not cpu/memory (no pod, no usage to measure)",
          "set minReplicaCount ≥ 1 or add an event trigger such as prometheus",
        ),
      ],
    ],
  ])("refuses %s", (_, props, lines) => {
    expect(soProblems(props)).toEqual(lines);
  });

  it("minReplicaCount equal to maxReplicaCount is a fixed size, accepted", () => {
    expect(so({ minReplicaCount: 5, maxReplicaCount: 5 }).json.spec).toMatchObject({ minReplicaCount: 5, maxReplicaCount: 5 });
  });
});

describe("KedaScaledObject fallback: exact refusals", () => {
  it("fallback thresholds and replicas are whole numbers; replicas within the bounds, the bounds included", () => {
    expect(soProblems({ fallback: { failureThreshold: -1, replicas: 4 } })).toEqual([
      refusal("spec.fallback.failureThreshold", "-1 must be a whole number ≥ 0", "use e.g. 3"),
    ]);
    expect(soProblems({ fallback: { failureThreshold: 3, replicas: 2.5 } })).toEqual([
      refusal("spec.fallback.replicas", "2.5 must be a whole number ≥ 0", "use a whole number"),
    ]);
    expect(soProblems({ fallback: { failureThreshold: 3, replicas: 1 } })).toEqual([
      refusal(
        "spec.fallback.replicas",
        "fallback replicas 1 are outside minReplicaCount 2 … maxReplicaCount 20 (the HPA would clamp them)",
        "hold a count between the bounds",
      ),
    ]);
    expect(so({ fallback: { failureThreshold: 3, replicas: 2 } }).json.spec.fallback).toEqual({ failureThreshold: 3, replicas: 2 });
    expect(so({ fallback: { failureThreshold: 3, replicas: 20 } }).json.spec.fallback).toEqual({ failureThreshold: 3, replicas: 20 });
  });

  it("fallback with a Value scalingModifiers composite names the fix", () => {
    expect(
      soProblems({
        fallback: { failureThreshold: 3, replicas: 4 },
        advanced: { scalingModifiers: { formula: "queue-length", target: 5, metricType: "Value" } },
      }),
    ).toEqual([
      refusal(
        "spec.advanced.scalingModifiers.metricType",
        "fallback with scalingModifiers needs the composite metric to be AverageValue",
        "use metricType AverageValue or remove the fallback",
      ),
    ]);
  });

  it("fallback with spec.advanced but no scalingModifiers is accepted", () => {
    const { json } = so({ fallback: { failureThreshold: 3, replicas: 4 }, advanced: { restoreToOriginalReplicaCount: true } });
    expect(json.spec.advanced).toEqual({ restoreToOriginalReplicaCount: true });
    expect(json.spec.fallback).toEqual({ failureThreshold: 3, replicas: 4 });
  });

  it("fallback on a target without readyReplicas points at the first Value trigger, and accepts AverageValue triggers", () => {
    const cloneSet = target({ kind: "CloneSet", apiVersion: "apps.kruise.io/v1alpha1" });
    const fallback = { failureThreshold: 3, replicas: 4 };
    expect(
      soProblems({ scaleTarget: cloneSet, fallback, triggers: [{ type: "cpu", value: 85 }, queueTrigger(), latencyTrigger()] }),
    ).toEqual([
      refusal(
        "spec.triggers[2].metricType",
        "fallback on a Value trigger divides by status.readyReplicas, which a CloneSet does not publish",
        "scale a Deployment or StatefulSet, or use AverageValue",
      ),
    ]);
    expect(so({ scaleTarget: cloneSet, fallback, triggers: [queueTrigger()] }).json.spec.scaleTargetRef.kind).toBe("CloneSet");
  });
});

describe("KedaScaledObject scalingModifiers", () => {
  it("a blank formula is empty, and the names-no-trigger refusal lists the trigger names (or none)", () => {
    expect(soProblems({ advanced: { scalingModifiers: { formula: "  ", target: 5 } } })).toEqual([
      refusal("spec.advanced.scalingModifiers.formula", "formula is empty", "combine trigger names, e.g. (queue + latency) / 2"),
      refusal(
        "spec.advanced.scalingModifiers.formula",
        'formula "  " names no trigger (named: p95-latency, queue-length, cpu, memory)',
        "name the triggers and use those names in the formula",
      ),
    ]);
    expect(
      soProblems({ triggers: [queueTrigger({ name: undefined })], advanced: { scalingModifiers: { formula: "a + b", target: 5 } } }),
    ).toEqual([
      refusal(
        "spec.advanced.scalingModifiers.formula",
        'formula "a + b" names no trigger (named: none)',
        "name the triggers and use those names in the formula",
      ),
    ]);
  });

  it("a trigger name is matched literally in the formula (a dot is a dot)", () => {
    const triggersDotted = [queueTrigger({ name: "queue.len" })];
    expect(() => so({ triggers: triggersDotted, advanced: { scalingModifiers: { formula: "queue.len * 2", target: 5 } } })).not.toThrow();
    expect(soProblems({ triggers: triggersDotted, advanced: { scalingModifiers: { formula: "queueXlen * 2", target: 5 } } })[0]).toContain(
      'formula "queueXlen * 2" names no trigger (named: queue.len)',
    );
  });

  it("target > 0; activationTarget from 0 (included) to below target", () => {
    expect(soProblems({ advanced: { scalingModifiers: { formula: "queue-length", target: 5, activationTarget: -1 } } })).toEqual([
      refusal(
        "spec.advanced.scalingModifiers.activationTarget",
        "activationTarget -1 must be ≥ 0 and below target 5",
        "lower activationTarget",
      ),
    ]);
    expect(soProblems({ advanced: { scalingModifiers: { formula: "queue-length", target: 0 } } })).toEqual([
      refusal("spec.advanced.scalingModifiers.target", "0 must be greater than 0", "give the composite metric's target"),
      refusal(
        "spec.advanced.scalingModifiers.activationTarget",
        "activationTarget 0 must be ≥ 0 and below target 0",
        "lower activationTarget",
      ),
    ]);
    expect(so({ advanced: { scalingModifiers: { formula: "queue-length", target: 5, activationTarget: 0 } } }).json.spec.advanced).toEqual({
      scalingModifiers: { formula: "queue-length", target: "5", activationTarget: "0", metricType: "AverageValue" },
    });
  });

  it("renders KEDA's default composite metricType AverageValue when none is given", () => {
    expect(so({ advanced: { scalingModifiers: { formula: "queue-length", target: 5 } } }).json.spec.advanced).toEqual({
      scalingModifiers: { formula: "queue-length", target: "5", metricType: "AverageValue" },
    });
  });
});

describe("KedaScaledObject spec.advanced rendering", () => {
  it("an empty horizontalPodAutoscalerConfig renders no spec.advanced", () => {
    expect(so({ advanced: { horizontalPodAutoscalerConfig: {} } }).json.spec.advanced).toBeUndefined();
  });

  it("an HPA name alone renders horizontalPodAutoscalerConfig.name and is the HPA's name", () => {
    const { obj, json } = so({ advanced: { horizontalPodAutoscalerConfig: { name: "inference-hpa" } } });
    expect(json.spec.advanced).toEqual({ horizontalPodAutoscalerConfig: { name: "inference-hpa" } });
    expect(obj.hpaName).toBe("inference-hpa");
  });
});

describe("KedaScaledObject prometheus triggers: exact refusals and rendering", () => {
  it("serverAddress: a URL, http or https, no user or password inline", () => {
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "not a url" })] })).toEqual([
      refusal(
        "spec.triggers[0].metadata.serverAddress",
        '"not a url" is not a URL',
        "give the Prometheus base URL, e.g. http://prometheus.monitoring.svc.cluster.local:9090",
      ),
    ]);
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "ftp://prometheus:9090" })] })).toEqual([
      refusal("spec.triggers[0].metadata.serverAddress", "scheme ftp: is not http(s)", "use an http:// or https:// URL"),
    ]);
    const https = "https://prometheus.monitoring.svc.cluster.local:9090";
    expect(so({ triggers: [queueTrigger({ serverAddress: https })] }).json.spec.triggers[0].metadata.serverAddress).toBe(https);
    // A user name alone is a credential too (a token as user name).
    expect(soProblems({ triggers: [queueTrigger({ serverAddress: "http://admin@prometheus:9090" })] })).toEqual([
      refusal(
        "spec.triggers[0].metadata.serverAddress",
        "the URL carries credentials inline (user:password@)",
        "remove them and supply them through a TriggerAuthentication (authModes basic)",
      ),
    ]);
  });

  it("the query: a parse error points at the builder; a grouped result lists every grouping label", () => {
    const parse = soProblems({ triggers: [queueTrigger({ query: "sum(rate(x[2m])" })] });
    expect(parse).toHaveLength(1);
    expect(parse[0]).toMatch(/\. Fix: build the query with the PromQL builder from the metric contract$/);
    const q = 'sum by (pod, endpoint) (http_requests_in_flight{namespace="ml"})';
    expect(soProblems({ triggers: [queueTrigger({ query: q })] })).toEqual([
      refusal(
        "spec.triggers[0].metadata.query",
        `can return more than one series (grouped by pod, endpoint); KEDA errors on a multi-series result: ${q}`,
        "aggregate the whole result, e.g. sum(...) or histogram_quantile(q, sum by (le) (...))",
      ),
    ]);
  });

  it("threshold > 0; activationThreshold 0 is allowed", () => {
    expect(soProblems({ triggers: [queueTrigger({ threshold: 0, activationThreshold: undefined })] })).toEqual([
      refusal("spec.triggers[0].metadata.threshold", "threshold 0 must be greater than 0", "give a positive threshold"),
    ]);
    expect(so({ triggers: [queueTrigger({ activationThreshold: 0 })] }).json.spec.triggers[0].metadata.activationThreshold).toBe("0");
  });

  it("auth: modes without a ref, a ref without modes (only that problem), every missing parameter listed", () => {
    expect(soProblems({ triggers: [queueTrigger({ authModes: ["bearer", "basic"] })] })).toEqual([
      refusal(
        "spec.triggers[0].authenticationRef",
        "authModes bearer,basic need credentials",
        "reference a TriggerAuthentication that supplies them",
      ),
    ]);
    const prom = { kind: "TriggerAuthentication" as const, name: "prom", namespace: "ml", parameters: [] as string[] };
    expect(soProblems({ triggers: [queueTrigger({ authenticationRef: { ...prom, parameters: ["bearerToken"] } })] })).toEqual([
      refusal(
        "spec.triggers[0].metadata.authModes",
        "an authenticationRef without authModes is ignored by the prometheus scaler",
        'set authModes, e.g. ["bearer"]',
      ),
    ]);
    expect(soProblems({ triggers: [queueTrigger({ authModes: ["basic"], authenticationRef: prom })] })).toEqual([
      refusal(
        "spec.triggers[0].authenticationRef",
        'TriggerAuthentication prom does not supply "username", "password" (it supplies nothing)',
        "add a secretTargetRef for username, password",
      ),
    ]);
    expect(
      soProblems({ triggers: [queueTrigger({ authModes: ["basic"], authenticationRef: { ...prom, parameters: ["cert", "key"] } })] }),
    ).toEqual([
      refusal(
        "spec.triggers[0].authenticationRef",
        'TriggerAuthentication prom does not supply "username", "password" (it supplies cert, key)',
        "add a secretTargetRef for username, password",
      ),
    ]);
  });

  it("renders the tenant namespace and combined auth modes", () => {
    const auth = {
      kind: "TriggerAuthentication" as const,
      name: "prom",
      namespace: "ml",
      parameters: ["cert", "key", "username", "password"],
    };
    const t = so({ triggers: [queueTrigger({ namespace: "tenant-a", authModes: ["tls", "basic"], authenticationRef: auth })] }).json.spec
      .triggers[0];
    expect(t.metadata).toMatchObject({ namespace: "tenant-a", authModes: "tls,basic" });
    expect(t.authenticationRef).toEqual({ kind: "TriggerAuthentication", name: "prom" });
  });
});

describe("KedaScaledObject TriggerAuthentication namespace", () => {
  it("refuses a TriggerAuthentication in another namespace, with the fix", () => {
    expect(soProblems({ triggers: [rabbit({ authenticationRef: { ...RMQ_AUTH, namespace: "other" } })] })).toEqual([
      refusal(
        "spec.triggers[0].authenticationRef",
        "TriggerAuthentication other/rmq is in another namespace than the ScaledObject (ml)",
        "create it in the ScaledObject's namespace or use a ClusterTriggerAuthentication",
      ),
    ]);
  });

  it("a reference without a namespace, or a cluster-scoped one, is not namespace-checked", () => {
    const { namespace: _, ...noNamespace } = RMQ_AUTH;
    expect(() => so({ triggers: [rabbit({ authenticationRef: noNamespace })] })).not.toThrow();
    const cluster = { kind: "ClusterTriggerAuthentication" as const, name: "rmq", namespace: "other", parameters: ["host"] };
    expect(so({ triggers: [rabbit({ authenticationRef: cluster })] }).json.spec.triggers[0].authenticationRef).toEqual({
      kind: "ClusterTriggerAuthentication",
      name: "rmq",
    });
  });
});

describe("KedaScaledObject cpu/memory, cron and rabbitmq triggers: exact refusals and rendering", () => {
  it("a fractional utilization says what to give", () => {
    expect(soProblems({ triggers: [queueTrigger(), { type: "cpu", value: 85.5 }] })).toEqual([
      refusal("spec.triggers[1].metadata.value", "utilization 85.5 must be a whole percent ≥ 1", "give a percent of the request, e.g. 80"),
    ]);
  });

  it("useCachedMetrics is refused on cron", () => {
    expect(soProblems({ triggers: cron({ useCachedMetrics: true }) })).toEqual([
      refusal(
        "spec.triggers[1].useCachedMetrics",
        "the cron scaler does not support useCachedMetrics (KEDA rejects it)",
        "remove useCachedMetrics from this trigger",
      ),
    ]);
  });

  it("cron: each refusal has its fix", () => {
    expect(soProblems({ triggers: cron({ timezone: "Mars/Olympus" }) })).toEqual([
      refusal("spec.triggers[1].metadata.timezone", '"Mars/Olympus" is not an IANA time zone', "use a name such as Europe/Berlin or UTC"),
    ]);
    expect(soProblems({ triggers: cron({ start: "0 8 * * 1;5" }) })).toEqual([
      refusal(
        "spec.triggers[1].metadata.start",
        '"0 8 * * 1;5" is not a five-field cron expression',
        "write minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5",
      ),
    ]);
    expect(soProblems({ triggers: cron({ end: "0 8 * * *" }) })).toEqual([
      refusal("spec.triggers[1].metadata.end", "start and end are the same: the window never opens", "give different start and end times"),
    ]);
    expect(soProblems({ triggers: cron({ desiredReplicas: 21 }) })).toEqual([
      refusal(
        "spec.triggers[1].metadata.desiredReplicas",
        "21 must be a whole number from 1 to maxReplicaCount 20",
        "hold a count within the bounds",
      ),
    ]);
  });

  it("cron: surrounding and repeated whitespace do not count as fields, nor make start and end differ", () => {
    expect(() => so({ triggers: cron({ start: " 0 8 * * * ", end: "0  18 * * *" }) })).not.toThrow();
    for (const [start, end] of [
      [" 0 8 * * *", "0 8 * * *"],
      ["0 8 * * *", "0 8 * * * "],
    ]) {
      expect(soProblems({ triggers: cron({ start, end }) })).toEqual([
        refusal(
          "spec.triggers[1].metadata.end",
          "start and end are the same: the window never opens",
          "give different start and end times",
        ),
      ]);
    }
  });

  it("rabbitmq: queue name and value refusals have their fixes; activationValue from 0 (included) to below value", () => {
    expect(soProblems({ triggers: [rabbit({ queueName: " ", value: 0 })] })).toEqual([
      refusal("spec.triggers[0].metadata.queueName", "queueName is empty", "name the queue the workers consume"),
      refusal("spec.triggers[0].metadata.value", "value 0 must be greater than 0", "give the per-pod target"),
    ]);
    expect(soProblems({ triggers: [rabbit({ activationValue: -1 })] })).toEqual([
      refusal(
        "spec.triggers[0].metadata.activationValue",
        "activationValue -1 must be ≥ 0 and below value 10",
        "lower the activation value below the value",
      ),
    ]);
    expect(so({ triggers: [rabbit({ activationValue: 0, vhostName: "ml" })] }).json.spec.triggers[0].metadata).toEqual({
      queueName: "predict",
      mode: "QueueLength",
      value: "10",
      activationValue: "0",
      vhostName: "ml",
    });
  });
});
