import { describe, expect, it } from "vitest";
import { podRequests } from "../../../stacks/checks/capacity.js";
import type { K8sObject } from "../../../stacks/checks/types.js";
import { check, checkConfig, coherent, config, container, deployment, expectErrors, hpa, input, mutate, NS, quota } from "./fixtures.js";

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

describe("CAPACITY_EXCEEDED / CAPACITY_NO_ROLLOUT_HEADROOM: which workloads count, at which ceiling, against which quota entry", () => {
  const res = (cpu: string, memory: string, limits: Record<string, string> = { memory }) => ({
    resources: { requests: { cpu, memory }, limits },
  });
  /** Objects with the quota's hard entries replaced. */
  const withHard = (hard: Record<string, unknown>, objects = coherent()) =>
    mutate(objects, (get) => (get("ResourceQuota").spec.hard = hard));
  const pod = (name: string, c = container(res("1", "1Gi"))) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: { ...deployment().spec.template.spec, containers: [c] },
  });
  const job = (kind: "Job" | "CronJob", parallelism?: number) => {
    const jobSpec = {
      ...(parallelism !== undefined ? { parallelism } : {}),
      template: {
        spec: {
          ...deployment().spec.template.spec,
          containers: [container({ ...res("3", "1Gi"), readinessProbe: undefined, livenessProbe: undefined })],
        },
      },
    };
    return {
      apiVersion: "batch/v1",
      kind,
      metadata: { name: "load", namespace: NS },
      spec: kind === "Job" ? jobSpec : { schedule: "* * * * *", jobTemplate: { spec: jobSpec } },
    };
  };
  const cpuError = (objects: unknown[]) =>
    check(objects as any).findings.find((f) => f.code === "CAPACITY_EXCEEDED" && f.path === 'spec.hard["requests.cpu"]');

  it("the whole message: each workload's ceiling and per-pod request, the total, the quota and the fix", () => {
    const [e] = expectErrors(check(withQuota("8", "64Gi")), ["CAPACITY_EXCEEDED"]);
    expect(e!.message).toBe(
      "at maximum scale the namespace's requests add up to 10 CPU (Deployment ml-t/inference: max 10 (ScaledObject ml-t/inference) × 1 CPU), above the quota 8 CPU: the autoscaler's last pods are refused exactly at peak load",
    );
    expect(e!.fix).toBe("raise capacity.cpu, lower scaling.maxReplicas, or lower the per-pod requests");
    const [m] = expectErrors(check(withQuota("64", "19Gi")), ["CAPACITY_EXCEEDED"]);
    expect(m!.path).toBe('spec.hard["requests.memory"]');
    expect(m!.message).toMatch(/add up to 20Gi memory \(.* × 2Gi memory\), above the quota 19Gi memory/);
    expect(m!.fix).toBe("raise capacity.memory, lower scaling.maxReplicas, or lower the per-pod requests");
  });

  it("shows CPU to the millicore and memory under 1Gi in Mi", () => {
    const small = mutate(withQuota("1500m", "64Gi"), (get) => {
      get("Deployment").spec.template.spec.containers[0].resources = res("155m", "100Mi").resources;
    });
    expect(cpuError(small)!.message).toMatch(/add up to 1\.55 CPU \(.* × 0\.155 CPU\), above the quota 1\.5 CPU/);
    const mem = mutate(withHard({ "requests.memory": "900Mi" }), (get) => {
      get("Deployment").spec.template.spec.containers[0].resources = res("1", "100Mi").resources;
    });
    const [e] = expectErrors(check(mem), ["CAPACITY_EXCEEDED"]);
    expect(e!.message).toMatch(/add up to 1000Mi memory \(.* × 100Mi memory\), above the quota 900Mi memory/);
    const gi = mutate(withHard({ "requests.memory": "1Gi" }), (get) => {
      get("Deployment").spec.template.spec.containers[0].resources = res("1", "1025Mi").resources;
    });
    expect(expectErrors(check(gi), ["CAPACITY_EXCEEDED"])[0]!.message).toMatch(/add up to 10\.01Gi memory .* above the quota 1Gi memory/);
  });

  it("exactly at the quota passes, and exactly at the quota with the surge only warns above it", () => {
    // 10 × 1 CPU = 10; with ceil(25% × 10) = 3 surge pods, 13.
    expect(check(withQuota("10", "64Gi")).findings.map((f) => f.code)).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
    expect(check(withQuota("13", "64Gi")).findings).toEqual([]);
    const [w] = check(withQuota("12", "64Gi")).findings;
    expect(w!.path).toBe('spec.hard["requests.cpu"]');
    expect(w!.resource).toBe(`ResourceQuota ${NS}/compute`);
    expect(w!.message).toBe(
      "at maximum scale a rolling update needs 13 CPU (10 CPU plus maxSurge pods), above the quota 12 CPU: a rollout at peak stalls until load drops",
    );
    expect(w!.fix).toBe("leave room for maxSurge in capacity.cpu, or lower scaling.maxReplicas");
  });

  it("maxSurge as a number, a percentage rounded up, a numeric string, nonsense (no surge)", () => {
    const surging = (maxSurge: unknown, q: string) =>
      check(
        mutate(withQuota(q, "64Gi"), (get) => (get("Deployment").spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge } })),
      ).findings.map((f) => f.code);
    expect(surging(2, "12")).toEqual([]);
    expect(surging(2, "11")).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
    expect(surging("11%", "12")).toEqual([]); // ceil(1.1) = 2
    expect(surging("11%", "11")).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
    expect(surging("1", "11")).toEqual([]);
    expect(surging("1", "10")).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
    expect(surging("lots", "10")).toEqual([]);
    expect(surging("0%", "10")).toEqual([]);
  });

  it("only a Deployment surges: a StatefulSet at its ceiling exactly fits", () => {
    const sts = mutate(withQuota("10", "64Gi"), (get) => (get("Deployment").kind = "StatefulSet"));
    expect(check(sts).findings.filter((f) => f.code.startsWith("CAPACITY"))).toEqual([]);
  });

  it("reads the bare `cpu` quota entry, limits.* against the limits, and no entry at all", () => {
    const bare = expectErrors(check(withHard({ cpu: "8" })), ["CAPACITY_EXCEEDED"]);
    expect(bare.map((e) => e.path)).toEqual(["spec.hard.cpu"]);
    expect(bare[0]!.message).toMatch(/namespace's requests add up to 10 CPU/);
    // requests.cpu wins over cpu when both are set.
    expect(check(withHard({ "requests.cpu": "16", cpu: "8" })).findings).toEqual([]);
    const limits = expectErrors(check(withHard({ "limits.memory": "19Gi" })), ["CAPACITY_EXCEEDED"]);
    expect(limits.map((e) => e.path)).toEqual(['spec.hard["limits.memory"]']);
    expect(limits[0]!.message).toMatch(/namespace's limits add up to 20Gi memory/);
    expect(limits[0]!.fix).toBe("raise capacity.memory, lower scaling.maxReplicas, or lower the per-pod limits");
    // limits.cpu: 10 × 2 CPU limit = 20.
    expect(expectErrors(check(withHard({ "limits.cpu": "19" })), ["CAPACITY_EXCEEDED"])[0]!.message).toMatch(/limits add up to 20 CPU/);
    expect(check(withHard({ "limits.cpu": "26" })).findings).toEqual([]); // 20 + ceil(25% × 10) × 2
    expect(check(withHard({ "requests.cpu": "lots", pods: "1" })).findings).toEqual([]);
    expect(check(withHard({ "requests.cpu": true })).findings).toEqual([]);
    expect(check(withHard({ "requests.cpu": 8 })).findings.map((f) => f.code)).toEqual(["CAPACITY_EXCEEDED"]);
    expect(check(mutate(coherent(), (get) => delete get("ResourceQuota").spec)).findings).toEqual([]);
  });

  it("counts only the quota's namespace", () => {
    const elsewhere = mutate(withQuota("8", "64Gi"), (get) => (get("ResourceQuota").metadata.namespace = "other"));
    expect(check(elsewhere).findings.filter((f) => f.code.startsWith("CAPACITY"))).toEqual([]);
  });

  it("ceilings: a fixed replica count (1 when unset), a bare Pod, a Job's and a CronJob's parallelism; a DaemonSet is not bounded", () => {
    const base = withQuota("10", "64Gi");
    const fixed = (replicas: unknown) =>
      deployment({
        name: "side",
        labels: { app: "side" },
        containers: [container(res("1", "1Gi"))],
        ...(replicas !== undefined ? { replicas: replicas as number } : {}),
      });
    const plusSide = (o: unknown) => [...base, o] as any[];
    // The main workload alone is 10 CPU: exactly the quota; any other pod is above it.
    expect(cpuError(plusSide(fixed(undefined)))!.message).toMatch(/Deployment ml-t\/side: 1 replicas × 1 CPU/);
    expect(cpuError(plusSide(fixed(2)))!.message).toMatch(/Deployment ml-t\/side: 2 replicas × 1 CPU/);
    expect(cpuError(plusSide(fixed("3")))!.message).toMatch(/Deployment ml-t\/side: 1 replicas/);
    expect(cpuError(plusSide(pod("one")))!.message).toMatch(/Pod ml-t\/one: 1 × 1 CPU/);
    expect(cpuError(plusSide(job("Job")))!.message).toMatch(/add up to 13 CPU .*Job ml-t\/load: parallelism × 3 CPU/);
    expect(cpuError(plusSide(job("Job", 2)))!.message).toMatch(/add up to 16 CPU/);
    expect(cpuError(plusSide(job("CronJob")))!.message).toMatch(/add up to 13 CPU .*CronJob ml-t\/load: parallelism × 3 CPU/);
    expect(cpuError(plusSide(job("CronJob", 2)))!.message).toMatch(/add up to 16 CPU/);
    const ds = { ...fixed(5), kind: "DaemonSet" };
    expect(cpuError(plusSide(ds))).toBeUndefined();
  });

  it("several autoscalers of one workload: the largest maximum counts, each is named", () => {
    const both = [...withQuota("64", "512Gi"), hpa({ name: "extra", max: 40 })];
    const [e] = expectErrors(check(withQuota("30", "512Gi", both)), ["CAPACITY_EXCEEDED", "MULTIPLE_AUTOSCALERS"]).filter(
      (x) => x.code === "CAPACITY_EXCEEDED",
    );
    expect(e!.message).toMatch(/max 40 \(ScaledObject ml-t\/inference, HorizontalPodAutoscaler ml-t\/extra\) × 1 CPU/);
  });

  it("podRequests: limits on request, numbers, unparsable quantities and containers without resources count 0", () => {
    const t = deployment({ containers: [container(), container({ name: "b", resources: { requests: { cpu: 0.5, memory: "lots" } } })] })
      .spec.template;
    t.spec.containers.push("not a container", { name: "c" });
    expect(podRequests(t)).toEqual({ cpu: 1.5, memory: 2 * 2 ** 30 });
    expect(podRequests(t, "limits")).toEqual({ cpu: 2, memory: 2 * 2 ** 30 });
    t.spec.initContainers = [{ name: "i", resources: { limits: { cpu: "4" } } }, "x"];
    expect(podRequests(t, "limits")).toEqual({ cpu: 4, memory: 2 * 2 ** 30 });
    expect(podRequests(t)).toEqual({ cpu: 1.5, memory: 2 * 2 ** 30 });
    expect(podRequests({})).toEqual({ cpu: 0, memory: 0 });
  });
});

