import { describe, expect, it } from "vitest";
import { autoscalersOf, targetOf } from "../../../stacks/checks/autoscalers.js";
import { CheckContext } from "../../../stacks/checks/context.js";
import type { K8sObject } from "../../../stacks/checks/types.js";
import { check, coherent, config, container, deployment, expectErrors, hpa, mutate, NS, scaledObject } from "./fixtures.js";

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

describe("autoscalersOf, targetOf: which objects are autoscalers, their ceiling and target", () => {
  const ctxOf = (objects: K8sObject[]) => new CheckContext({ config: config(), objects });
  const refs = (objects: K8sObject[]) =>
    autoscalersOf(ctxOf(objects)).map(({ resource, namespace, targetKind, targetName, max }) => ({
      resource,
      namespace,
      targetKind,
      targetName,
      max,
    }));

  it("HPAs of autoscaling/* and ScaledObjects of keda.sh, with their maximum (KEDA's default 100)", () => {
    const so = scaledObject();
    const unbounded = mutate([scaledObject({ name: "u" })], (get) => delete get("ScaledObject").spec.maxReplicaCount)[0]!;
    const v1 = { ...hpa({ name: "v1", max: 7 }), apiVersion: "autoscaling/v1" };
    const noMax = mutate([hpa({ name: "nomax" })], (get) => delete get("HorizontalPodAutoscaler").spec.maxReplicas)[0]!;
    const stringMax = mutate([scaledObject({ name: "s" })], (get) => (get("ScaledObject").spec.maxReplicaCount = "5"))[0]!;
    expect(refs([so, unbounded, v1, noMax, stringMax])).toEqual([
      { resource: `ScaledObject ${NS}/inference`, namespace: NS, targetKind: "Deployment", targetName: "inference", max: 10 },
      { resource: `ScaledObject ${NS}/u`, namespace: NS, targetKind: "Deployment", targetName: "inference", max: 100 },
      { resource: `HorizontalPodAutoscaler ${NS}/v1`, namespace: NS, targetKind: "Deployment", targetName: "inference", max: 7 },
      { resource: `HorizontalPodAutoscaler ${NS}/nomax`, namespace: NS, targetKind: "Deployment", targetName: "inference", max: 100 },
      { resource: `ScaledObject ${NS}/s`, namespace: NS, targetKind: "Deployment", targetName: "inference", max: 100 },
    ]);
  });

  it("not an autoscaler: another API group, a ScaledJob, no scaleTargetRef name; a kind and a missing namespace are read as written", () => {
    const otherGroup = { ...hpa(), apiVersion: "example.com/v1" };
    const soOtherGroup = { ...scaledObject(), apiVersion: "autoscaling/v2" };
    const hpaInKeda = { ...hpa(), apiVersion: "keda.sh/v1alpha1" };
    const job = { ...scaledObject(), kind: "ScaledJob" };
    const noName = mutate([scaledObject()], (get) => (get("ScaledObject").spec.scaleTargetRef = { kind: "Deployment" }))[0]!;
    const noRef = mutate([hpa()], (get) => delete get("HorizontalPodAutoscaler").spec)[0]!;
    expect(refs([otherGroup, soOtherGroup, hpaInKeda, job, noName, noRef])).toEqual([]);
    const sts = mutate([scaledObject()], (get) => {
      const so = get("ScaledObject");
      so.spec.scaleTargetRef = { kind: "StatefulSet", name: "db" };
      delete so.metadata.namespace;
    })[0]!;
    expect(refs([sts])).toEqual([
      { resource: "ScaledObject inference", namespace: "", targetKind: "StatefulSet", targetName: "db", max: 10 },
    ]);
  });

  it("targetOf: the workload of that kind, name and namespace", () => {
    const d = deployment();
    const sts = { ...deployment(), kind: "StatefulSet" };
    const elsewhere = { ...deployment(), metadata: { ...deployment().metadata, namespace: "other" } };
    const ctx = ctxOf([elsewhere, sts, d, scaledObject()]);
    const [a] = autoscalersOf(ctx);
    expect(targetOf(ctx, a!)).toBe(ctx.objects[2]);
    const ctx2 = ctxOf([elsewhere, sts, scaledObject()]);
    expect(targetOf(ctx2, autoscalersOf(ctx2)[0]!)).toBeUndefined();
    const nsLess = { ...deployment(), metadata: { name: "inference" } };
    const soNsLess = mutate([scaledObject()], (get) => delete get("ScaledObject").metadata.namespace)[0]!;
    const ctx3 = ctxOf([d, nsLess, soNsLess]);
    expect(targetOf(ctx3, autoscalersOf(ctx3)[0]!)).toBe(ctx3.objects[1]);
  });
});

