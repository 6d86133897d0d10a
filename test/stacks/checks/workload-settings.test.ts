/**
 * stacks/checks/workload-settings.ts: the cross-field rules of the optional workloads (queue
 * workers, orchestrator, GPU service, pre-scaling windows) and of the burst, wake-up and
 * network-policy settings, each at its boundary and with the line the user reads.
 */
import { describe, expect, it } from "vitest";
import type { EnvConfig } from "../../../stacks/config.js";
import { checkConfig, config } from "./fixtures.js";

const RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "256Mi" } };
const WORKER = { name: "w", image: "registry.example.com/ml/worker:1.0.0", app: "tasks.app", queueName: "jobs", resources: RESOURCES };
const ORCHESTRATOR = { image: "registry.example.com/ml/orchestrator:2.3.0", resources: RESOURCES };
const GPU = {
  image: "vllm/vllm-openai:v0.6.3",
  model: "Qwen/Qwen2.5-7B-Instruct",
  resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
};
// Queue workers deny nothing by default (egress off), so they need no broker peer here.
const capacity = { capacity: { cpu: "64", memory: "128Gi" } };

/** Config-phase errors of `c` as `CODE path: message | fix`. */
function lines(c: EnvConfig): string[] {
  return checkConfig(c).errors.map((e) => `${e.code} ${e.path}: ${e.message} | ${e.fix}`);
}

function errors(patch: Record<string, unknown>): string[] {
  return lines(config({ ...capacity, ...patch }));
}

function errorsAt(path: string, patch: Record<string, unknown>): string[] {
  return errors(patch).filter((l) => l.split(" ")[1] === `${path}:`);
}

describe("queue workers", () => {
  it("the fixture with one worker passes", () => {
    expect(errors({ queueWorkers: [WORKER] })).toEqual([]);
  });

  it("refuses two workers with one name", () => {
    expect(errors({ queueWorkers: [WORKER, WORKER] })).toEqual([
      'CONFIG_CONFLICT queueWorkers[1].name: name "w" is already used by another workload | give each workload its own name',
    ]);
  });

  it("refuses min above max and accepts them equal", () => {
    expect(errors({ queueWorkers: [{ ...WORKER, minReplicas: 4, maxReplicas: 3 }] })).toEqual([
      "CONFIG_CONFLICT queueWorkers[0].minReplicas: minReplicas 4 is greater than maxReplicas 3 | lower minReplicas or raise maxReplicas",
    ]);
    expect(errors({ queueWorkers: [{ ...WORKER, minReplicas: 3, maxReplicas: 3 }] })).toEqual([]);
  });

  it("refuses a cooldown shorter than the polling interval", () => {
    expect(errors({ queueWorkers: [{ ...WORKER, pollingInterval: 30, cooldownPeriod: 20 }] })).toEqual([
      expect.stringMatching(/^CONFIG_CONFLICT queueWorkers\[0\]\.cooldownPeriod: cooldownPeriod 20 s is shorter than pollingInterval 30 s/),
    ]);
  });

  it("refuses activationValue at targetPerReplica and accepts one below", () => {
    expect(errors({ queueWorkers: [{ ...WORKER, targetPerReplica: 5, activationValue: 5 }] })).toEqual([
      "CONFIG_CONFLICT queueWorkers[0].activationValue: activationValue 5 must be below targetPerReplica 5 | lower the activation value",
    ]);
    expect(errors({ queueWorkers: [{ ...WORKER, targetPerReplica: 5, activationValue: 4.9 }] })).toEqual([]);
  });

  it("refuses the broker URL in plain env as PLAINTEXT_CREDENTIAL, and accepts other variables", () => {
    expect(errors({ queueWorkers: [{ ...WORKER, env: { CELERY_BROKER_URL: "amqp://u:p@mq/" } }] })).toEqual([
      "PLAINTEXT_CREDENTIAL queueWorkers[0].env.CELERY_BROKER_URL: the broker URL is a credential and comes from the connection Secret | remove it from env and set it with pulumi config set --secret rabbitmqConnection",
    ]);
    expect(errors({ queueWorkers: [{ ...WORKER, env: { LOG_LEVEL: "info" } }] })).toEqual([]);
  });

  it("refuses queue workers without KEDA in the cluster, once for the list", () => {
    const noKeda = { cluster: { keda: false }, scaling: { mode: "slo-hpa" } };
    expect(errors({ ...noKeda, queueWorkers: [WORKER, { ...WORKER, name: "w2" }] })).toEqual([
      "CONFIG_CONFLICT queueWorkers: a queue worker is scaled by KEDA, but cluster.keda is false | set cluster.keda true or remove queueWorkers",
    ]);
    expect(errors(noKeda)).toEqual([]);
  });
});

