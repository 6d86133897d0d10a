/**
 * The inference service variant for a vLLM-style LLM server on GPU nodes: the same restricted
 * Deployment/Service/PDB/ServiceAccount as {@link InferenceService} (reused, not copied), plus
 * `nvidia.com/gpu` limits, GPU node selection and tolerations, a start-up probe long enough for
 * the model to load into GPU memory, and the vLLM metric contract its queries are built from.
 */
import { InvariantError } from "../problems/problem.js";
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { InferenceService, type ResourceSpec, type ScratchVolume } from "./inference-service.js";
import { KedaScaledObject, type KedaFallback, type KedaTrigger } from "./keda-scaled-object.js";
import type { ServiceIdentity } from "../kube/labels.js";
import { PromQL, type MetricContract, type MetricSpec, type ScrapeScope } from "../promql/metrics.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";
import { deploymentScaleTarget } from "../scaling/autoscaler-common.js";

/** vLLM's end-to-end latency buckets (vllm/engine/metrics.py), seconds. */
export const VLLM_E2E_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
] as const;
/** vLLM's time-to-first-token buckets, seconds. */
export const VLLM_TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

/** The metrics a vLLM OpenAI-compatible server exports on its API port at /metrics. */
export const VLLM_METRICS: readonly MetricSpec[] = [
  { name: "vllm:num_requests_running", type: "gauge", labels: ["model_name"], help: "Requests currently running on GPU" },
  { name: "vllm:num_requests_waiting", type: "gauge", labels: ["model_name"], help: "Requests waiting to be processed" },
  { name: "vllm:gpu_cache_usage_perc", type: "gauge", labels: ["model_name"], help: "GPU KV-cache usage (0-1)" },
  {
    name: "vllm:e2e_request_latency_seconds",
    type: "histogram",
    labels: ["model_name"],
    buckets: VLLM_E2E_LATENCY_BUCKETS,
    help: "End-to-end request latency",
  },
  {
    name: "vllm:time_to_first_token_seconds",
    type: "histogram",
    labels: ["model_name"],
    buckets: VLLM_TTFT_BUCKETS,
    help: "Time to first token",
  },
  { name: "vllm:request_success_total", type: "counter", labels: ["model_name", "finished_reason"], help: "Finished requests" },
  { name: "vllm:generation_tokens_total", type: "counter", labels: ["model_name"], help: "Generated tokens" },
];

/** vLLM serves /metrics on the API port, so the contract's port is the `http` port. */
export function vllmContract(port = 8000): MetricContract {
  return { port, portName: "http", path: "/metrics", metrics: VLLM_METRICS };
}

/** The gauge the autoscaler reads: requests queued because every running sequence slot is taken. */
export const VLLM_WAITING = "vllm:num_requests_waiting";

export interface GpuInferenceServiceProps {
  readonly namespace: string;
  readonly identity: ServiceIdentity;
  /** vLLM OpenAI server image with a tag or digest, e.g. `vllm/vllm-openai:v0.6.3`. */
  readonly image: string;
  /** Model the server loads (`--model`), e.g. a Hugging Face id or a path. */
  readonly model: string;
  /** Labels the scrape gives the server's series; its queries are scoped with them. */
  readonly scrape: ScrapeScope;
  /** CPU and memory of the host side; requests are mandatory. */
  readonly resources: ResourceSpec;
  /** GPUs per replica; also the tensor-parallel size. @default 1 */
  readonly gpus?: number;
  /** Extended resource name of a GPU. @default "nvidia.com/gpu" */
  readonly gpuResource?: string;
  /** Node labels a GPU node carries. @default { "nvidia.com/gpu.present": "true" } (GPU feature discovery) */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations for the GPU nodes' taints. @default tolerate `nvidia.com/gpu` NoSchedule */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Budget for image pull + weights download + load into GPU memory (start-up probe). @default 900 */
  readonly modelLoadSeconds?: number;
  /** API (and metrics) port. @default 8000 */
  readonly port?: number;
  /** `--max-num-seqs`: sequences batched at once; beyond it requests wait. @default 256 */
  readonly maxNumSeqs?: number;
  /** `--gpu-memory-utilization`, in (0, 1]. @default 0.9 */
  readonly gpuMemoryUtilization?: number;
  /** Size of the writable model cache (`HF_HOME`). @default "50Gi" */
  readonly modelCacheSize?: string;
  /** Size of /dev/shm (RAM-backed; NCCL needs it for tensor parallelism). @default "2Gi" */
  readonly shmSize?: string;
  /** Further server args appended after the generated ones. @default [] */
  readonly extraArgs?: readonly string[];
  /** Fixed replica count until an autoscaler owns the Deployment. @default 1 */
  readonly replicas?: number;
  /** Time to finish running generations on shutdown. @default 120 */
  readonly terminationGracePeriodSeconds?: number;
  /** Add `prometheus.io/*` pod annotations (plain Prometheus discovery). @default true */
  readonly scrapeAnnotations?: boolean;
  /** KEDA scaling on waiting requests. @default fixed `replicas`, no autoscaler */
  readonly autoscaling?: GpuAutoscaling;
}