describe("MULTIPLE_AUTOSCALERS, AUTOSCALER_TARGET_MISSING, REPLICAS_WITH_AUTOSCALER: the findings' wording", () => {
  it("MULTIPLE_AUTOSCALERS names the workload, the first autoscaler, and the fix; every later one is reported", () => {
    const errors = expectErrors(check([...coherent(), hpa(), scaledObject({ name: "inference-cron" })]), ["MULTIPLE_AUTOSCALERS"]);
    expect(errors.map((e) => [e.resource, e.path])).toEqual([
      [`HorizontalPodAutoscaler ${NS}/inference`, "spec.scaleTargetRef"],
      [`ScaledObject ${NS}/inference-cron`, "spec.scaleTargetRef"],
    ]);
    expect(errors[0]!.message).toBe(
      "Deployment ml-t/inference is already scaled by ScaledObject ml-t/inference: two autoscalers fight over its replica count (KEDA/HPA report AmbiguousSelector)",
    );
    expect(errors[0]!.fix).toBe("keep one autoscaler per workload (scaling.mode picks one); put every signal into that one");
  });

  it("across services it says whose autoscaler reaches for whose workload; not when one side has no service label", () => {
    const ranker = {
      ...hpa({ name: "ranker" }),
      metadata: { name: "ranker", namespace: NS, labels: { "app.kubernetes.io/name": "ranker" } },
    };
    const [e] = expectErrors(check([...coherent(), ranker]), ["MULTIPLE_AUTOSCALERS"]);
    expect(e!.message).toMatch(
      /^Deployment ml-t\/inference is already scaled by ScaledObject ml-t\/inference \(service ranker's autoscaler targets service inference's workload\): two autoscalers/,
    );
    const same = { ...ranker, metadata: { ...ranker.metadata, labels: { "app.kubernetes.io/name": "inference" } } };
    expect(expectErrors(check([...coherent(), same]), ["MULTIPLE_AUTOSCALERS"])[0]!.message).not.toMatch(/service/);
    const unlabelled = mutate([...coherent(), ranker], (get) => delete get("Deployment").metadata.labels);
    expect(check(unlabelled).errors.find((x) => x.code === "MULTIPLE_AUTOSCALERS")!.message).not.toMatch(/\(service/);
    expect(expectErrors(check([...coherent(), hpa({ name: "plain" })]), ["MULTIPLE_AUTOSCALERS"])[0]!.message).not.toMatch(/\(service/);
  });

  it("AUTOSCALER_TARGET_MISSING: each autoscaler of the missing workload, with what it scales", () => {
    const objects = [...coherent().filter((o) => o.kind !== "Deployment"), hpa()];
    const errors = check(objects).errors.filter((e) => e.code === "AUTOSCALER_TARGET_MISSING");
    expect(errors.map((e) => e.resource)).toEqual([`ScaledObject ${NS}/inference`, `HorizontalPodAutoscaler ${NS}/inference`]);
    expect(errors[0]!.path).toBe("spec.scaleTargetRef.name");
    expect(errors[0]!.message).toBe("scales Deployment ml-t/inference, which the environment does not render");
    expect(errors[0]!.fix).toBe("point scaleTargetRef at the service's Deployment");
  });

  it("REPLICAS_WITH_AUTOSCALER: the replicas as written, the owning autoscaler, the fix (also for replicas 0)", () => {
    const [w] = check(mutate(coherent(), (get) => (get("Deployment").spec.replicas = 0))).findings;
    expect(w!.resource).toBe(`Deployment ${NS}/inference`);
    expect(w!.message).toBe(
      "sets replicas 0 although ScaledObject ml-t/inference owns its replica count: every apply resets what the autoscaler chose",
    );
    expect(w!.fix).toBe("leave spec.replicas out of autoscaled workloads (markHasAutoscaler)");
    const [s] = check(mutate(coherent(), (get) => (get("Deployment").spec.replicas = "3"))).findings;
    expect(s!.message).toMatch(/^sets replicas "3" although/);
  });
});

describe("RESOURCE_METRIC_WITHOUT_REQUESTS: which triggers and metrics divide by a request", () => {
  const noRequests = container({ resources: { limits: { memory: "2Gi" } } });
  const resourceErrors = (objects: K8sObject[]) => check(objects).errors.filter((e) => e.code === "RESOURCE_METRIC_WITHOUT_REQUESTS");
  const withTriggers = (triggers: K8sObject[], c = noRequests) =>
    mutate(coherent(), (get) => {
      get("Deployment").spec.template.spec.containers = [c];
      get("ScaledObject").spec.triggers = triggers;
    });

  it("KEDA: cpu and memory Utilization triggers (metricType, the legacy metadata.type, Utilization by default); not AverageValue or other types", () => {
    expect(
      resourceErrors(
        withTriggers([
          { type: "memory", metadata: { value: "80" } },
          { type: "cpu", metadata: { type: "Utilization", value: "80" } },
          { type: "cpu", metadata: { type: "AverageValue", value: "1" } },
          { type: "memory", metricType: "AverageValue", metadata: { type: "Utilization", value: "1Gi" } },
          { type: "prometheus", metricType: "Utilization", metadata: {} },
          "cpu" as unknown as K8sObject,
        ]),
      ).map((e) => [e.path, e.message, e.fix]),
    ).toEqual([
      [
        "spec.triggers[0]",
        'the memory utilization trigger divides memory usage by the memory request, but container "server" of Deployment ml-t/inference requests no memory: the HPA reports "missing request for memory" and never scales',
        'set resources.requests.memory on container "server" (service.resources.requests), or target AverageValue',
      ],
      [
        "spec.triggers[1]",
        'the cpu utilization trigger divides cpu usage by the cpu request, but container "server" of Deployment ml-t/inference requests no cpu: the HPA reports "missing request for cpu" and never scales',
        'set resources.requests.cpu on container "server" (service.resources.requests), or target AverageValue',
      ],
    ]);
  });

  it("a trigger naming a container the pod lacks: the containers it has, and the fix", () => {
    const [e] = resourceErrors(
      withTriggers([{ type: "cpu", metadata: { value: "80", containerName: "app" } }], container()).map((o) =>
        o.kind === "Deployment"
          ? mutate([o], (get) => get("Deployment").spec.template.spec.containers.push(container({ name: "proxy" }), "x"))[0]!
          : o,
      ),
    );
    expect(e!.path).toBe("spec.triggers[0]");
    expect(e!.message).toBe(
      'the cpu utilization trigger names container "app", which Deployment ml-t/inference does not have (containers: server, proxy)',
    );
    expect(e!.fix).toBe("name a container of the target's pod template");
  });

  it("HPA: targetCPUUtilizationPercentage (v1), Resource Utilization (every container), not AverageValue targets or other metric types", () => {
    const d = deployment({ containers: [noRequests, container({ name: "proxy" })] });
    const v1 = { ...hpa(), apiVersion: "autoscaling/v1", spec: { ...hpa().spec, metrics: undefined, targetCPUUtilizationPercentage: 70 } };
    const [a] = resourceErrors([d, v1]);
    expect(a!.path).toBe("spec.targetCPUUtilizationPercentage");
    expect(a!.message).toMatch(/^targetCPUUtilizationPercentage divides cpu usage by the cpu request, but container "server" of/);
    expect(resourceErrors([d, { ...v1, spec: { ...v1.spec, targetCPUUtilizationPercentage: "70" } }])).toEqual([]);
    const metrics = hpa({
      metrics: [
        { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "1Gi" } } },
        { type: "Pods", resource: { name: "memory", target: { type: "Utilization" } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
        { type: "ContainerResource", containerResource: { name: "cpu", container: "server", target: { type: "AverageValue" } } },
        null as unknown as K8sObject,
      ],
    });
    expect(resourceErrors([d, metrics]).map((e) => [e.path, e.message.replace(/ divides.*/, "")])).toEqual([
      ["spec.metrics[2].resource", "the memory Utilization metric"],
    ]);
  });

  it("HPA ContainerResource Utilization: only the named container; an unnamed container is no container of the pod", () => {
    const d = deployment({ containers: [container(), container({ name: "proxy", resources: { limits: { memory: "1Gi" } } })] });
    const cr = (container?: string) =>
      hpa({
        metrics: [
          {
            type: "ContainerResource",
            containerResource: { name: "cpu", ...(container ? { container } : {}), target: { type: "Utilization" } },
          },
        ],
      });
    expect(resourceErrors([d, cr("server")])).toEqual([]);
    const [e] = resourceErrors([d, cr("proxy")]);
    expect(e!.path).toBe("spec.metrics[0].containerResource");
    expect(e!.message).toMatch(/^the cpu ContainerResource Utilization metric divides cpu usage by the cpu request, but container "proxy"/);
    expect(resourceErrors([d, cr()]).map((x) => x.message)).toEqual([
      'the cpu ContainerResource Utilization metric names container "", which Deployment ml-t/inference does not have (containers: server, proxy)',
    ]);
  });

  it("reads a bare Pod as its own template; skips a target without a template or not rendered", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "inference", namespace: NS }, spec: { containers: [noRequests] } };
    const podHpa = mutate([hpa()], (get) => (get("HorizontalPodAutoscaler").spec.scaleTargetRef.kind = "Pod"))[0]!;
    expect(resourceErrors([pod, podHpa]).map((e) => e.message)).toEqual([
      expect.stringMatching(/container "server" of Pod ml-t\/inference requests no cpu/),
    ]);
    const bare = { ...deployment(), spec: { replicas: 1 } };
    expect(resourceErrors([bare, hpa()])).toEqual([]);
    expect(resourceErrors([hpa()])).toEqual([]);
  });
});

