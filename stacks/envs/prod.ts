import type { EnvConfigInput } from "../config.js";

/** Production: at least 3 replicas across nodes and zones, up to 20, KEDA on latency and queue. */
export const prod: EnvConfigInput = {
  name: "prod",
  namespace: "ml-serving-prod",
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  services: [
    {
      // Production pins every image by digest (tag for people, digest for the kubelet): IMAGE_NOT_PINNED.
      image: "registry.example.com/ml/inference:1.4.2@sha256:009b14de478c2b7d7d2341f15ddfca91da8619278c4c2720c909aabc2ff54545",
      resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } },
      tuning: { predictMaxConcurrency: 4, uvicornWorkers: 2 },
      maxUnavailable: 1,
      spread: "require",
      scaling: { mode: "keda", minReplicas: 3, maxReplicas: 20, keda: { fallback: { failureThreshold: 3, replicas: 10 } } },
      slo: { period: "30d", availability: { objective: 99.9 }, latency: { objective: 99, thresholdSeconds: 0.5 } },
    },
  ],
  // QueueBacklog reads the total queue; KEDA adds pods above 3 × 20 = 60 queued (66 with the HPA's tolerance).
  monitoring: { scrape: "service-monitor", alerts: { p95LatencySeconds: 1, queueBacklog: 80 } },
  capacity: { cpu: "64", memory: "128Gi" },
  cost: { pricePerPodHour: 0.19 },
  dashboards: { folder: "ML serving" },
  // Egress locked down too: DNS, the orchestrator → inference calls and the workers' broker (the
  // Service behind rabbitmqConnection, amqp://…@rabbitmq.queue.svc:5672).
  networkPolicy: { egress: true, rabbitmq: { namespace: "queue", podLabels: { "app.kubernetes.io/name": "rabbitmq" }, port: 5672 } },
  // Sized with the inference service's maximum inside capacity: 20×2 + 10×0.25 + 6×0.25 = 44 CPU.
  orchestrator: {
    image: "registry.example.com/ml/orchestrator:2.3.0@sha256:2ce960f2bcc209d13aa99c31298439c828c81c7bc646843c5b988efa50007706",
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    minReplicas: 2,
    maxReplicas: 6,
    inFlightPerReplica: 20,
  },
  queueWorkers: [
    {
      name: "embedding-worker",
      image: "registry.example.com/ml/worker:2.3.0@sha256:859f55976b3011eb0836bbd56e90a7d1c69b34141f17bb25dfdbe79f1a9616b0",
      app: "worker.celery_app",
      queueName: "embeddings",
      concurrency: 4,
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      minReplicas: 2,
      maxReplicas: 10,
      targetPerReplica: 20,
      activationValue: 5,
    },
  ],
  // Known peaks: office hours in Berlin for the API path, the nightly re-embedding batch for the workers.
  prescaling: [
    {
      name: "business-hours",
      target: "inference",
      timezone: "Europe/Berlin",
      weekdays: ["mon", "tue", "wed", "thu", "fri"],
      start: "08:00",
      end: "19:00",
      replicas: 6,
    },
    {
      name: "business-hours",
      target: "orchestrator",
      timezone: "Europe/Berlin",
      weekdays: ["mon", "tue", "wed", "thu", "fri"],
      start: "08:00",
      end: "19:00",
      replicas: 4,
    },
    {
      name: "nightly-batch",
      target: "embedding-worker",
      timezone: "Europe/Berlin",
      weekdays: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
      start: "01:00",
      end: "04:30",
      replicas: 8,
    },
  ],
};