/** KEDA scaling of a GPU server on its waiting-requests gauge. */
export interface GpuAutoscaling {
  /** Prometheus base URL the trigger queries. */
  readonly prometheusAddress: string;
  /** 0 lets idle GPUs go (each return costs a full model load). @default 1 */
  readonly minReplicas?: number;
  /** @default 4 */
  readonly maxReplicas?: number;
  /** Waiting requests one replica may carry before another is added (AverageValue). @default 10 */
  readonly waitingPerReplica?: number;
  /** Waiting requests that wake a service scaled to zero; below `waitingPerReplica`. @default 1 */
  readonly activationWaiting?: number;
  /**
   * Seconds a replica is kept after the load that asked for it is gone (scale-down stabilization
   * and KEDA's cooldown). At least `modelLoadSeconds`: removing a replica sooner than it took to
   * start would throw away a load just paid for at the next bump. @default max(600, modelLoadSeconds)
   */
  readonly cooldownSeconds?: number;
  /** @default 15 */
  readonly pollingInterval?: number;
  /**
   * Replicas to hold while the Prometheus scaler fails (a lost scrape answers nothing, which KEDA
   * counts as an error). @default 3 failures, then max(minReplicas, ceil(maxReplicas / 2))
   */
  readonly fallback?: KedaFallback;
  /** Further triggers, e.g. pre-scaling cron windows. @default [] */
  readonly extraTriggers?: readonly KedaTrigger[];
}

/** The fallback a Prometheus-scaled workload holds unless told otherwise: half its range, at least its minimum. */
export function defaultFallback(minReplicas: number, maxReplicas: number): KedaFallback {
  return { failureThreshold: 3, replicas: Math.max(minReplicas, Math.ceil(maxReplicas / 2)) };
}

const PROBE_PERIOD = 10;

export class GpuInferenceService extends Construct {
  readonly service: InferenceService;
  readonly contract: MetricContract;
  /** PromQL bound to the vLLM contract and this server's scrape labels. */
  readonly promql: PromQL;
  readonly gpus: number;
  readonly gpuResource: string;
  readonly modelLoadSeconds: number;
  readonly model: string;
  /** The KEDA ScaledObject, when `autoscaling` is given. */
  readonly scaledObject?: KedaScaledObject;

  constructor(scope: Construct, id: string, props: GpuInferenceServiceProps) {
    super(scope, id);
    const {
      gpus = 1,
      gpuResource = "nvidia.com/gpu",
      nodeSelector = { "nvidia.com/gpu.present": "true" },
      tolerations = [{ key: gpuResource, operator: "Exists", effect: "NoSchedule" }],
      modelLoadSeconds = 900,
      port = 8000,
      maxNumSeqs = 256,
      gpuMemoryUtilization = 0.9,
      modelCacheSize = "50Gi",
      shmSize = "2Gi",
      extraArgs = [],
      terminationGracePeriodSeconds = 120,
    } = props;
    const name = props.identity.name;
    if (!Number.isInteger(gpus) || gpus < 1 || gpus > 16)
      throw new InvariantError(`GpuInferenceService ${name}: gpus ${gpus} must be a whole number from 1 to 16`);
    if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
      throw new InvariantError(`GpuInferenceService ${name}: gpuMemoryUtilization ${gpuMemoryUtilization} must be in (0, 1]`);
    }
    if (!Number.isInteger(maxNumSeqs) || maxNumSeqs < 1)
      throw new InvariantError(`GpuInferenceService ${name}: maxNumSeqs ${maxNumSeqs} must be a whole number ≥ 1`);
    if (modelLoadSeconds < 60) {
      throw new InvariantError(
        `GpuInferenceService ${name}: modelLoadSeconds ${modelLoadSeconds} is too short for loading weights into GPU memory; allow at least 60`,
      );
    }
    if (!props.model.trim()) throw new InvariantError(`GpuInferenceService ${name}: model must not be empty`);
    const generated = new Set([
      "--model",
      "--port",
      "--tensor-parallel-size",
      "--max-num-seqs",
      "--gpu-memory-utilization",
      "--served-model-name",
    ]);
    for (const a of extraArgs) {
      const flag = a.split("=")[0]!;
      if (generated.has(flag))
        throw new InvariantError(
          `GpuInferenceService ${name}: extraArgs sets ${flag}, which is generated from the props; set the prop instead`,
        );
    }

