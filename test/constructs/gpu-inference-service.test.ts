import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { GpuInferenceService, VLLM_METRICS, type GpuInferenceServiceProps } from "../../constructs/gpu-inference-service.js";
import { ContractError } from "../../promql/metrics.js";
import { metricNames, returnsSingleSeries, selectors, syntaxErrors } from "../../promql/parse.js";
import { validateObjects } from "../../stacks/schema.js";

const identity = { name: "llm", instance: "llm-test", component: "llm-server", partOf: "ml-platform" };
const PROM = "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090";

function render(over: Partial<GpuInferenceServiceProps> = {}) {
  const chart = new Chart(Testing.app(), "t", { disableResourceNameHashes: true });
  const gpu = new GpuInferenceService(chart, "gpu", {
    namespace: "ns",
    identity,
    image: "vllm/vllm-openai:v0.6.3",
    model: "Qwen/Qwen2.5-7B-Instruct",
    scrape: { namespace: "ns", job: "llm" },
    resources: { requests: { cpu: "4", memory: "24Gi" }, limits: { memory: "32Gi" } },
    autoscaling: { prometheusAddress: PROM },
    ...over,
  });
  const objs = chart.toJson();
  const get = (kind: string) => objs.find((o) => o.kind === kind);
  const pod = get("Deployment").spec.template.spec;
  return { gpu, objs, get, pod, container: pod.containers[0] };
}