describe("orchestrator", () => {
  it("the fixture with an orchestrator passes", () => {
    expect(errors({ orchestrator: ORCHESTRATOR })).toEqual([]);
  });

  it("refuses the name of the inference service", () => {
    const c = config({ ...capacity, orchestrator: ORCHESTRATOR });
    const clash = { ...c, orchestrator: { ...c.orchestrator!, name: c.service.name } };
    expect(lines(clash)).toEqual([
      'CONFIG_CONFLICT orchestrator.name: name "inference" is already used by the inference service | give each workload its own name',
    ]);
  });

  it("refuses min above max, a short cooldown, activation at the in-flight target and one port for both", () => {
    expect(errors({ orchestrator: { ...ORCHESTRATOR, minReplicas: 3, maxReplicas: 2 } })).toEqual([
      "CONFIG_CONFLICT orchestrator.minReplicas: minReplicas 3 is greater than maxReplicas 2 | lower minReplicas or raise maxReplicas",
    ]);
    expect(
      errorsAt("orchestrator.cooldownPeriod", { orchestrator: { ...ORCHESTRATOR, pollingInterval: 30, cooldownPeriod: 29 } }),
    ).toHaveLength(1);
    expect(errors({ orchestrator: { ...ORCHESTRATOR, inFlightPerReplica: 8, activation: 8 } })).toEqual([
      "CONFIG_CONFLICT orchestrator.activation: activation 8 must be below inFlightPerReplica 8 | lower the activation value",
    ]);
    expect(errors({ orchestrator: { ...ORCHESTRATOR, inFlightPerReplica: 8, activation: 7 } })).toEqual([]);
    expect(errors({ orchestrator: { ...ORCHESTRATOR, port: 9100, metricsPort: 9100 } })).toEqual([
      "CONFIG_CONFLICT orchestrator.metricsPort: metricsPort 9100 equals the API port | use a separate port (default 9090)",
    ]);
  });

  it("needs KEDA and a ServiceMonitor scrape", () => {
    expect(errors({ cluster: { keda: false }, scaling: { mode: "slo-hpa" }, orchestrator: ORCHESTRATOR })).toEqual([
      "CONFIG_CONFLICT orchestrator: the orchestrator is scaled by KEDA, but cluster.keda is false | set cluster.keda true or remove orchestrator",
    ]);
    expect(errorsAt("orchestrator", { monitoring: { scrape: "pod-annotations" }, orchestrator: ORCHESTRATOR })).toEqual([
      'METRIC_NOT_SCRAPED orchestrator: orchestrator is scraped through a ServiceMonitor, but monitoring.scrape is "pod-annotations" | use monitoring.scrape "service-monitor" (Prometheus Operator) or remove orchestrator',
    ]);
  });
});

