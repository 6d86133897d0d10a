import type { EnvConfigInput } from "../config.js";

/** A laptop cluster (docker-desktop, k3d): one node, no KEDA, plain Prometheus. */
export const dev: EnvConfigInput = {
  name: "dev",
  namespace: "ml-serving-dev",
  cluster: { kind: "local", keda: false, prometheusOperator: false },
  service: {
    image: "registry.example.com/ml/inference:1.4.2",
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    tuning: { predictMaxConcurrency: 2, prewarmModel: false },
    maxUnavailable: 1,
    spread: "prefer",
  },
  scaling: { mode: "cpu-hpa", minReplicas: 1, maxReplicas: 2 },
  monitoring: {
    scrape: "pod-annotations",
    prometheus: { service: "prometheus-server", namespace: "monitoring", port: 80 },
    alerts: { p95LatencySeconds: 2 },
  },
  slo: { period: "30d", availability: { objective: 99 }, latency: { objective: 95, thresholdSeconds: 1 } },
  cost: { pricePerPodHour: 0 },
  // The prometheus community chart scrapes kube-state-metrics and cAdvisor under these jobs.
  dashboards: { kubeStateMetricsJob: "kubernetes-service-endpoints", kubeletJob: "kubernetes-nodes-cadvisor" },
};
