import { envSuite, OPERATOR_WITH_KEDA } from "./env-suite.js";

envSuite({
  env: "prod",
  namespace: "ml-serving-prod",
  kubeContext: "ml-prod",
  prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  protectNamespace: true,
  autoscalerKind: "ScaledObject",
  grafana: "installed",
  dashboardFolder: "ML serving",
  releases: OPERATOR_WITH_KEDA,
});
