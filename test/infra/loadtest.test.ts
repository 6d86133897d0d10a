import { envSuite, OPERATOR_WITH_KEDA } from "./env-suite.js";

envSuite({
  env: "loadtest",
  namespace: "ml-serving-loadtest",
  kubeContext: "ml-loadtest",
  prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  protectNamespace: false,
  autoscalerKind: "ScaledObject",
  grafana: "installed",
  releases: OPERATOR_WITH_KEDA,
});