describe("CAPACITY_EXCEEDED (config): every service's maxReplicas × requests", () => {
  const two = (a: Record<string, unknown>, b: Record<string, unknown>, capacity: Record<string, string>) =>
    config({
      capacity,
      services: [
        { ...input().services[0], name: "inference", ...a },
        { ...input().services[0], name: "ranker", ...b },
      ],
    });
  const svc = (cpu: string, max: number) => ({
    resources: { requests: { cpu, memory: "1Gi" }, limits: { memory: "1Gi" } },
    scaling: { mode: "keda", minReplicas: 2, maxReplicas: max },
  });

  it("the single-service message and fix: the total, the capacity, the largest maxReplicas that fits", () => {
    const [e] = expectErrors(checkConfig(config({ scaling: { maxReplicas: 17 }, capacity: { cpu: "16", memory: "64Gi" } })), [
      "CAPACITY_EXCEEDED",
    ]);
    expect(e!.path).toBe("capacity.cpu");
    expect(e!.message).toBe(
      "maxReplicas 17 × 1 cpu requested per pod = 17 CPU, above capacity.cpu 16: the autoscaler's last pods are refused exactly at peak load",
    );
    expect(e!.fix).toBe("raise capacity.cpu to at least 17 CPU, lower scaling.maxReplicas to 16, or lower service.resources.requests.cpu");
    expect(checkConfig(config({ scaling: { maxReplicas: 16 }, capacity: { cpu: "16", memory: "64Gi" } })).findings).toEqual([]);
    const [m] = expectErrors(checkConfig(config({ capacity: { cpu: "16", memory: "19Gi" } })), ["CAPACITY_EXCEEDED"]);
    expect(m!.path).toBe("capacity.memory");
    expect(m!.fix).toMatch(/lower scaling\.maxReplicas to 9,/);
  });

  it("several services: the sum, each service's share, the capacity, and the largest share named", () => {
    const [e] = expectErrors(checkConfig(two(svc("1", 4), svc("2", 5), { cpu: "10", memory: "64Gi" })), ["CAPACITY_EXCEEDED"]);
    expect(e!.path).toBe("capacity.cpu");
    expect(e!.message).toBe(
      "the services' maxima add up to 14 CPU (inference: maxReplicas 4 × 1 cpu; ranker: maxReplicas 5 × 2 cpu), above capacity.cpu 10: the autoscalers' last pods are refused exactly at peak load",
    );
    expect(e!.fix).toBe(
      'raise capacity.cpu to at least 14 CPU, or lower maxReplicas or requests.cpu of the services (the largest share is "ranker")',
    );
    const first = expectErrors(checkConfig(two(svc("3", 4), svc("2", 5), { cpu: "10", memory: "64Gi" })), ["CAPACITY_EXCEEDED"])[0]!;
    expect(first.fix).toMatch(/the largest share is "inference"/);
    expect(checkConfig(two(svc("1", 4), svc("2", 3), { cpu: "10", memory: "64Gi" })).findings).toEqual([]);
  });

  it("no capacity, or an unparsable one, is not checked", () => {
    expect(checkConfig(config({ scaling: { maxReplicas: 100 }, capacity: undefined })).findings).toEqual([]);
  });
});

