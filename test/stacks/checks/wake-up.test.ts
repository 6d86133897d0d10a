/**
 * ZERO_WITHOUT_WAKEUP: a ScaledObject that may sit at zero needs an activating trigger whose
 * signal exists while no pod runs. Hand-built ScaledObjects on the coherent environment.
 */
import { describe, expect, it } from "vitest";
import { check, checkConfig, coherent, config, expectErrors, mutate, NS, P95, promTrigger, QUEUE, type Run } from "./fixtures.js";
import type { K8sObject } from "../../../stacks/checks/index.js";

const GATEWAY =
  'sum(rate(nginx_ingress_controller_requests{namespace="ingress-nginx",job="ingress-nginx-controller-metrics",ingress="inference"}[2m]))';

function atZero(triggers: K8sObject[], spec: Record<string, unknown> = { minReplicaCount: 0 }): Run {
  const objects = mutate(coherent(), (get) => {
    const so = get("ScaledObject");
    Object.assign(so.spec, spec);
    so.spec.triggers = triggers;
    delete so.spec.fallback;
  });
  return check(objects);
}

const cpu = { type: "cpu", metricType: "Utilization", metadata: { value: "85", containerName: "server" } };
const latency = promTrigger(P95, { threshold: "0.5", activationThreshold: "0.3" }, { name: "p95-latency", metricType: "Value" });
const queue = promTrigger(QUEUE, {}, { name: "queue-length" });

describe("ZERO_WITHOUT_WAKEUP", () => {
  it("minReplicaCount 0 with only the pods' own latency and queue series", () => {
    const [e] = expectErrors(atZero([latency, queue, cpu]), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.resource).toBe(`ScaledObject ${NS}/inference`);
    expect(e!.path).toBe("spec.minReplicaCount");
    expect(e!.message).toMatch(
      /triggers\[0\] p95-latency \(prometheus\), spec\.triggers\[1\] queue-length \(prometheus\)\) reads only series its own pods export/,
    );
    expect(e!.fix).toMatch(/scaling\.wakeUp/);
  });

  it("minReplicaCount left out is KEDA's default 0; idleReplicaCount 0 counts too", () => {
    expectErrors(atZero([latency, cpu], { minReplicaCount: undefined }), ["ZERO_WITHOUT_WAKEUP"]);
    const [e] = expectErrors(atZero([latency, cpu], { minReplicaCount: 1, idleReplicaCount: 0 }), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.path).toBe("spec.idleReplicaCount");
  });

  it("a cron trigger is a clock, not a wake-up", () => {
    const cron = {
      type: "cron",
      name: "office",
      metadata: { timezone: "UTC", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "2" },
    };
    const [e] = expectErrors(atZero([latency, cron]), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.message).toMatch(/or a clock/);
  });

  it("a query without job matcher on a contract metric is the pods' own series", () => {
    expectErrors(atZero([promTrigger('sum(inference_queue_len{namespace="ml-t"})', {}, { name: "queue" })]), ["ZERO_WITHOUT_WAKEUP"]);
  });

  it("passes with a gateway counter scoped to another job, a broker trigger, or minReplicaCount ≥ 1", () => {
    expect(
      atZero([latency, promTrigger(GATEWAY, { threshold: "5", activationThreshold: "0" }, { name: "wake-up" })]).codes(),
    ).not.toContain("ZERO_WITHOUT_WAKEUP");
    const rabbit = {
      type: "rabbitmq",
      name: "q",
      metricType: "AverageValue",
      metadata: { queueName: "jobs", mode: "QueueLength", value: "20" },
      authenticationRef: { name: "rabbit" },
    };
    expect(atZero([latency, rabbit]).codes()).not.toContain("ZERO_WITHOUT_WAKEUP");
    expect(atZero([latency, cpu], { minReplicaCount: 1 }).codes()).not.toContain("ZERO_WITHOUT_WAKEUP");
  });

  it("config phase: scaling.minReplicas 0 in mode keda without scaling.wakeUp names the field", () => {
    const [e] = expectErrors(checkConfig(config({ scaling: { minReplicas: 0 } })), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.resource).toBe("EnvConfig t");
    expect(e!.path).toBe("scaling.minReplicas");
    // minReplicas 2: at 1 the disruption-budget warning (PDB_ALLOWS_OUTAGE) rightly joins in.
    expect(checkConfig(config({ scaling: { minReplicas: 2, keda: { idleReplicaCount: 0 } } })).codes()).toEqual(["ZERO_WITHOUT_WAKEUP"]);
    const wakeUp = {
      source: { namespace: "ingress-nginx", job: "ingress-nginx-controller-metrics" },
      metric: { name: "nginx_ingress_controller_requests", type: "counter", labels: ["ingress", "status"] },
      matchers: { ingress: "inference" },
      threshold: 5,
    };
    expect(checkConfig(config({ scaling: { minReplicas: 0, wakeUp } })).findings).toEqual([]);
  });
});
