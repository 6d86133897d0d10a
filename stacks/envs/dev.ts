import type { EnvConfigInput } from "../config.js";

/**
 * A laptop cluster (k3d, docker-desktop): one node, plain Prometheus, KEDA scaling the service to
 * zero when idle and waking it on the gateway's request counter (the pods' own series vanish with
 * the last pod, the gateway's do not).
 */
export const dev: EnvConfigInput = {
  name: "dev",
  namespace: "ml-serving-dev",
  cluster: { kind: "local", keda: true, prometheusOperator: false },
  services: [
    {
      image: "registry.example.com/ml/inference:1.4.2",
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      tuning: { predictMaxConcurrency: 2, prewarmModel: false },
      maxUnavailable: 1,
      spread: "prefer",
      scaling: {
        mode: "keda",
        minReplicas: 0,
        maxReplicas: 2,
        // k3d's bundled Traefik (kube-system; k3s annotates its pods prometheus.io/scrape, /port,
        // scraped by the `traefik` job this environment renders beside the service's) counts every request routed to the inference Ingress — also while no
        // pod runs, when it answers 503, provided its Kubernetes provider keeps routers of empty
        // Services (`providers.kubernetesIngress.allowEmptyServices: true`). Any request rate above 0
        // wakes the service; 5 requests/s per replica scales it out.
        wakeUp: {
          source: { namespace: "kube-system", job: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } },
          metric: { name: "traefik_service_requests_total", type: "counter", labels: ["code", "method", "protocol", "service"] },
          matchers: { service: "ml-serving-dev-inference-8000@kubernetes" },
          activation: 0,
          threshold: 5,
        },
      },
      slo: { period: "30d", availability: { objective: 99 }, latency: { objective: 95, thresholdSeconds: 1 } },
    },
  ],
  monitoring: {
    scrape: "pod-annotations",
    prometheus: { service: "prometheus-server", namespace: "monitoring", port: 80 },
    alerts: { p95LatencySeconds: 2 },
  },
  cost: { pricePerPodHour: 0 },
  // k3s enforces NetworkPolicies (kube-router); the callers are Traefik's pods.
  networkPolicy: { ingressController: { namespace: "kube-system", podLabels: { "app.kubernetes.io/name": "traefik" } } },
  // The prometheus community chart scrapes kube-state-metrics and cAdvisor under these jobs.
  dashboards: { kubeStateMetricsJob: "kubernetes-service-endpoints", kubeletJob: "kubernetes-nodes-cadvisor" },
};
