/** The props added to InferenceService for GPU servers: defaults leave its output unchanged. */
import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { InferenceService, type InferenceServiceProps } from "../../constructs/inference-service.js";
import { DEFAULT_CONTRACT } from "../../promql/metrics.js";

const identity = { name: "inference", instance: "inference-test", component: "inference-api", partOf: "ml-platform" };

function render(props: Partial<InferenceServiceProps> = {}) {
  const chart = new Chart(Testing.app(), "test", { disableResourceNameHashes: true });
  new InferenceService(chart, "svc", {
    namespace: "ns",
    identity,
    image: "registry.example.com/ml/inference:1.0.0",
    resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
    ...props,
  });
  const objs = chart.toJson();
  const dep = objs.find((o) => o.kind === "Deployment");
  return {
    objs,
    pod: dep.spec.template.spec,
    container: dep.spec.template.spec.containers[0],
    service: objs.find((o) => o.kind === "Service"),
  };
}

describe("InferenceService GPU extensions", () => {
  it("renders no GPU fields by default", () => {
    const { pod, container } = render();
    expect(pod).not.toHaveProperty("nodeSelector");
    expect(pod).not.toHaveProperty("tolerations");
    expect(container).not.toHaveProperty("args");
    expect(container.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } });
  });

  it("renders extended resources as equal request and limit, node selector, tolerations, args", () => {
    const { pod, container } = render({
      extendedResources: { "nvidia.com/gpu": 2 },
      nodeSelector: { gpu: "a100" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      args: ["--model", "m"],
    });
    expect(container.resources.requests["nvidia.com/gpu"]).toBe(2);
    expect(container.resources.limits).toEqual({ memory: "2Gi", "nvidia.com/gpu": 2 });
    expect(pod.nodeSelector).toEqual({ gpu: "a100" });
    expect(pod.tolerations).toHaveLength(1);
    expect(container.args).toEqual(["--model", "m"]);
  });

  it("mounts scratch volumes beside /tmp and can leave out the tuning env", () => {
    const { pod, container } = render({
      scratchVolumes: [{ name: "cache", mountPath: "/cache", sizeLimit: "10Gi" }],
      tuningEnv: false,
      env: { A: "1" },
    });
    expect(container.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "cache", mountPath: "/cache" },
    ]);
    expect(pod.volumes[1]).toEqual({ name: "cache", emptyDir: { sizeLimit: "10Gi" } });
    expect(container.env).toEqual([{ name: "A", value: "1" }]);
  });

  it("lets /metrics share the API port only when the contract names that port http", () => {
    const shared = render({ metrics: { ...DEFAULT_CONTRACT, port: 8000, portName: "http" } });
    expect(shared.container.ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    expect(shared.service.spec.ports).toHaveLength(1);
    expect(() => render({ metrics: { ...DEFAULT_CONTRACT, port: 8000 } })).toThrow(/metrics port 8000 must differ from the API port 8000/);
  });

  it("rejects bad extension props naming the values", () => {
    expect(() => render({ extendedResources: { "nvidia.com/gpu": 0.5 } })).toThrow(/extended resource nvidia.com\/gpu: 0.5/);
    expect(() => render({ scratchVolumes: [{ name: "x", mountPath: "/tmp", sizeLimit: "1Gi" }] })).toThrow(
      /collides with the built-in \/tmp/,
    );
  });
});
