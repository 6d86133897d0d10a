import { envSuite } from "./env-suite.js";

envSuite({
  env: "gpu",
  namespace: "ml-serving-gpu",
  kubeContext: "ml-gpu",
  prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  protectNamespace: false,
  autoscalerKind: "ScaledObject",
  grafana: "installed",
  releases: {
    keda: { chart: "keda", version: "2.18.0", repo: "https://kedacore.github.io/charts", namespace: "keda" },
    "kube-prometheus-stack": { chart: "kube-prometheus-stack", version: "77.1.1", repo: "https://prometheus-community.github.io/helm-charts", namespace: "monitoring" },
    "prometheus-adapter": { chart: "prometheus-adapter", version: "5.3.0", repo: "https://prometheus-community.github.io/helm-charts", namespace: "monitoring" },
  },
});
