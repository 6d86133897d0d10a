import { describe, expect, it } from "vitest";
import { podRequests } from "../../../stacks/checks/capacity.js";
import { check, checkConfig, coherent, config, container, deployment, expectErrors, hpa, mutate, NS, quota } from "./fixtures.js";

const withQuota = (cpu: string, memory: string, objects = coherent()) => [
  ...objects.filter((o) => o.kind !== "ResourceQuota"),
  quota(cpu, memory),
];

describe("CAPACITY_EXCEEDED: maximum replicas × requests fit the namespace quota", () => {
  it("config: passes 10 × 1 CPU / 2Gi in 16 CPU / 32Gi", () => {
    expect(checkConfig(config()).findings).toEqual([]);
  });

  it("CAPACITY_EXCEEDED (config): maxReplicas × requests above capacity, for each resource", () => {
    const errors = expectErrors(checkConfig(config({ scaling: { maxReplicas: 20 } })), ["CAPACITY_EXCEEDED"]);
    expect(errors.map((e) => e.path)).toEqual(["capacity.cpu", "capacity.memory"]);
    expect(errors[0]!.message).toMatch(/maxReplicas 20 × 1 cpu requested per pod = 20 CPU, above capacity\.cpu 16/);
    expect(errors[0]!.fix).toMatch(/lower scaling\.maxReplicas to 16/);
  });

  it("rendered: passes the ScaledObject's maximum inside the quota", () => {
    expect(check(coherent()).findings).toEqual([]);
  });

  it("CAPACITY_EXCEEDED (rendered): ScaledObject max 10 × 1 CPU over a quota of 8, naming each workload", () => {
    const errors = expectErrors(check(withQuota("8", "64Gi")), ["CAPACITY_EXCEEDED"]);
    expect(errors[0]!.resource).toBe(`ResourceQuota ${NS}/compute`);
    expect(errors[0]!.path).toBe('spec.hard["requests.cpu"]');
    expect(errors[0]!.message).toMatch(/max 10 \(ScaledObject ml-t\/inference\) × 1 CPU/);
  });

  it("CAPACITY_EXCEEDED (rendered): every workload of the namespace counts (fixed replicas too)", () => {
    const sidecarApp = deployment({
      name: "orchestrator",
      replicas: 3,
      labels: { "app.kubernetes.io/name": "orchestrator" },
      containers: [container({ resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { memory: "1Gi" } } })],
    });
    expect(check(withQuota("16", "64Gi", [...coherent(), sidecarApp])).errors).toEqual([]);
    expectErrors(check(withQuota("15", "64Gi", [...coherent(), sidecarApp])), ["CAPACITY_EXCEEDED"]);
  });

  it("uses the HPA's maxReplicas and KEDA's default of 100 when maxReplicaCount is unset", () => {
    const hpas = [...coherent().filter((o) => o.kind !== "ScaledObject"), hpa({ max: 30 })];
    expect(expectErrors(check(withQuota("20", "64Gi", hpas)), ["CAPACITY_EXCEEDED"])[0]!.message).toMatch(/max 30/);
    const unbounded = mutate(coherent(), (get) => delete get("ScaledObject").spec.maxReplicaCount);
    expect(expectErrors(check(withQuota("64", "512Gi", unbounded)), ["CAPACITY_EXCEEDED"])[0]!.message).toMatch(/max 100/);
  });

  it("CAPACITY_NO_ROLLOUT_HEADROOM: a warning when maxSurge pods at maximum do not fit", () => {
    // 10 × 1 CPU fits 12, but a rollout adds ceil(25% × 10) = 3 pods
    const r = check(withQuota("12", "64Gi"));
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([["CAPACITY_NO_ROLLOUT_HEADROOM", "warning"]]);
    const recreate = mutate(withQuota("12", "64Gi"), (get) => (get("Deployment").spec.strategy = { type: "Recreate" }));
    expect(check(recreate).findings).toEqual([]);
  });

  it("podRequests: the sum of containers, or the largest init container when bigger", () => {
    const t = deployment({ containers: [container(), container({ name: "b" })] }).spec.template;
    expect(podRequests(t)).toEqual({ cpu: 2, memory: 4 * 2 ** 30 });
    t.spec.initContainers = [container({ name: "init", resources: { requests: { cpu: "3", memory: "1Gi" } } })];
    expect(podRequests(t)).toEqual({ cpu: 3, memory: 4 * 2 ** 30 });
  });
});
