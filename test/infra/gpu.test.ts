import { envSuite, OPERATOR_WITH_KEDA } from "./env-suite.js";

envSuite({
  env: "gpu",
  namespace: "ml-serving-gpu",
  kubeContext: "ml-gpu",
  prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  protectNamespace: false,
  autoscalerKind: "ScaledObject",
  grafana: "installed",
  releases: OPERATOR_WITH_KEDA,
});