describe("GPU service", () => {
  it("the fixture with a GPU service passes", () => {
    expect(errors({ gpu: GPU })).toEqual([]);
  });

  it("refuses a name already taken", () => {
    expect(errors({ orchestrator: ORCHESTRATOR, gpu: { ...GPU, name: "orchestrator" } })).toEqual([
      'CONFIG_CONFLICT gpu.name: name "orchestrator" is already used by another workload | give each workload its own name',
    ]);
  });

  it("refuses activationWaiting at waitingPerReplica and accepts one below", () => {
    expect(errors({ gpu: { ...GPU, waitingPerReplica: 4, activationWaiting: 4 } })).toEqual([
      "CONFIG_CONFLICT gpu.activationWaiting: activationWaiting 4 must be below waitingPerReplica 4 | lower the activation value",
    ]);
    expect(errors({ gpu: { ...GPU, waitingPerReplica: 4, activationWaiting: 3 } })).toEqual([]);
  });

  it("refuses a cooldown shorter than the model load and accepts it equal", () => {
    expect(errors({ gpu: { ...GPU, modelLoadSeconds: 600, cooldownSeconds: 599 } })).toEqual([
      "CONFIG_CONFLICT gpu.cooldownSeconds: cooldownSeconds 599 is shorter than modelLoadSeconds 600: a replica would be removed sooner than one takes to start | set cooldownSeconds ≥ 600",
    ]);
    expect(errors({ gpu: { ...GPU, modelLoadSeconds: 600, cooldownSeconds: 600 } })).toEqual([]);
  });

  it("holds fallbackReplicas within its bounds, both included, and skips it when the bounds contradict", () => {
    const at = (over: Record<string, unknown>) => errors({ gpu: { ...GPU, minReplicas: 1, maxReplicas: 4, ...over } });
    expect(at({ fallbackReplicas: 1 })).toEqual([]);
    expect(at({ fallbackReplicas: 4 })).toEqual([]);
    expect(at({ fallbackReplicas: 5 })).toEqual([
      "CONFIG_CONFLICT gpu.fallbackReplicas: fallbackReplicas 5 is outside minReplicas 1 … maxReplicas 4 (the HPA would clamp it) | hold a count between the bounds",
    ]);
    expect(at({ minReplicas: 3, fallbackReplicas: 2 })).toHaveLength(1);
    expect(at({ minReplicas: 5, fallbackReplicas: 6 })).toEqual([
      "CONFIG_CONFLICT gpu.minReplicas: minReplicas 5 is greater than maxReplicas 4 | lower minReplicas or raise maxReplicas",
    ]);
  });

  it("with minReplicas equal to maxReplicas the fallback must be that count", () => {
    expect(errors({ gpu: { ...GPU, minReplicas: 2, maxReplicas: 2, fallbackReplicas: 2 } })).toEqual([]);
    expect(errors({ gpu: { ...GPU, minReplicas: 2, maxReplicas: 2, fallbackReplicas: 3 } })).toEqual([
      "CONFIG_CONFLICT gpu.fallbackReplicas: fallbackReplicas 3 is outside minReplicas 2 … maxReplicas 2 (the HPA would clamp it) | hold a count between the bounds",
    ]);
  });

  it("needs KEDA and a ServiceMonitor scrape", () => {
    expect(errors({ cluster: { keda: false }, scaling: { mode: "slo-hpa" }, gpu: GPU })).toEqual([
      "CONFIG_CONFLICT gpu: the GPU service is scaled by KEDA, but cluster.keda is false | set cluster.keda true or remove gpu",
    ]);
    expect(errorsAt("gpu", { monitoring: { scrape: "pod-annotations" }, gpu: GPU })).toEqual([
      'METRIC_NOT_SCRAPED gpu: gpu is scraped through a ServiceMonitor, but monitoring.scrape is "pod-annotations" | use monitoring.scrape "service-monitor" (Prometheus Operator) or remove gpu',
    ]);
  });
});

