import type { EnvConfigInput } from "../config.js";

/** Production: at least 3 replicas across nodes and zones, up to 20, KEDA on latency and queue. */
export const prod: EnvConfigInput = {
  name: "prod",
  namespace: "ml-serving-prod",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  service: {
    image: "registry.example.com/ml/inference:1.4.2",
    resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } },
    tuning: { predictMaxConcurrency: 4, uvicornWorkers: 2 },
    maxUnavailable: 1,
    spread: "require",
  },
  scaling: { mode: "keda", minReplicas: 3, maxReplicas: 20, keda: { fallback: { failureThreshold: 3, replicas: 10 } } },
  monitoring: { scrape: "service-monitor", alerts: { p95LatencySeconds: 1 } },
  slo: { period: "30d", availability: { objective: 99.9 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
  capacity: { cpu: "48", memory: "96Gi" },
  cost: { pricePerPodHour: 0.19 },
};