describe("CAPACITY_EXCEEDED: edges of the ceiling, the surge and the message", () => {
  const codes = (objects: unknown[]) =>
    check(objects as any)
      .findings.filter((f) => f.code.startsWith("CAPACITY"))
      .map((f) => f.code);

  it("a StatefulSet scaled at its ceiling has no rollout surge", () => {
    const sts = mutate(withQuota("10", "64Gi"), (get) => {
      get("Deployment").kind = "StatefulSet";
      get("ScaledObject").spec.scaleTargetRef.kind = "StatefulSet";
    });
    expect(codes(sts)).toEqual([]);
    expect(codes(withQuota("10", "64Gi"))).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
  });

  it("a RollingUpdate strategy without rollingUpdate surges 25%; maxSurge text around a percentage is nonsense", () => {
    const strategy = (s: unknown) => mutate(withQuota("12", "64Gi"), (get) => (get("Deployment").spec.strategy = s));
    expect(codes(strategy({ type: "RollingUpdate" }))).toEqual(["CAPACITY_NO_ROLLOUT_HEADROOM"]);
    expect(codes(strategy({ rollingUpdate: { maxSurge: "x25%" } }))).toEqual([]);
    expect(codes(strategy({ rollingUpdate: { maxSurge: "25%x" } }))).toEqual([]);
  });

  it("the surge costs the surge pods times the per-pod request", () => {
    // 10 × 2 CPU = 20; ceil(25% × 10) = 3 surge pods × 2 CPU = 6.
    const big = (q: string) =>
      mutate(withQuota(q, "64Gi"), (get) => {
        get("Deployment").spec.template.spec.containers[0].resources = { requests: { cpu: "2", memory: "1Gi" }, limits: { memory: "1Gi" } };
      });
    expect(codes(big("26"))).toEqual([]);
    expect(check(big("25") as any).findings.find((f) => f.code === "CAPACITY_NO_ROLLOUT_HEADROOM")!.message).toMatch(
      /needs 26 CPU \(20 CPU plus maxSurge pods\), above the quota 25 CPU/,
    );
  });

  it("several workloads are listed one after another", () => {
    const side = deployment({ name: "side", replicas: 2, labels: { app: "side" }, containers: [container()] });
    const [e] = check([...withQuota("8", "64Gi"), side]).errors.filter((x) => x.code === "CAPACITY_EXCEEDED");
    expect(e!.message).toMatch(
      /add up to 12 CPU \(Deployment ml-t\/inference: max 10 \(ScaledObject ml-t\/inference\) × 1 CPU; Deployment ml-t\/side: 2 replicas × 1 CPU\)/,
    );
  });

  it("objects without metadata: a namespace-less quota counts only namespace-less workloads", () => {
    const bare: K8sObject = { ...deployment({ name: "x" }), metadata: undefined };
    // The quota's namespace holds the inference Deployment alone: 10 CPU + 3 surge pods fit 13.
    expect(codes([...withQuota("13", "64Gi"), bare])).toEqual([]);
    // 1 replica × 1 CPU + 1 surge pod fit 2; 3 replicas do not.
    const anonymousQuota = { apiVersion: "v1", kind: "ResourceQuota", spec: { hard: { "requests.cpu": "2" } } };
    expect(codes([...coherent(), anonymousQuota, bare])).toEqual([]);
    expect(codes([...coherent(), anonymousQuota, { ...bare, spec: { ...bare.spec, replicas: 3 } }])).toEqual(["CAPACITY_EXCEEDED"]);
  });

  it("podRequests: null containers count nothing", () => {
    const t = deployment().spec.template;
    t.spec.containers.push(null);
    t.spec.initContainers = [null];
    expect(podRequests(t)).toEqual({ cpu: 1, memory: 2 * 2 ** 30 });
  });

  it("config: a config assembled without `services` is one service; equal shares name the first", () => {
    const c = { ...config({ scaling: { maxReplicas: 17 }, capacity: { cpu: "16", memory: "64Gi" } }), services: undefined };
    expect(checkConfig(c).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^maxReplicas 17 × 1 cpu requested per pod = 17 CPU/),
    ]);
    const equal = config({
      capacity: { cpu: "7", memory: "64Gi" },
      services: [
        { ...input().services[0], name: "inference", scaling: { mode: "keda", minReplicas: 2, maxReplicas: 4 } },
        { ...input().services[0], name: "ranker", scaling: { mode: "keda", minReplicas: 2, maxReplicas: 4 } },
      ],
    });
    expect(checkConfig(equal).errors.find((e) => e.path === "capacity.cpu")!.fix).toMatch(/the largest share is "inference"/);
  });
});

describe("CAPACITY_EXCEEDED (config) on a hand-assembled config", () => {
  it("a service whose request does not parse is left out; the others still count", () => {
    const base = config({
      capacity: { cpu: "10", memory: "64Gi" },
      services: [
        { ...input().services[0], name: "inference", scaling: { mode: "keda", minReplicas: 2, maxReplicas: 4 } },
        { ...input().services[0], name: "ranker", scaling: { mode: "keda", minReplicas: 2, maxReplicas: 12 } },
      ],
    });
    const [first, second] = base.services!;
    const broken = {
      ...first!,
      service: { ...first!.service, resources: { ...first!.service.resources, requests: { cpu: "lots", memory: "1Gi" } } },
    };
    const c = { ...base, services: [broken, second!] } as typeof base;
    const [e] = checkConfig(c).errors.filter((x) => x.path === "capacity.cpu");
    expect(e!.message).toMatch(/^the services' maxima add up to 12 CPU \(ranker: maxReplicas 12 × 1 cpu\), above capacity\.cpu 10/);
  });
});