describe("GpuInferenceService", () => {
  it("reuses InferenceService: the same objects and names, plus a ScaledObject", () => {
    const { objs } = render();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/llm",
      "Deployment/llm",
      "Service/llm",
      "PodDisruptionBudget/llm",
      "ScaledObject/llm",
    ]);
  });

  it("asks for GPUs as equal request and limit, on tolerated GPU nodes", () => {
    const { container, pod } = render({ gpus: 2 });
    expect(container.resources.limits["nvidia.com/gpu"]).toBe(2);
    expect(container.resources.requests["nvidia.com/gpu"]).toBe(2);
    expect(container.resources.requests.cpu).toBe("4");
    expect(pod.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(container.args).toEqual([
      "--model",
      "Qwen/Qwen2.5-7B-Instruct",
      "--served-model-name",
      "llm",
      "--port",
      "8000",
      "--tensor-parallel-size",
      "2",
      "--max-num-seqs",
      "256",
      "--gpu-memory-utilization",
      "0.9",
    ]);
  });

  it("takes another GPU resource name, node labels and tolerations", () => {
    const { container, pod } = render({
      gpuResource: "amd.com/gpu",
      nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-l4" },
      tolerations: [{ key: "gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
    });
    expect(container.resources.limits).toMatchObject({ "amd.com/gpu": 1 });
    expect(container.resources.limits).not.toHaveProperty(["nvidia.com/gpu"]);
    expect(pod.nodeSelector).toEqual({ "cloud.google.com/gke-accelerator": "nvidia-l4" });
    expect(pod.tolerations).toEqual([{ key: "gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
  });

  it("gives the start-up probe the whole model load before liveness may kill the pod", () => {
    const { container } = render({ modelLoadSeconds: 1200 });
    expect(container.startupProbe.httpGet.path).toBe("/health");
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(1200);
    expect(container.readinessProbe.httpGet.path).toBe("/health");
  });

  it("serves metrics on the API port (vLLM): one container port, one Service port", () => {
    const { container, get, gpu } = render();
    expect(container.ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    expect(get("Service").spec.ports.map((p: any) => p.name)).toEqual(["http"]);
    expect(gpu.contract).toMatchObject({ port: 8000, portName: "http", path: "/metrics" });
  });

  it("stays restricted with writable caches on emptyDirs, no inference-server tuning env", () => {
    const { container, pod } = render();
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(pod.volumes).toEqual([
      { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
      { name: "model-cache", emptyDir: { sizeLimit: "50Gi" } },
      { name: "dshm", emptyDir: { sizeLimit: "2Gi", medium: "Memory" } },
    ]);
    expect(container.env.map((e: any) => e.name)).toEqual(["HF_HOME", "HOME", "XDG_CACHE_HOME"]);
  });

  it("scales on the contract's waiting-requests gauge with a cooldown that covers the model load", () => {
    const { get, gpu } = render({ modelLoadSeconds: 900 });
    const so = get("ScaledObject");
    expect(get("Deployment").spec).not.toHaveProperty("replicas");
    expect(so.spec.cooldownPeriod).toBe(900);
    expect(so.spec.initialCooldownPeriod).toBe(900);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(900);
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.maxReplicaCount).toBe(4);
    const trigger = so.spec.triggers[0];
    expect(trigger).toMatchObject({ type: "prometheus", metricType: "AverageValue", name: "waiting-requests" });
    expect(trigger.metadata).toEqual({
      serverAddress: PROM,
      query:
        '(sum (vllm:num_requests_waiting{namespace="ns",job="llm"}) or on() (sum (up{namespace="ns",job="llm"}) * 0)) and on() (sum (up{namespace="ns",job="llm"}) > 0)',
      threshold: "10",
      activationThreshold: "1",
      ignoreNullValues: "false",
    });
    // Without a fallback given, a lost scrape holds max(min 1, ceil(max 4 / 2)) = 2 replicas.
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 2 });
    expect(syntaxErrors(trigger.metadata.query)).toEqual([]);
    expect(returnsSingleSeries(trigger.metadata.query)).toBe(true);
    expect(metricNames(trigger.metadata.query)).toEqual(["vllm:num_requests_waiting", "up"]);
    expect(selectors(trigger.metadata.query)[0]!.matchers).toEqual([
      { name: "namespace", op: "=", value: "ns" },
      { name: "job", op: "=", value: "llm" },
    ]);
    expect(gpu.promql.metric("vllm:num_requests_waiting").type).toBe("gauge");
  });

  it("defaults the cooldown to 10 minutes unless the load takes longer; caps the HPA window at 1 h", () => {
    expect(render({ modelLoadSeconds: 300 }).get("ScaledObject").spec.cooldownPeriod).toBe(600);
    const long = render({ modelLoadSeconds: 1800, autoscaling: { prometheusAddress: PROM, cooldownSeconds: 5400 } }).get("ScaledObject");
    expect(long.spec.cooldownPeriod).toBe(5400);
    expect(long.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(3600);
  });

  it("declares the vLLM metrics as a contract the PromQL builder enforces", () => {
    const { gpu } = render();
    expect(VLLM_METRICS.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        "vllm:num_requests_waiting",
        "vllm:num_requests_running",
        "vllm:e2e_request_latency_seconds",
        "vllm:gpu_cache_usage_perc",
      ]),
    );
    expect(gpu.promql.histogramQuantile(0.95, "vllm:e2e_request_latency_seconds", {}, "2m")).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{namespace="ns",job="llm"}[2m])))',
    );
    expect(() => gpu.promql.sumGauge("vllm:num_requests_swapped")).toThrow(ContractError);
    expect(() => gpu.promql.selector("vllm:num_requests_waiting", "", { status: "500" })).toThrow(/label "status" is not on/);
  });

  it("renders objects that pass the core and KEDA schemas", async () => {
    expect(await validateObjects(render().objs)).toEqual([]);
  });

  it("adds extra triggers (pre-scaling) to its ScaledObject", () => {
    const { get } = render({
      autoscaling: {
        prometheusAddress: PROM,
        extraTriggers: [
          { type: "cron", name: "prescale-x", timezone: "UTC", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: 2 },
        ],
      },
    });
    expect(get("ScaledObject").spec.triggers.map((t: any) => t.name)).toEqual(["waiting-requests", "prescale-x"]);
  });

  it("renders a fixed replica count without autoscaling", () => {
    const { get, gpu } = render({ autoscaling: undefined, replicas: 2 });
    expect(get("Deployment").spec.replicas).toBe(2);
    expect(get("ScaledObject")).toBeUndefined();
    expect(gpu.scaledObject).toBeUndefined();
  });

  it("rejects invalid props naming the values", () => {
    expect(() => render({ autoscaling: { prometheusAddress: PROM, cooldownSeconds: 300 }, modelLoadSeconds: 900 })).toThrow(
      /cooldownSeconds 300 is shorter than modelLoadSeconds 900/,
    );
    expect(() => render({ gpus: 0 })).toThrow(/gpus 0 must be a whole number from 1 to 16/);
    expect(() => render({ gpuMemoryUtilization: 1.5 })).toThrow(/gpuMemoryUtilization 1.5/);
    expect(() => render({ modelLoadSeconds: 30 })).toThrow(/modelLoadSeconds 30 is too short/);
    expect(() => render({ extraArgs: ["--max-num-seqs=8"] })).toThrow(/extraArgs sets --max-num-seqs/);
    expect(() => render({ model: " " })).toThrow(/model must not be empty/);
    expect(() => render({ autoscaling: { prometheusAddress: PROM, activationWaiting: 10 } })).toThrow(
      /activationThreshold 10 must be ≥ 0 and below threshold 10/,
    );
  });

  it("matches the snapshot", () => {
    expect(render().objs).toMatchSnapshot();
  });
});
