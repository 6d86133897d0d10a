/**
 * Names of the metrics prometheus-adapter serves to the HPA (custom.metrics.k8s.io and
 * external.metrics.k8s.io). The `slo-hpa` mode and the adapter rules both import these, so the
 * name an HPA asks for is by construction the name the adapter exposes.
 */
export const CUSTOM_METRICS = {
  /** Per-pod p95 latency of the scaling endpoint, seconds (Pods metric). */
  podP95Latency: "inference_request_latency_p95_seconds",
  /** Per-pod requests in flight (Pods metric). */
  podInFlight: "inference_requests_in_flight",
  /** Per-pod peak of in-flight requests over the short burst window (Pods metric; slo-hpa with scaling.burst). */
  podInFlightBurst: "inference_requests_in_flight_burst",
  /** Queue length of the whole service (External metric; only where KEDA is absent). */
  queueLength: "inference_queue_length",
} as const;