    this.gpus = gpus;
    this.gpuResource = gpuResource;
    this.modelLoadSeconds = modelLoadSeconds;
    this.model = props.model;
    this.contract = vllmContract(port);

    const scratch: ScratchVolume[] = [
      { name: "model-cache", mountPath: "/models", sizeLimit: modelCacheSize },
      { name: "dshm", mountPath: "/dev/shm", sizeLimit: shmSize, medium: "Memory" },
    ];
    this.service = new InferenceService(this, "Server", {
      namespace: props.namespace,
      identity: props.identity,
      image: props.image,
      replicas: props.replicas ?? 1,
      port,
      metrics: this.contract,
      resources: props.resources,
      extendedResources: { [gpuResource]: gpus },
      nodeSelector,
      tolerations,
      args: [
        "--model",
        props.model,
        // Clients (and the model_name label on every series) see the service name, not a path.
        "--served-model-name",
        name,
        "--port",
        String(port),
        "--tensor-parallel-size",
        String(gpus),
        "--max-num-seqs",
        String(maxNumSeqs),
        "--gpu-memory-utilization",
        String(gpuMemoryUtilization),
        ...extraArgs,
      ],
      tuningEnv: false,
      // Caches go to writable volumes: the root filesystem is read-only (restricted PSS).
      env: { HF_HOME: "/models/huggingface", HOME: "/tmp", XDG_CACHE_HOME: "/models/cache" },
      scratchVolumes: scratch,
      // vLLM answers /health once the engine is up; it has no separate readiness endpoint.
      probes: { startupPath: "/health", readinessPath: "/health", livenessPath: "/health", periodSeconds: PROBE_PERIOD, modelLoadSeconds },
      terminationGracePeriodSeconds,
      preStopSleepSeconds: 10,
      // One replica per GPU node set is what the scheduler does anyway; spreading must not block it.
      spread: "prefer",
      scrapeAnnotations: props.scrapeAnnotations ?? true,
    });
    this.promql = new PromQL(this.contract, props.scrape);
    if (props.autoscaling) this.scaledObject = this.autoscale(props.autoscaling);
  }

  private autoscale(a: GpuAutoscaling): KedaScaledObject {
    const name = this.service.name;
    const cooldown = a.cooldownSeconds ?? Math.max(600, this.modelLoadSeconds);
    if (cooldown < this.modelLoadSeconds) {
      throw new InvariantError(
        `GpuInferenceService ${name}: cooldownSeconds ${cooldown} is shorter than modelLoadSeconds ${this.modelLoadSeconds}: a replica would be removed sooner than it takes to start one. Raise cooldownSeconds to at least ${this.modelLoadSeconds}`,
      );
    }
    // The HPA caps the stabilization window at 1 h.
    const stabilization = Math.min(cooldown, 3600);
    return new KedaScaledObject(this, "ScaledObject", {
      scaleTarget: deploymentScaleTarget(this.service),
      labels: this.service.podLabels,
      pollingInterval: a.pollingInterval ?? 15,
      // cooldownPeriod governs the way to zero; the HPA's stabilization window every other step down.
      cooldownPeriod: cooldown,
      // No scale to zero before the first replica has even finished loading.
      initialCooldownPeriod: this.modelLoadSeconds,
      minReplicaCount: a.minReplicas ?? 1,
      maxReplicaCount: a.maxReplicas ?? 4,
      fallback: a.fallback ?? defaultFallback(a.minReplicas ?? 1, a.maxReplicas ?? 4),
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            // New replicas take minutes to serve: ask for them at once, in big steps.
            scaleUp: {
              stabilizationWindowSeconds: 0,
              policies: [
                { type: "Pods", value: 2, periodSeconds: 60 },
                { type: "Percent", value: 100, periodSeconds: 60 },
              ],
              selectPolicy: "Max",
            },
            // Then give GPUs back one at a time, a few minutes apart.
            scaleDown: { stabilizationWindowSeconds: stabilization, policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
          },
        },
      },
      triggers: [
        {
          type: "prometheus",
          name: "waiting-requests",
          serverAddress: a.prometheusAddress,
          query: this.waitingRequestsQuery(),
          signal: "additive",
          metricType: "AverageValue",
          threshold: a.waitingPerReplica ?? 10,
          activationThreshold: a.activationWaiting ?? 1,
          ignoreNullValues: false,
        },
        ...(a.extraTriggers ?? []),
      ],
    });
  }

  get name(): string {
    return this.service.name;
  }

  /**
   * Total requests waiting across the replicas (additive: a KEDA `AverageValue` signal); 0 while
   * the server's targets are up but export no waiting gauge yet, nothing when the scrape is lost.
   */
  waitingRequestsQuery(): string {
    return whileScraped(this.promql.sumGauge(VLLM_WAITING), upSelector(this.promql.scope));
  }
}