describe("pre-scaling windows", () => {
  const WINDOW = { name: "peak", target: "orchestrator", start: "08:00", end: "18:00", replicas: 4 };
  const windows = (...w: Record<string, unknown>[]) =>
    errors({ orchestrator: ORCHESTRATOR, prescaling: w.map((x) => ({ ...WINDOW, ...x })) });

  it("accepts a window that raises its target's minimum up to its maximum", () => {
    expect(windows({ replicas: 3 })).toEqual([]);
    expect(windows({ replicas: 10 })).toEqual([]);
  });

  it("refuses a window name used twice for one target, not for two targets", () => {
    expect(windows({}, {})).toEqual([
      'CONFIG_CONFLICT prescaling[1].name: window "peak" is defined twice for orchestrator | give each window its own name',
    ]);
    expect(windows({}, { target: "inference", replicas: 6 })).toEqual([]);
  });

  it("refuses an unknown target, naming the workloads it may target", () => {
    expect(windows({ target: "nope" })).toEqual([
      'CONFIG_CONFLICT prescaling[0].target: "nope" is not a workload pre-scaling can target | target one of inference, orchestrator',
    ]);
  });

  it("refuses replicas above the target's maximum and at its minimum", () => {
    expect(windows({ replicas: 11 })).toEqual([
      "CONFIG_CONFLICT prescaling[0].replicas: replicas 11 exceed orchestrator's maxReplicas 10 | lower replicas or raise maxReplicas",
    ]);
    expect(windows({ replicas: 2 })).toEqual([
      "CONFIG_CONFLICT prescaling[0].replicas: replicas 2 do not raise orchestrator's minReplicas 2: the window would do nothing | ask for more than 2",
    ]);
  });

  it("holds a window on the inference service to the service's own bounds", () => {
    expect(windows({ target: "inference", replicas: 11 })).toEqual([
      "CONFIG_CONFLICT prescaling[0].replicas: replicas 11 exceed inference's maxReplicas 10 | lower replicas or raise maxReplicas",
    ]);
    expect(windows({ target: "inference", replicas: 2 })).toEqual([
      "CONFIG_CONFLICT prescaling[0].replicas: replicas 2 do not raise inference's minReplicas 2: the window would do nothing | ask for more than 2",
    ]);
  });

  it("refuses a window whose start is its end", () => {
    expect(windows({ start: "09:00", end: "09:00" })).toEqual([
      "CONFIG_CONFLICT prescaling[0].end: start and end are both 09:00: the window has no length | give different times",
    ]);
  });
});

describe("burst trigger", () => {
  // The burst window defaults to 2 scrape intervals (30 s at the fixture's 15 s).
  const burst = (over: Record<string, unknown> = {}, stabilization = 30) =>
    errors({ scaling: { burst: { enabled: true }, behavior: { scaleUp: { stabilizationWindowSeconds: stabilization } }, ...over } });

  it("passes with a scale-up stabilization as long as the burst window", () => {
    expect(burst()).toEqual([]);
  });

  it("refuses a scale-up stabilization longer than the default window of two scrapes", () => {
    expect(burst({}, 31)).toEqual([
      "CONFIG_CONFLICT scaling.behavior.scaleUp.stabilizationWindowSeconds: scale-up stabilization 31s is longer than the burst window 30s: the HPA takes the lowest recommendation of the last 31s, so a burst is acted on only once it has lasted that long | set scaling.behavior.scaleUp.stabilizationWindowSeconds ≤ 30 (the scale-down window keeps it from flapping)",
    ]);
    expect(
      errors({ scaling: { burst: { enabled: true, windowSeconds: 60 }, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } } }),
    ).toEqual([]);
  });

  it("leaves the stabilization alone while the burst trigger is off", () => {
    expect(errors({ scaling: { behavior: { scaleUp: { stabilizationWindowSeconds: 300 } } } })).toEqual([]);
  });

  it("refuses it in mode cpu-hpa and without the concurrency trigger", () => {
    expect(errorsAt("scaling.burst.enabled", { scaling: { mode: "cpu-hpa", burst: { enabled: true } } })).toEqual([
      "CONFIG_CONFLICT scaling.burst.enabled: the burst trigger reads in-flight requests, which mode cpu-hpa does not scale on | use mode keda or slo-hpa, or turn burst off",
    ]);
    expect(burst({ concurrency: { enabled: false } })).toEqual([
      "CONFIG_CONFLICT scaling.burst.enabled: the burst trigger is 2× the concurrency target, but scaling.concurrency.enabled is false | enable scaling.concurrency or turn burst off",
    ]);
  });
});

