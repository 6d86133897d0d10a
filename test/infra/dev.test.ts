import { envSuite } from "./env-suite.js";

envSuite({
  env: "dev",
  namespace: "ml-serving-dev",
  kubeContext: "docker-desktop",
  prometheusAddress: "http://prometheus-server.monitoring.svc.cluster.local:80",
  protectNamespace: false,
  autoscalerKind: "HorizontalPodAutoscaler",
  grafana: "existing",
  releases: {
    prometheus: { chart: "prometheus", version: "27.20.0", repo: "https://prometheus-community.github.io/helm-charts", namespace: "monitoring" },
    "prometheus-adapter": { chart: "prometheus-adapter", version: "5.3.0", repo: "https://prometheus-community.github.io/helm-charts", namespace: "monitoring" },
  },
});
