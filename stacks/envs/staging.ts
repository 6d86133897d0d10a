import type { EnvConfigInput } from "../config.js";

/** Pre-production: same shape as prod at a smaller scale, KEDA-scaled. */
export const staging: EnvConfigInput = {
  name: "staging",
  namespace: "ml-serving-staging",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  services: [
    {
      image: "registry.example.com/ml/inference:1.4.2",
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      spread: "prefer",
      // The burst path (KPA's panic window, as far as an HPA goes) is tried here before prod: its
      // trigger needs the HPA's scale-up stabilization no longer than its 30 s window.
      scaling: {
        mode: "keda",
        minReplicas: 2,
        maxReplicas: 8,
        keda: { fallback: { failureThreshold: 3, replicas: 4 } },
        burst: { enabled: true },
        behavior: { scaleUp: { stabilizationWindowSeconds: 0 } },
      },
      slo: { period: "30d", availability: { objective: 99.5 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
    },
  ],
  // QueueBacklog reads the total queue; KEDA adds pods above 2 × 20 = 40 queued (44 with the HPA's tolerance).
  monitoring: { scrape: "service-monitor", alerts: { queueBacklog: 50 } },
  capacity: { cpu: "16", memory: "32Gi" },
  cost: { pricePerPodHour: 0.1 },
  dashboards: {},
};