describe("wake-up signal", () => {
  const WAKE = {
    source: { namespace: "ingress-nginx", job: "ingress-nginx-controller-metrics" },
    metric: { name: "nginx_ingress_controller_requests", type: "counter", labels: ["ingress", "status"] },
    matchers: { ingress: "inference" },
    activation: 1,
    threshold: 5,
  };
  const wake = (over: Record<string, unknown>, scaling: Record<string, unknown> = {}) =>
    errors({ scaling: { minReplicas: 0, ...scaling, wakeUp: { ...WAKE, ...over } } });

  it("passes with a counter, declared matcher labels and activation below threshold", () => {
    expect(wake({})).toEqual([]);
    expect(wake({ activation: 4.9 })).toEqual([]);
  });

  it("refuses it outside mode keda", () => {
    expect(errorsAt("scaling.wakeUp", { scaling: { mode: "slo-hpa", wakeUp: WAKE } })).toEqual([
      'CONFIG_CONFLICT scaling.wakeUp: a wake-up trigger is a KEDA trigger, but scaling.mode is "slo-hpa" | use mode keda or remove scaling.wakeUp',
    ]);
  });

  it("refuses a histogram as the signal", () => {
    expect(wake({ metric: { ...WAKE.metric, type: "histogram", buckets: [0.1, 1] } })).toEqual([
      "CONFIG_CONFLICT scaling.wakeUp.metric.type: a wake-up signal is a counter (requests) or a gauge (backlog), not a histogram | declare the gateway's request counter",
    ]);
  });

  it("refuses a matcher on an undeclared label, listing the declared ones (or none)", () => {
    expect(wake({ matchers: { ingress: "inference", host: "x" } })).toEqual([
      'QUERY_LABEL_MISMATCH scaling.wakeUp.matchers.host: label "host" is not declared on nginx_ingress_controller_requests (labels: ingress, status) | add it to scaling.wakeUp.metric.labels or match on a declared label',
    ]);
    expect(wake({ metric: { ...WAKE.metric, labels: [] } })).toEqual([
      'QUERY_LABEL_MISMATCH scaling.wakeUp.matchers.ingress: label "ingress" is not declared on nginx_ingress_controller_requests (labels: none) | add it to scaling.wakeUp.metric.labels or match on a declared label',
    ]);
  });

  it("refuses activation at the threshold", () => {
    expect(wake({ activation: 5 })).toEqual([
      "CONFIG_CONFLICT scaling.wakeUp.activation: activation 5 must be below threshold 5 | lower the activation value",
    ]);
  });
});

describe("network policies", () => {
  it("may be off only on a local cluster", () => {
    expect(errors({ networkPolicy: { enabled: false } })).toEqual([
      'CONFIG_CONFLICT networkPolicy.enabled: network policies may be off only on a local cluster, and cluster.kind is "cloud" | remove networkPolicy.enabled (policies on) or set cluster.kind local for a laptop cluster',
    ]);
    expect(errors({ cluster: { kind: "local" }, networkPolicy: { enabled: false } })).toEqual([]);
  });

  it("with egress denied, queue workers need their broker declared", () => {
    expect(errors({ networkPolicy: { egress: true }, queueWorkers: [WORKER] })).toEqual([
      "CONFIG_MISSING networkPolicy.rabbitmq: egress is denied but the queue workers' broker is not declared: they could not reach RabbitMQ | set networkPolicy.rabbitmq { namespace, podLabels, port } or turn networkPolicy.egress off",
    ]);
    const rabbitmq = { namespace: "mq", podLabels: { app: "rabbitmq" } };
    expect(errors({ networkPolicy: { egress: true, rabbitmq }, queueWorkers: [WORKER] })).toEqual([]);
    expect(errors({ networkPolicy: { egress: true } })).toEqual([]);
    expect(errors({ cluster: { kind: "local" }, networkPolicy: { enabled: false, egress: true }, queueWorkers: [WORKER] })).toEqual([]);
  });
});