describe("autoscalers on hand-edited objects: missing parts are read as absent", () => {
  const ctxOf = (objects: K8sObject[]) => new CheckContext({ config: config(), objects });
  const codes = (objects: K8sObject[]) => check(objects).codes();

  it('an autoscaler without metadata is in namespace ""; a workload without metadata is nobody\'s target', () => {
    const anonymous = { ...hpa(), metadata: undefined } as unknown as K8sObject;
    expect(autoscalersOf(ctxOf([anonymous])).map((a) => [a.namespace, a.targetName])).toEqual([["", "inference"]]);
    const ctx = ctxOf([{ ...deployment(), metadata: undefined }, deployment(), scaledObject()]);
    expect(targetOf(ctx, autoscalersOf(ctx)[0]!)).toBe(ctx.objects[1]);
    const nsLess = ctxOf([
      { ...deployment(), metadata: { name: "inference" } },
      { ...scaledObject(), metadata: { name: "so" } },
    ]);
    expect(targetOf(nsLess, autoscalersOf(nsLess)[0]!)).toBe(nsLess.objects[0]);
    // Two unlabelled, namespace-less autoscalers of one missing workload.
    expect(codes([anonymous, { ...anonymous }])).toEqual(["AUTOSCALER_TARGET_MISSING", "MULTIPLE_AUTOSCALERS"]);
  });

  it("autoscalers of different workloads do not compete", () => {
    const batch = deployment({ name: "batch", labels: { app: "batch" } });
    const batchSo = mutate([scaledObject({ name: "batch" })], (get) => (get("ScaledObject").spec.scaleTargetRef.name = "batch"))[0]!;
    const sameNameOtherKind = mutate(
      [hpa({ name: "sts" })],
      (get) => (get("HorizontalPodAutoscaler").spec.scaleTargetRef.kind = "StatefulSet"),
    )[0]!;
    const run = check([...coherent(), batch, batchSo, sameNameOtherKind, { ...deployment(), kind: "StatefulSet" }]);
    expect(run.codes()).not.toContain("MULTIPLE_AUTOSCALERS");
  });

  it("a target without spec has no replicas and no template to read", () => {
    const noSpec = { ...deployment(), spec: undefined } as unknown as K8sObject;
    expect(codes([noSpec, hpa()])).toEqual([]);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "inference", namespace: NS } };
    const podHpa = mutate([hpa()], (get) => (get("HorizontalPodAutoscaler").spec.scaleTargetRef.kind = "Pod"))[0]!;
    expect(codes([pod, podHpa])).toEqual([]);
  });

  it("a Resource Utilization metric on a pod without containers asks nothing", () => {
    expect(codes([deployment({ containers: [] }), hpa()])).toEqual([]);
  });

  it("a cpu trigger without metadata is a Utilization trigger; metrics without target or resource are not Utilization", () => {
    const noRequests = container({ resources: { limits: { memory: "2Gi" } } });
    const so = mutate(coherent(), (get) => {
      get("Deployment").spec.template.spec.containers = [noRequests];
      get("ScaledObject").spec.triggers = [{ type: "cpu" }];
    });
    expect(
      check(so)
        .errors.filter((e) => e.code === "RESOURCE_METRIC_WITHOUT_REQUESTS")
        .map((e) => e.path),
    ).toEqual(["spec.triggers[0]"]);
    const metrics = hpa({
      metrics: [
        { type: "Resource" },
        { type: "Resource", resource: { name: "cpu" } },
        { type: "ContainerResource" },
        { type: "ContainerResource", containerResource: { name: "cpu", container: "server" } },
      ],
    });
    expect(
      check([deployment({ containers: [noRequests] }), metrics]).errors.filter((e) => e.code === "RESOURCE_METRIC_WITHOUT_REQUESTS"),
    ).toEqual([]);
  });
});
