import { envSuite, OPERATOR_WITH_KEDA } from "./env-suite.js";

envSuite({
  env: "models",
  namespace: "ml-serving-models",
  kubeContext: "ml-models",
  prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  protectNamespace: false,
  autoscalerKind: "ScaledObject",
  grafana: "installed",
  releases: OPERATOR_WITH_KEDA,
});
