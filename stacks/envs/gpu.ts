import type { EnvConfigInput } from "../config.js";

/**
 * Example: an LLM served by vLLM on GPU nodes beside the CPU inference API, KEDA-scaled on
 * waiting requests, pre-scaled for office hours, with dashboards.
 */
export const gpu: EnvConfigInput = {
  name: "gpu",
  namespace: "ml-serving-gpu",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  services: [
    {
      image: "registry.example.com/ml/inference:1.4.2",
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      scaling: { mode: "keda", minReplicas: 2, maxReplicas: 6, keda: { fallback: { failureThreshold: 3, replicas: 3 } } },
      slo: { period: "30d", availability: { objective: 99.5 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
    },
  ],
  // QueueBacklog reads the total queue; KEDA adds pods above 2 × 20 = 40 queued (44 with the HPA's tolerance).
  monitoring: { scrape: "service-monitor", alerts: { queueBacklog: 50 } },
  cost: { pricePerPodHour: 0.1 },
  gpu: {
    name: "llm",
    image: "vllm/vllm-openai:v0.6.3",
    model: "Qwen/Qwen2.5-7B-Instruct",
    gpus: 1,
    resources: { requests: { cpu: "4", memory: "24Gi" }, limits: { cpu: "8", memory: "32Gi" } },
    // Pull (~8 GB image) + weights download + load into GPU memory.
    modelLoadSeconds: 900,
    maxNumSeqs: 128,
    minReplicas: 1,
    maxReplicas: 4,
    waitingPerReplica: 8,
    activationWaiting: 1,
    cooldownSeconds: 1200,
  },
  // Ready at 08:00 Berlin time: the cron window opens 15 minutes early for the model load.
  prescaling: [
    {
      name: "business-hours",
      target: "llm",
      timezone: "Europe/Berlin",
      weekdays: ["mon", "tue", "wed", "thu", "fri"],
      start: "08:00",
      end: "18:00",
      replicas: 2,
    },
  ],
  dashboards: {},
};
