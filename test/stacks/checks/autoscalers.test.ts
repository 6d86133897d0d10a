import { describe, expect, it } from "vitest";
import { check, coherent, container, deployment, expectErrors, hpa, mutate, NS, scaledObject } from "./fixtures.js";

describe("MULTIPLE_AUTOSCALERS: one autoscaler per workload", () => {
  it("passes one ScaledObject on the Deployment", () => {
    expect(check(coherent()).findings).toEqual([]);
  });

  it("MULTIPLE_AUTOSCALERS: an HPA beside the ScaledObject", () => {
    const [f] = expectErrors(check([...coherent(), hpa()]), ["MULTIPLE_AUTOSCALERS"]);
    expect(f!.resource).toBe(`HorizontalPodAutoscaler ${NS}/inference`);
    expect(f!.message).toMatch(/Deployment ml-t\/inference is already scaled by ScaledObject ml-t\/inference/);
  });

  it("MULTIPLE_AUTOSCALERS: two ScaledObjects, and two HPAs", () => {
    const two = check([...coherent(), scaledObject({ name: "inference-cron" })]);
    expect(expectErrors(two, ["MULTIPLE_AUTOSCALERS"])).toHaveLength(1);
    const hpas = coherent().filter((o) => o.kind !== "ScaledObject");
    expectErrors(check([...hpas, hpa(), hpa({ name: "inference-2" })]), ["MULTIPLE_AUTOSCALERS"]);
  });

  it("AUTOSCALER_TARGET_MISSING: scaleTargetRef names a workload that is not rendered", () => {
    const objects = mutate(coherent(), (get) => (get("ScaledObject").spec.scaleTargetRef.name = "inference-api"));
    expect(expectErrors(check(objects), ["AUTOSCALER_TARGET_MISSING"])[0]!.path).toBe("spec.scaleTargetRef.name");
  });

  it("REPLICAS_WITH_AUTOSCALER: a warning, not an error, when the autoscaled Deployment keeps spec.replicas", () => {
    const objects = mutate(coherent(), (get) => (get("Deployment").spec.replicas = 3));
    const r = check(objects);
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => [f.code, f.severity, f.path])).toEqual([["REPLICAS_WITH_AUTOSCALER", "warning", "spec.replicas"]]);
  });
});

describe("RESOURCE_METRIC_WITHOUT_REQUESTS: utilization needs requests on the target container", () => {
  const noCpuRequest = container({ resources: { requests: { memory: "2Gi" }, limits: { memory: "2Gi" } } });

  it("RESOURCE_METRIC_WITHOUT_REQUESTS: a KEDA cpu trigger on a container without a cpu request", () => {
    const objects = mutate(coherent(), (get) => (get("Deployment").spec.template.spec.containers = [noCpuRequest]));
    const errors = expectErrors(check(objects), ["RESOURCE_METRIC_WITHOUT_REQUESTS", "POD_RESOURCES_MISSING"]);
    const f = errors.find((e) => e.code === "RESOURCE_METRIC_WITHOUT_REQUESTS")!;
    expect(f.resource).toBe(`ScaledObject ${NS}/inference`);
    expect(f.path).toBe("spec.triggers[2]");
    expect(f.message).toMatch(/container "server" .* requests no cpu/);
  });

  it("passes an AverageValue cpu trigger (no request needed) and ignores a sidecar the trigger does not name", () => {
    const sidecar = container({ name: "proxy", ports: [], resources: { requests: { memory: "64Mi" }, limits: { memory: "64Mi" } } });
    const objects = mutate(coherent(), (get) => get("Deployment").spec.template.spec.containers.push(sidecar));
    // the sidecar lacks a cpu request: POD_RESOURCES_MISSING, but the trigger names container "server"
    expectErrors(check(objects), ["POD_RESOURCES_MISSING"]);
    const avg = mutate(coherent(), (get) => {
      get("Deployment").spec.template.spec.containers = [noCpuRequest];
      get("ScaledObject").spec.triggers[2] = { type: "cpu", metricType: "AverageValue", metadata: { value: "500m" } };
    });
    expectErrors(check(avg), ["POD_RESOURCES_MISSING"]);
  });

  it("RESOURCE_METRIC_WITHOUT_REQUESTS: a trigger naming a container the pod does not have", () => {
    const objects = mutate(coherent(), (get) => (get("ScaledObject").spec.triggers[2].metadata.containerName = "app"));
    expect(expectErrors(check(objects), ["RESOURCE_METRIC_WITHOUT_REQUESTS"])[0]!.message).toMatch(/names container "app"/);
  });

  it("RESOURCE_METRIC_WITHOUT_REQUESTS: an HPA Resource Utilization metric (every container), and ContainerResource", () => {
    const base = [deployment({ containers: [noCpuRequest] })];
    expect(
      expectErrors(check([...base, hpa()]), ["RESOURCE_METRIC_WITHOUT_REQUESTS", "POD_RESOURCES_MISSING"]).find(
        (f) => f.code === "RESOURCE_METRIC_WITHOUT_REQUESTS",
      )!.path,
    ).toBe("spec.metrics[0].resource");
    const cr = hpa({
      metrics: [
        {
          type: "ContainerResource",
          containerResource: { name: "memory", container: "server", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ],
    });
    const noMemory = [deployment({ containers: [container({ resources: { requests: { cpu: "1" }, limits: { memory: "2Gi" } } })] }), cr];
    expectErrors(check(noMemory), ["RESOURCE_METRIC_WITHOUT_REQUESTS", "POD_RESOURCES_MISSING"]);
    expect(check([deployment(), cr]).errors).toEqual([]);
  });
});
