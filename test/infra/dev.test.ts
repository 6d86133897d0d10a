import { envSuite, PINNED } from "./env-suite.js";

envSuite({
  env: "dev",
  namespace: "ml-serving-dev",
  kubeContext: "docker-desktop",
  prometheusAddress: "http://prometheus-server.monitoring.svc.cluster.local:80",
  protectNamespace: false,
  autoscalerKind: "ScaledObject",
  grafana: "existing",
  releases: { keda: PINNED.keda, prometheus: PINNED.prometheus, "prometheus-adapter": PINNED.prometheusAdapter },
});
