import type { EnvConfigInput } from "../config.js";

/**
 * A platform namespace serving two models on shared add-ons: a text-generation model (`inference`) and an
 * embedding model with a tighter latency SLO. Resources, scaling behavior and the SLO period are
 * written once in `defaults`; each service overrides what differs. The first service keeps the
 * chart names of a single-service environment (`workload.yaml`, `autoscaling.yaml`,
 * `monitoring.yaml`, which also holds the one prometheus-adapter rule set covering both); the
 * second's objects are in `embedding-workload.yaml`, `embedding-autoscaling.yaml`, `embedding-monitoring.yaml`.
 * Shared files hold one object per model: `dashboards.yaml` (one dashboard each), `load-test.yaml`
 * (one Locust run each, `locust` and `locust-embedding`), `network-policy.yaml`.
 */
export const models: EnvConfigInput = {
  name: "models",
  namespace: "ml-serving-models",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  defaults: {
    resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    // Slow scale-down for both: a dip must not throw away warm model replicas.
    scaling: { mode: "keda", behavior: { scaleDown: { stabilizationWindowSeconds: 600 } } },
    slo: { period: "28d" },
  },
  services: [
    {
      name: "inference",
      image: "registry.example.com/ml/text-generation:2.1.0",
      resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } },
      spread: "prefer",
      scaling: { minReplicas: 2, maxReplicas: 8, keda: { fallback: { failureThreshold: 3, replicas: 4 } } },
      slo: { availability: { objective: 99.5 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
    },
    {
      // Embeddings answer in tens of milliseconds: scale at a p95 of 100 ms, page at 200 ms, and
      // promise 99.9 % under 200 ms.
      name: "embedding",
      image: "registry.example.com/ml/embedding:1.0.3",
      spread: "prefer",
      scaling: {
        minReplicas: 2,
        maxReplicas: 6,
        keda: { p95Latency: { threshold: 0.1, activation: 0.05 }, fallback: { failureThreshold: 3, replicas: 3 } },
        // the same target when the env runs slo-hpa (what-ifs, npm run simulate -- --mode slo-hpa)
        sloHpa: { p95LatencySeconds: 0.1 },
      },
      alerts: { p95LatencySeconds: 0.2 },
      slo: { availability: { objective: 99.9 }, latency: { objective: 99.9, thresholdSeconds: 0.2 } },
      simulation: { serviceTimeSeconds: 0.02, cpuSecondsPerRequest: 0.015 },
      // Its own load test body (the stages are the env's): objects locust-embedding-*.
      loadTest: { payload: '{"input": ["a sentence to embed"]}' },
    },
  ],
  // QueueBacklog reads each service's total queue; KEDA adds pods above 2 × 20 = 40 queued.
  monitoring: { scrape: "service-monitor", alerts: { queueBacklog: 50 } },
  // 8 × 2 + 6 × 1 = 22 CPU and 8 × 4Gi + 6 × 2Gi = 44Gi at both maxima, the two load tests (2.5 CPU), room for a rollout's surge.
  capacity: { cpu: "32", memory: "56Gi" },
  cost: { pricePerPodHour: 0.12 },
  dashboards: {},
  // One Locust run per model against its own Service and path: warm-up, past the minimum's capacity, back down.
  loadTest: {
    stages: [
      { users: 10, spawnRate: 2, durationSeconds: 120 },
      { users: 100, spawnRate: 10, durationSeconds: 600 },
      { users: 20, spawnRate: 20, durationSeconds: 300 },
    ],
    payload: '{"inputs": "Write one sentence about autoscaling."}',
  },
};
