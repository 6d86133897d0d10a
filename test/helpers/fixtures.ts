/**
 * Values every test fixture shares, defined once (the construct fixtures in test/constructs/ and
 * the check fixtures in test/stacks/checks/ build on these).
 */

/** The in-cluster Prometheus URL the built-in environments render (kube-prometheus-stack in `monitoring`). */
export const PROM = "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090";
