import type { EnvConfigInput } from "../config.js";

/**
 * Example: staging's shape with a headless Locust run that steps through a user matrix to
 * validate the autoscaling; CSV stats land on the `loadtest-stats` volume.
 */
export const loadtest: EnvConfigInput = {
  name: "loadtest",
  namespace: "ml-serving-loadtest",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  services: [
    {
      image: "registry.example.com/ml/inference:1.4.2",
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      scaling: { mode: "keda", minReplicas: 2, maxReplicas: 8, keda: { fallback: { failureThreshold: 3, replicas: 4 } } },
      slo: { period: "30d", availability: { objective: 99.5 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
    },
  ],
  // QueueBacklog reads the total queue; KEDA adds pods above 2 × 20 = 40 queued (44 with the HPA's tolerance).
  monitoring: { scrape: "service-monitor", alerts: { queueBacklog: 50 } },
  cost: { pricePerPodHour: 0.1 },
  loadTest: {
    workers: 4,
    // Warm-up, then steps past one pod's capacity to force scale-ups, then a drop to watch scale-down.
    stages: [
      { users: 10, spawnRate: 2, durationSeconds: 120 },
      { users: 50, spawnRate: 5, durationSeconds: 300 },
      { users: 150, spawnRate: 10, durationSeconds: 600 },
      { users: 300, spawnRate: 20, durationSeconds: 600 },
      { users: 20, spawnRate: 20, durationSeconds: 600 },
    ],
    payload: '{"inputs": [[0.1, 0.2, 0.3, 0.4]]}',
  },
  dashboards: {},
};
